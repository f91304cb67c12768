/**
 * npm run bench [-- --runs 3]: the default suite (every check that runs without opt-ins) against the
 * emulator over HTTPS at 0 ms and at 100 ms of injected latency per request, as a user runs it
 * (npm run conformance in its own process). Prints, per latency, the median wall time, the time the checks
 * took, the requests the kit counted and the emulator received, the requests to the token endpoint, and
 * the tokens issued, and the ratio to a bare Playwright run of one trivial API test, then the targets: at most 60
 * requests and 12 issued tokens per run, the 100 ms run at most 3 s slower than the 0 ms run, the default run at
 * most 2.5x the bare one. Exit 1 when a target is missed. Not part of npm test: timings belong
 * here, not in assertions.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { startEmulator } from '../emulator/server.ts'
import { ROOT, runKitAgainst } from './harness.ts'
import { runsArgument } from './tools/runs.ts'

const runs = runsArgument(process.argv.slice(2), 3, 'bench')

interface Sample {
  wallMs: number
  checksMs: number
  requests: number
  seenByEmulator: number
  token: number
  issued: number
  failed: number
}

async function sample(latencyMs: number): Promise<Sample> {
  const emu = await startEmulator({ release: '2.0', tls: true, latencyMs })
  try {
    const started = Date.now()
    const run = await runKitAgainst(emu, { OPENCRVS_CA_FILE: emu.caFile!, CONFORMANCE_ALLOW_HTTP: 'false' })
    const wallMs = Date.now() - started
    const r = run.report
    return {
      wallMs,
      checksMs: r.durationMs,
      requests: r.requests.total,
      seenByEmulator: emu.requestCount(),
      token: r.requests.token,
      issued: r.requests.issued,
      failed: r.totals.FAILED,
    }
  } finally {
    await emu.stop()
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** A bare Playwright run of one trivial API test (the same Playwright, no kit): the floor a run cannot go under. */
function bare(): number {
  // inside node_modules, so the spec resolves @playwright/test as a user's project would
  const cache = join(ROOT, 'node_modules', '.cache')
  mkdirSync(cache, { recursive: true })
  const dir = mkdtempSync(join(cache, 'bench-bare-'))
  writeFileSync(
    join(dir, 'trivial.spec.mjs'),
    "import { test, expect } from '@playwright/test'\ntest('trivial', async ({ request }) => { expect(request).toBeTruthy() })\n",
  )
  writeFileSync(join(dir, 'playwright.config.mjs'), "export default { testDir: '.', reporter: 'line', workers: 1 }\n")
  const cli = createRequire(join(ROOT, 'package.json')).resolve('@playwright/test/cli')
  const started = Date.now()
  const r = spawnSync(process.execPath, [cli, 'test', '-c', join(dir, 'playwright.config.mjs')], {
    cwd: dir,
    stdio: 'ignore',
  })
  const ms = Date.now() - started
  rmSync(dir, { recursive: true, force: true })
  if (r.status !== 0) throw new Error('the bare Playwright run failed')
  return ms
}
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`

console.log(
  `Benchmark: default suite against the v2.0 emulator over HTTPS, ${runs} run(s) per latency (median shown)\n`,
)
const rows: Array<{ latency: number; wall: number; checks: number; s: Sample }> = []
// each 0 ms run follows a bare run: the two see the same machine (a shared or busy one drifts within minutes)
const bareRuns: number[] = []
for (const latency of [0, 100]) {
  const samples: Sample[] = []
  for (let i = 0; i < runs; i++) {
    if (latency === 0) bareRuns.push(bare())
    const s = await sample(latency)
    samples.push(s)
    console.log(
      `  ${String(latency).padStart(3)} ms run ${i + 1}: ${seconds(s.wallMs)} wall, ${seconds(s.checksMs)} checks, ${s.requests} requests${latency === 0 ? ` (bare Playwright just before: ${seconds(bareRuns[i]!)})` : ''}${s.failed ? `, ${s.failed} FAILED (unexpected)` : ''}`,
    )
  }
  rows.push({
    latency,
    wall: median(samples.map((s) => s.wallMs)),
    checks: median(samples.map((s) => s.checksMs)),
    s: samples[samples.length - 1]!,
  })
}

const bareMs = median(bareRuns)
const ratio = rows[0]!.wall / bareMs
console.log(
  `\nA bare Playwright run of one trivial API test: ${seconds(bareMs)} (median of ${runs}); the default run at 0 ms takes ${ratio.toFixed(1)}x that`,
)
console.log(
  '\n| latency per request | wall time | checks | requests (kit / emulator) | to the token endpoint | tokens issued |',
)
console.log('|---|---|---|---|---|---|')
for (const r of rows)
  console.log(
    `| ${r.latency} ms | ${seconds(r.wall)} | ${seconds(r.checks)} | ${r.s.requests} / ${r.s.seenByEmulator} | ${r.s.token} | ${r.s.issued} |`,
  )

const [zero, slow] = rows as [(typeof rows)[0], (typeof rows)[0]]
const targets = [
  {
    name: 'requests per run <= 60',
    ok: rows.every((r) => r.s.requests <= 60),
    value: rows.map((r) => r.s.requests).join(', '),
  },
  {
    name: 'tokens issued per run <= 12',
    ok: rows.every((r) => r.s.issued <= 12),
    value: rows.map((r) => r.s.issued).join(', '),
  },
  {
    name: '100 ms run at most 3 s slower (wall)',
    ok: slow.wall - zero.wall <= 3000,
    value: `+${seconds(slow.wall - zero.wall)}`,
  },
  {
    name: 'kit and emulator count the same requests',
    ok: rows.every((r) => r.s.requests === r.s.seenByEmulator),
    value: rows.map((r) => `${r.s.requests}/${r.s.seenByEmulator}`).join(', '),
  },
  {
    name: 'a default run at most 2.5x a bare Playwright run',
    ok: ratio <= 2.5,
    value: `${ratio.toFixed(1)}x (${seconds(rows[0]!.wall)} / ${seconds(bareMs)})`,
  },
]
console.log('\nTargets:')
for (const t of targets) console.log(`  ${t.ok ? 'met   ' : 'MISSED'} ${t.name}: ${t.value}`)
process.exit(targets.every((t) => t.ok) ? 0 : 1)
