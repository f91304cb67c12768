/** The options npm run conformance passes on to Playwright: a slip is a configuration error, exit 2, with its page. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { checkOptions, PLAYWRIGHT_OPTIONS, PLAYWRIGHT_SHORT } from '../../src/config/options.ts'
import { isolatedEnv } from '../isolation.ts'

test("the kit's list of Playwright options is the pinned release's (playwright test --help)", () => {
  const cli = createRequire(import.meta.url).resolve('@playwright/test/cli')
  const help = spawnSync(process.execPath, [cli, 'test', '--help'], { encoding: 'utf8' }).stdout
  const long = [...help.matchAll(/^ {2}(?:-(\w), )?(--[a-z-]+)/gm)]
  assert.ok(long.length > 20, help)
  assert.deepEqual(long.map((m) => m[2]).sort(), [...PLAYWRIGHT_OPTIONS].sort())
  assert.deepEqual(long.flatMap((m) => (m[1] ? [m[1]] : [])).sort(), [...PLAYWRIGHT_SHORT].sort())
})

test('an option neither the kit nor Playwright knows is a configuration error naming the likely one', () => {
  assert.throws(() => checkOptions(['--quite']), /"--quite" is not an option.*Did you mean --quiet\?/s)
  assert.throws(() => checkOptions(['--repeat=2']), /"--repeat"/)
  assert.throws(() => checkOptions(['-q']), /"-q"/)
  for (const ok of [
    ['--quiet'],
    ['--grep', 'TOKEN'],
    ['-g', 'x', '--workers=1'],
    ['-j2'],
    ['specs/a.spec.ts'],
    ['--list'],
  ])
    checkOptions(ok)
})

test('npm run conformance -- --quite: exit 2 and the NOT CHECKED page, nothing run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'options-'))
  const cli = fileURLToPath(new URL('../../src/cli/conformance.ts', import.meta.url))
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), cli, '--quite'], {
    encoding: 'utf8',
    env: { ...isolatedEnv(), CONFORMANCE_REPORT_DIR: dir },
  })
  assert.equal(r.status, 2, r.stdout + r.stderr)
  assert.match(r.stderr, /Did you mean --quiet\?/)
  assert.ok(existsSync(join(dir, 'conformance.html')))
  const report = JSON.parse(readFileSync(join(dir, 'conformance.json'), 'utf8'))
  assert.equal(report.stop.cause, 'configuration')
  assert.match(report.stop.reason, /--quite/)
})
