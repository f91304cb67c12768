/**
 * The fault matrix: the kit against the emulator with one fault at a time. The fault's requirement(s) must be
 * FAILED, every other verdict unchanged from the same release without faults, the exit code 1, and nothing
 * leaked even though failure messages and evidence were rendered.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { after, describe, test } from 'node:test'
import { FAULTS } from '../emulator/faults.ts'
import { profileForRelease } from '../src/profiles/profiles.ts'
import { compareReports } from '../src/report/compare.ts'
import { FAULT_MATRIX, type FaultCase } from './fault-matrix.ts'
import { leaks, runKit, type KitRun } from './harness.ts'

// One Playwright worker per run: the matrix is CPU-bound on two cores, and a second worker process costs
// about 1.3 s of CPU per run for no gain here. Three runs at a time overlap the checks' deliberate waits.
const ARGS = ['--workers=1']
// Baselines, and the faults that put secrets or tokens where they do not belong, write every report (HTML,
// JUnit, Allure) and have all of it scanned for leaks. The other faults write conformance.json/.md only
// (the same redacted reasons and evidence), which saves about 9% of a run's CPU.
const LEAK_PRONE = new Set(['echo-secret', 'secret-in-claims', 'missing-secret-accepted', 'wrong-secret-accepted', 'basic-auth', 'rotation-keeps-old-secret', 'alg-hs256'])
const argsFor = (fault: string) => (LEAK_PRONE.has(fault) ? ARGS : [...ARGS, '--reporter=./src/report/conformance-reporter.ts'])
const baselines = new Map<string, Promise<KitRun>>()
const options = (c: FaultCase, args: string[]) => ({ ...c, args: [...args, ...(c.args ?? [])] })
/** The same release, environment, lifetime and topology without the fault (run once per combination). */
const baseline = (c: FaultCase) => {
  const key = JSON.stringify([c.release, c.env ?? {}, c.lifetimeSeconds ?? 0, c.tls ?? false, c.lifecycle ?? false, c.gatewayOnly ?? false, c.args ?? []])
  let p = baselines.get(key)
  if (!p) baselines.set(key, (p = runKit(c.release, [], options(c, ARGS))))
  return p
}
const rows: string[] = []

describe('fault matrix', { concurrency: 3 }, () => {
  test('every emulator fault has a row in the matrix', () => {
    assert.deepEqual(Object.keys(FAULTS).sort(), [...new Set(Object.entries(FAULT_MATRIX).map(([key, c]) => c.fault ?? key))].sort())
    assert.deepEqual([...LEAK_PRONE].filter((f) => !FAULTS[f]), [], 'leak-prone faults exist')
  })

  for (const [row, c] of Object.entries(FAULT_MATRIX).filter(([, x]) => !x.gate)) {
    const { release, fails } = c
    const fault = c.fault ?? row
    const expectedChanges = c.changes ?? {}
    const effect = [fails.length ? `${fails.join(', ')} FAILED` : '', ...Object.entries(expectedChanges).filter(([, v]) => v !== 'SKIPPED').map(([id, v]) => `${id} ${v}`)].filter(Boolean).join(', ')
    test(`fault ${row} (v${release}${c.gatewayOnly ? ', gateway only' : ''}) -> ${effect}, nothing else changes`, async () => {
      const [base, run] = await Promise.all([baseline(c), runKit(release, [fault], options(c, argsFor(fault)))])
      const failed = Object.entries(run.verdicts).filter(([, v]) => v === 'FAILED').map(([id]) => id)
      const changed = Object.keys(base.verdicts).filter((id) => !fails.includes(id) && run.verdicts[id] !== base.verdicts[id])
      const unexpected = changed.filter((id) => expectedChanges[id] !== run.verdicts[id])
      rows.push(`| ${row} | ${release}${c.gatewayOnly ? ' (gateway only)' : ''} | ${run.report.target.version} | ${fails.join(', ')} | ${failed.join(', ') || '-'} | ${changed.length > 3 ? `${changed.length} checks -> SKIPPED (nothing to inspect)` : changed.map((id) => `${id} ${base.verdicts[id]}->${run.verdicts[id]}`).join(', ') || 'none'} |`)
      // one deliberate deviation is a defect of the release's deployment, not another product
      assert.equal(run.report.target.version, profileForRelease(release)!.label, 'identified as its release')
      assert.deepEqual(failed.sort(), [...fails].sort(), `FAILED requirements\n${run.output}`)
      assert.deepEqual(unexpected.map((id) => `${id} ${base.verdicts[id]}->${run.verdicts[id]}`), [], 'other verdicts changed')
      for (const [id, verdict] of Object.entries(expectedChanges)) assert.equal(run.verdicts[id], verdict, `${id} expected ${verdict}`)
      assert.equal(run.code, fails.length ? 1 : 0, 'exit code')
      // the upgrade comparison, baseline -> fault, calls exactly these regressions
      assert.deepEqual(compareReports(base.report, run.report).regressions.sort(), fails.filter((id) => base.verdicts[id] !== 'SKIPPED').sort(), 'compare: regressions')
      for (const id of fails) assert.match(run.output, new RegExp(`FAILED\\s+${id}`), `console summary names ${id}`)
      assert.deepEqual(leaks(run), [])
      assert.deepEqual(run.writes, [], 'no probe may get past the point where a real gateway writes')
    })
  }
})

after(() => {
  const table = ['| fault | release | identified as | must fail | failed | other verdicts changed |', '|---|---|---|---|---|---|', ...rows.sort()].join('\n')
  if (process.env.SELFTEST_MATRIX_FILE) writeFileSync(process.env.SELFTEST_MATRIX_FILE, table + '\n')
  else console.log(table)
})
