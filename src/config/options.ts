/**
 * The command-line options `npm run conformance` passes on to `playwright test`, checked before anything runs: a
 * slip (--quite for --quiet) is a configuration error (exit 2, the NOT CHECKED page), never Playwright's own exit 1,
 * which CI would read as a FAILED requirement. The list is @playwright/test's pinned release's (a self-test holds it
 * to `playwright test --help`), with the kit's own --quiet.
 */
import { ConfigError } from './env.ts'
import { closestName } from './names.ts'

/** `playwright test --help`'s long options, and the short ones as letters. */
export const PLAYWRIGHT_OPTIONS = [
  '--add-reporter',
  '--browser',
  '--config',
  '--debug',
  '--fail-on-flaky-tests',
  '--forbid-only',
  '--fully-parallel',
  '--grep',
  '--grep-invert',
  '--global-timeout',
  '--headed',
  '--ignore-snapshots',
  '--workers',
  '--last-failed',
  '--last-failed-file',
  '--list',
  '--max-failures',
  '--no-deps',
  '--only-changed',
  '--output',
  '--pass-with-no-tests',
  '--project',
  '--quiet',
  '--repeat-each',
  '--reporter',
  '--retries',
  '--run-agents',
  '--shard',
  '--shuffle',
  '--test-list',
  '--test-list-invert',
  '--timeout',
  '--trace',
  '--tsconfig',
  '--update-snapshots',
  '--ui',
  '--ui-host',
  '--ui-port',
  '--update-source-method',
  '--help',
]
export const PLAYWRIGHT_SHORT = ['c', 'g', 'G', 'j', 'u', 'h']

/** Throws a ConfigError naming the first option neither the kit nor `playwright test` knows, and the likely one. */
export function checkOptions(args: string[]): void {
  for (const arg of args) {
    if (arg === '--') return // what follows is Playwright's test filter
    const long = arg.startsWith('--') ? arg.split('=')[0]! : undefined
    const unknown = long
      ? !PLAYWRIGHT_OPTIONS.includes(long)
      : /^-[^-]/.test(arg) && !PLAYWRIGHT_SHORT.includes(arg[1]!)
    if (!unknown) continue
    const name = long ?? arg.slice(0, 2)
    const meant = closestName(name, PLAYWRIGHT_OPTIONS)
    throw new ConfigError(
      `the command line (${name})`,
      `"${name}" is not an option of npm run conformance nor of playwright test`,
      `${meant ? `Did you mean ${meant}? ` : ''}Run npx playwright test --help for the options; --quiet is the kit's own.`,
    )
  }
}
