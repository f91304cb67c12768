/**
 * Every emulator fault can be seen: each one, in the demo configuration `npm run emulator -- --help` names for it
 * (emulator/faults.ts demoOf: a release, the lifecycle the emulator then seeds), run as `npm run conformance` runs
 * the bundled emulator (the release's own topology, HTTPS), changes a verdict; a fault whose matrix row fails a
 * requirement shows a FAILED there that the same demo without it does not have. Graded in process like the matrix
 * (the demo's preparation, collection and grading, no Playwright, no reports): about a second a fault.
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { demoOf, FAULTS } from '../emulator/faults.ts'
import { collect, verdicts } from '../src/evidence/collect.ts'
import { prepare } from '../src/runtime/prepare.ts'
import { FAULT_MATRIX } from './fault-matrix.ts'

/** The demo, graded: each requirement's verdict, or the reason it stopped before any check. */
async function demo(release: string, faults: string[]): Promise<Record<string, string> | { stopped: string }> {
  const env = {
    OPENCRVS_VERSION: release,
    // as the harness: on a loaded machine a loopback request can wait for a CPU longer than the default deadline
    CONFORMANCE_REQUEST_TIMEOUT_SECONDS: '60',
    CONFORMANCE_REPORT_DIR: mkdtempSync(join(tmpdir(), 'fault-demo-')),
    ...(faults.length ? { CONFORMANCE_EMULATOR_FAULTS: faults.join(',') } : {}),
  }
  let prepared: Awaited<ReturnType<typeof prepare>>
  try {
    prepared = await prepare(env, () => {})
  } catch (e) {
    return { stopped: (e as Error).message }
  }
  try {
    const { outcomes } = await collect(prepared.runtime)
    const records = await verdicts(prepared.runtime, outcomes)
    return Object.fromEntries(records.map((r) => [r.id, r.verdict]))
  } finally {
    await prepared.stop()
  }
}

const line = (release: string) => (release.startsWith('2.') ? '2.0' : release)
/**
 * The matrix row that already runs this fault in its demo's configuration (the release, its topology: gateway only
 * on v2.0, both services on v1.x; the lifecycle) and asserts what it turns FAILED or changes: the demo would repeat
 * it. The rest are graded here, as the demo runs them.
 */
function provenBy(name: string, d: { release: string; lifecycle: boolean }): string | undefined {
  return Object.entries(FAULT_MATRIX).find(
    ([row, r]) =>
      (r.fault ?? row) === name &&
      r.release === d.release &&
      (r.gatewayOnly ?? false) === (line(d.release) === '2.0') &&
      (r.lifecycle ?? false) === d.lifecycle &&
      !r.gate &&
      (r.fails.length > 0 || Object.keys(r.changes ?? {}).length > 0),
  )?.[0]
}

const baselines = new Map<string, ReturnType<typeof demo>>()
const baseline = (release: string) => {
  let b = baselines.get(release)
  if (!b) baselines.set(release, (b = demo(release, [])))
  return b
}

// SELFTEST_ONLY=name|name: only these faults (a maintainer's quick look; npm test leaves it unset)
const wanted = process.env.SELFTEST_ONLY?.split('|').map((x) => x.trim())

describe('every emulator fault shows in the demo --help names for it', { concurrency: 2 }, () => {
  for (const name of Object.keys(FAULTS).filter((n) => !wanted || wanted.includes(n))) {
    const { release, slow } = demoOf(name)
    // a fault only live expiry sees waits out a whole token lifetime in the demo: the matrix shows it with 3-second tokens
    if (slow) {
      test(`${name}: shown with CONFORMANCE_SLOW=true (its matrix row runs live expiry with short tokens)`, () =>
        assert.ok(FAULT_MATRIX[name]?.env?.CONFORMANCE_SLOW === 'true'))
      continue
    }
    const row = provenBy(name, { release, lifecycle: demoOf(name).lifecycle })
    if (row) {
      test(`${name}: OPENCRVS_VERSION=${release} -> shown by the fault matrix's row "${row}", run in that configuration`, () =>
        assert.ok(FAULT_MATRIX[row]))
      continue
    }
    const mustFail = (FAULT_MATRIX[name]?.fails.length ?? 0) > 0
    // a fault whose every row expects no change holds a classification in place: the demo shows nothing changed
    const unchanged = Object.entries(FAULT_MATRIX).every(
      ([k, r]) => (r.fault ?? k) !== name || (!r.gate && r.fails.length === 0 && !Object.keys(r.changes ?? {}).length),
    )
    test(`${name}: OPENCRVS_VERSION=${release} -> ${mustFail ? 'a FAILED' : 'a changed verdict'}`, async () => {
      const [base, run] = await Promise.all([baseline(release), demo(release, [name])])
      assert.ok(!('stopped' in base), `the demo without faults stopped: ${'stopped' in base ? base.stopped : ''}`)
      // a fault that stops every request (a certificate the kit cannot verify) shows as the run's stop, naming it
      if ('stopped' in run) return assert.match(run.stopped, /certificate/i, run.stopped)
      const changed = Object.keys(base).filter((id) => base[id] !== run[id])
      const failed = changed.filter((id) => run[id] === 'FAILED')
      if (unchanged) return assert.deepEqual(changed, [], 'a fault that holds a classification changes no verdict')
      assert.ok(changed.length > 0, `no verdict changed in the demo (OPENCRVS_VERSION=${release})`)
      if (mustFail) assert.ok(failed.length > 0, `no FAILED in the demo; changed: ${changed.join(', ')}`)
    })
  }
})
