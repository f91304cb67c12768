/**
 * The fault matrix: the kit against the emulator with one fault at a time. The fault's requirement(s) must be
 * FAILED, every other verdict unchanged from the same release without faults, no more requests sent than without
 * it, and nothing leaked even though failure messages and evidence were rendered.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { after, describe, test } from 'node:test'
import { FAULTS } from '../emulator/faults.ts'
import { profileForRelease } from '../src/profiles/profiles.ts'
import { FAULT_MATRIX, type FaultCase } from './fault-matrix.ts'
import { gradeKit, leaks, runKit, type GradedRun, type KitRun } from './harness.ts'

// Rows are graded in this process (gradeKit: the kit's own preparation, collection and grading, without Playwright
// or reports), about half a second a row where a whole run takes eight; every verdict's text is scanned for leaks.
// One secret-heavy fault also runs as a user runs the kit (runKit), writing every report (HTML, JUnit, Allure), all
// of it scanned, with the exit code and the console summary checked too. Its baseline is graded in process: a
// whole run and the in-process grading must agree on every other verdict.
// (kit-profiles runs echo-secret with secret-in-claims whole too, and renders their Allure report; here the operator's
// lifecycle flow, whose old, new and retired secrets all pass through the reports)
const WHOLE_RUN = new Set(['rotation-keeps-old-secret'])
const baselines = new Map<string, Promise<GradedRun>>()
/** The same release, environment, lifetime and topology without the fault (graded once per combination). */
const baseline = (c: FaultCase) => {
  const key = JSON.stringify([c.release, c.env ?? {}, c.lifetimeSeconds ?? 0, c.tls ?? false, c.lifecycle ?? false, c.gatewayOnly ?? false])
  let p = baselines.get(key)
  if (!p) baselines.set(key, (p = gradeKit(c.release, [], c)))
  return p
}
const rows: string[] = []

describe('fault matrix', { concurrency: 6 }, () => {
  test('every emulator fault has a row in the matrix', () => {
    assert.deepEqual(Object.keys(FAULTS).sort(), [...new Set(Object.entries(FAULT_MATRIX).map(([key, c]) => c.fault ?? key))].sort())
    assert.deepEqual([...WHOLE_RUN].filter((f) => !FAULTS[f]), [], 'whole-run faults exist')
  })

  for (const [row, c] of Object.entries(FAULT_MATRIX).filter(([, x]) => !x.gate)) {
    const { release, fails } = c
    const fault = c.fault ?? row
    const expectedChanges = c.changes ?? {}
    const whole = WHOLE_RUN.has(row)
    const effect = [fails.length ? `${fails.join(', ')} FAILED` : '', ...Object.entries(expectedChanges).filter(([, v]) => v !== 'SKIPPED').map(([id, v]) => `${id} ${v}`)].filter(Boolean).join(', ')
    test(`fault ${row} (v${release}${c.gatewayOnly ? ', gateway only' : ''}${whole ? ', whole run' : ''}) -> ${effect}, nothing else changes`, async () => {
      const base = await baseline(c)
      const run: { verdicts: Record<string, string>; version: string; requests: number; output: string; writes: string[] } & ({ whole: KitRun } | { whole?: undefined }) = whole
        ? await runKit(release, [fault], { ...c, args: ['--workers=1', ...(c.args ?? [])] }).then((r) => ({ verdicts: r.verdicts, version: r.report.target.version, requests: r.report.requests.total, output: r.output, writes: r.writes, whole: r }))
        : await gradeKit(release, [fault], c)
      const failed = Object.entries(run.verdicts).filter(([, v]) => v === 'FAILED').map(([id]) => id)
      const changed = Object.keys(base.verdicts).filter((id) => !fails.includes(id) && run.verdicts[id] !== base.verdicts[id])
      const unexpected = changed.filter((id) => expectedChanges[id] !== run.verdicts[id])
      rows.push(`| ${row} | ${release}${c.gatewayOnly ? ' (gateway only)' : ''} | ${run.version} | ${fails.join(', ')} | ${failed.join(', ') || '-'} | ${changed.length > 3 ? `${changed.length} checks -> SKIPPED (nothing to inspect)` : changed.map((id) => `${id} ${base.verdicts[id]}->${run.verdicts[id]}`).join(', ') || 'none'} | ${run.requests} (${base.requests}) |`)
      // one deliberate deviation is a defect of the release's deployment, not another product
      assert.equal(run.version, profileForRelease(release)!.label, 'identified as its release')
      assert.deepEqual(failed.sort(), [...fails].sort(), `FAILED requirements\n${run.output}`)
      assert.deepEqual(unexpected.map((id) => `${id} ${base.verdicts[id]}->${run.verdicts[id]}`), [], 'other verdicts changed')
      for (const [id, verdict] of Object.entries(expectedChanges)) assert.equal(run.verdicts[id], verdict, `${id} expected ${verdict}`)
      // a broken deployment is never sent more requests than a sound one (evidence is collected once, whatever fails)
      assert.ok(run.requests <= base.requests + (c.extraRequests?.count ?? 0), `requests: ${run.requests} with the fault, ${base.requests} without${c.extraRequests ? ` (${c.extraRequests.why})` : ''}`)
      assert.deepEqual(run.writes, [], 'no probe may get past the point where a real gateway writes')
      if (run.whole) {
        assert.equal(run.whole.code, fails.length ? 1 : 0, 'exit code')
        for (const id of fails) assert.match(run.output, new RegExp(`FAILED\\s+${id}`), `console summary names ${id}`)
        assert.deepEqual(leaks(run.whole), [])
      } else assert.deepEqual(leaks({ output: run.output, secrets: (run as GradedRun).secrets }), [])
    })
  }
})

after(() => {
  const table = ['| fault | release | identified as | must fail | failed | other verdicts changed | requests (without the fault) |', '|---|---|---|---|---|---|---|', ...rows.sort()].join('\n')
  if (process.env.SELFTEST_MATRIX_FILE) writeFileSync(process.env.SELFTEST_MATRIX_FILE, table + '\n')
  else console.log(table)
})
