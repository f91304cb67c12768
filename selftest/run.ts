/**
 * npm test: lint and type-check beside every self-test with node's test runner (units, transcript replay, requirement
 * coverage, the kit against the emulator of every release line, the fault matrix), then the fault matrix
 * table and one closing line "N passed, N failed".
 *
 * Every step runs with none of the caller's OPENCRVS_*, CONFORMANCE_* or DOTENV_* variables and an env file and
 * waivers file of its own (selftest/isolation.ts), the self-tests in a temporary folder of their own: a user's .env,
 * exported settings and report folders are never read, sent to or written.
 *
 * `tsx selftest/run.ts [--no-typecheck] [file ...]`: only the given self-test files (the isolation self-test runs a
 * few this way, in a copy of the kit).
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MATRIX_HEADER, violationSites } from './fault-matrix.ts'
import { isolatedEnv } from './isolation.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)
const started = Date.now()
const env = { ...isolatedEnv(), FORCE_COLOR: '0' }
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const typecheck = !process.argv.includes('--no-typecheck')
let passed = 0
let failed = 0

/**
 * A step of its own, run beside the self-tests (they wait on sockets and deadlines more than they compute): its
 * output is kept and printed when it ends, so it never interleaves with the test runner's.
 */
function beside(title: string, args: string[]): Promise<() => void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env })
    const out: Buffer[] = []
    child.stdout.on('data', (c: Buffer) => out.push(c))
    child.stderr.on('data', (c: Buffer) => out.push(c))
    const done = (ok: boolean) => () => {
      console.log(`\n== ${title}`)
      const text = Buffer.concat(out).toString('utf8').trim()
      if (text) console.log(text)
      if (ok) passed++
      else failed++
      console.log(`${title.split(' (')[0]} ${ok ? 'passed' : 'FAILED'}`)
    }
    child.on('error', () => resolve(done(false)))
    child.on('close', (code) => resolve(done(code === 0)))
  })
}
const lint = beside(
  "lint (biome check: the formatter's layout and the linter's rules; `npm run format` applies them)",
  [require.resolve('@biomejs/biome/bin/biome'), 'check', '--colors=off', root],
)
const tsc = typecheck
  ? beside('type-check (tsc --noEmit, strict)', [
      require.resolve('typescript/bin/tsc'),
      '--noEmit',
      '-p',
      join(root, 'tsconfig.json'),
    ])
  : Promise.resolve(() => {})

// the longest files first, three at a time (some wait on deadlines and sockets more than they compute), so both
// cores stay busy to the end
const FIRST = [
  'kit-profiles.test.ts',
  'hostile.test.ts',
  'ci-templates.test.ts',
  'fault-demo.test.ts',
  'kit-faults.test.ts',
  'kit-faults-2.test.ts',
  'isolation.test.ts',
]
const files = only.length
  ? only.map((f) => join(root, f))
  : [
      ...FIRST.map((f) => join(root, 'selftest', f)),
      ...readdirSync(join(root, 'selftest'))
        .filter((f) => f.endsWith('.test.ts') && !FIRST.includes(f))
        .map((f) => join(root, 'selftest', f)),
      join(root, 'selftest/units.ts'), // the unit self-tests, in one process
    ]
const work = mkdtempSync(join(tmpdir(), 'selftest-'))
// every temporary folder the self-tests make (hundreds of report folders and key files) inside this one, removed
// when all passed: a machine that runs npm test nightly does not fill its disk
const scratch = join(work, 'tmp')
mkdirSync(scratch)
// but the compilers' caches (tsx's, Playwright's) where they always are: every kit run compiling afresh costs a minute
const user = process.geteuid?.() ?? userInfo().username
for (const cache of [`tsx-${user}`, `playwright-transform-cache-${user}`]) {
  mkdirSync(join(tmpdir(), cache), { recursive: true })
  symlinkSync(join(tmpdir(), cache), join(scratch, cache))
}
const tap = join(work, 'results.tap')
const matrix = join(work, 'fault-matrix.md')
console.log(`\n== self-tests (${files.length} files)`)
const status = await new Promise<number | null>((resolve) => {
  const runner = spawn(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'), // from the self-tests' own folder, where no package resolves by name
      '--test',
      '--test-concurrency=3',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...files,
    ],
    // a folder of their own: nothing a test resolves relative to where it runs lands in the user's checkout
    { stdio: 'inherit', cwd: work, env: { ...env, TMPDIR: scratch, SELFTEST_MATRIX_FILE: matrix } },
  )
  runner.on('error', () => resolve(1))
  runner.on('close', (code) => resolve(code))
})
for (const report of await Promise.all([lint, tsc])) report()
const tapText = existsSync(tap) ? readFileSync(tap, 'utf8') : ''
const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tapText)?.[1] ?? 0)
passed += count('pass')
failed += count('fail') + count('cancelled')
if (status !== 0 && count('fail') + count('cancelled') === 0) failed++ // the runner itself broke

// the matrix's shards: their rows as one table, and the violation branches no shard reached
const shards = readdirSync(work).filter((f) => f.startsWith('fault-matrix.md.rows-'))
if (shards.length) {
  const rows = shards.flatMap((f) => readFileSync(join(work, f), 'utf8').split('\n').filter(Boolean)).sort()
  const reached = new Set(
    readdirSync(work)
      .filter((f) => f.startsWith('fault-matrix.md.sites-'))
      .flatMap((f) => JSON.parse(readFileSync(join(work, f), 'utf8')) as string[]),
  )
  const unreached = violationSites().filter((s) => !reached.has(s))
  console.log(
    `\n== fault matrix: each emulator fault and the requirement it must turn FAILED\n${[...MATRIX_HEADER, ...rows].join('\n')}`,
  )
  console.log(
    `\n${unreached.length} violation( or deviation( call(s) in the specs reached by no fault${unreached.length ? `: ${unreached.join(', ')}` : ''}`,
  )
  if (shards.length === 2 && unreached.length) failed++ // add a fault (emulator or evidence) that reaches it, or remove the branch
}
// the slowest five steps (tests, not the suites that hold them): where the suite's time goes
const steps = [
  ...tapText.matchAll(/^\s*(?:not )?ok \d+ - (.+)\n\s*---\n\s*duration_ms: ([\d.]+)\n(\s*type: 'suite')?/gm),
]
  .filter((m) => !m[3] && !/\.test\.ts$/.test(m[1]!))
  .map((m) => ({ title: m[1]!, ms: Number(m[2]) }))
  .sort((a, b) => b.ms - a.ms)
  .slice(0, 5)
if (steps.length)
  console.log(
    `\n== the slowest five steps\n${steps.map((x) => `${(x.ms / 1000).toFixed(1).padStart(6)} s  ${x.title.slice(0, 140)}`).join('\n')}`,
  )
console.log(`self-tests finished in ${((Date.now() - started) / 1000).toFixed(0)} s (wall time)`)
if (failed === 0) rmSync(work, { recursive: true, force: true })
else console.log(`the self-tests' temporary folders are kept for a look: ${work}`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
