/**
 * The fault matrix: the kit against the emulator with one fault at a time. The fault's requirement(s) must be
 * FAILED, every other verdict unchanged from the same release without faults, no more requests sent than without
 * it, and nothing leaked even though failure messages and evidence were rendered.
 *
 * The rows are graded in process, which keeps one core busy: the matrix is split in two shards, two test files
 * (kit-faults.test.ts, kit-faults-2.test.ts), so node's test runner puts them on both cores. Each shard writes its
 * table rows and the violation branches it reached next to SELFTEST_MATRIX_FILE; npm test (selftest/run.ts) prints
 * the whole table and fails when a violation( or deviation( call in the specs is reached by no shard.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { VIOLATION_SITES } from '../fixtures/check.ts'
import { demoClients, startEmulator } from '../emulator/server.ts'
import { after, describe, test } from 'node:test'
import { FAULTS } from '../emulator/faults.ts'
import { profileForRelease } from '../src/profiles/profiles.ts'
import { FAULT_MATRIX, type FaultCase } from './fault-matrix.ts'
import { collectKit, gradeKit, gradeKitAgainst, leaks, type GradedRun } from './harness.ts'
import { EVIDENCE_FAULTS, regrade } from './evidence-faults.ts'

// Rows are graded in this process (gradeKit: the kit's own preparation, collection and grading, without Playwright
// or reports), about half a second a row where a whole run takes eight; every verdict's text is scanned for leaks.
// The secret-heavy faults also run whole in kit-profiles (echo-secret, secret-in-claims and rotation-keeps-old-secret
// with the lifecycle flow, every report written and scanned, the Allure report rendered), where the whole runs of
// v1.9 and v2.0 must also agree with their in-process grading on every verdict.
/**
 * SKIPPED results whose reason points at a requirement ("see GATEWAY-01") that PASSED in the same run: an excuse
 * resting on a check that found nothing wrong. Each as "ID -> POINTED-AT: reason".
 */
export function skipsPointingAtPassed(records: Array<{ id: string; verdict: string; reason: string }>): string[] {
  const verdict = new Map(records.map((r) => [r.id, r.verdict]))
  return records
    .filter((r) => r.verdict === 'SKIPPED')
    .flatMap((r) =>
      [...r.reason.matchAll(/\bsee ((?:[A-Z]+-)+\d+)/g)]
        .map((m) => m[1]!)
        .filter((id) => verdict.get(id) === 'PASSED')
        .map((id) => `${r.id} -> ${id}: ${r.reason}`),
    )
}

/** Define this shard's part of the matrix (rows whose index modulo `shards` is `shard`). */
export function defineMatrix(shard: number, shards: number): void {
  // every violation() and deviation() call site the in-process runs reach (fixtures/check.ts notes them)
  const reached = new Set<string>()
  ;(globalThis as Record<symbol, unknown>)[VIOLATION_SITES] = reached
  const mine = (i: number) => i % shards === shard
  // SELFTEST_ONLY='row;row': only those matrix rows and evidence faults (a maintainer's quick loop; npm test sets none)
  const onlyRows = process.env.SELFTEST_ONLY?.split(';').map((x) => x.trim())
  const picked = (name: string) => !onlyRows || onlyRows.includes(name)
  // rows that share a baseline (or a collection) go to one shard, so no baseline is built twice: whole groups,
  // largest first, each to the shard with fewer rows so far
  const shardOf = <T>(items: Array<[string, T]>, keyOf: (x: T) => string): Set<string> => {
    const groups = new Map<string, string[]>()
    for (const [name, x] of items) groups.set(keyOf(x), [...(groups.get(keyOf(x)) ?? []), name])
    const load = Array.from({ length: shards }, () => 0)
    const own = new Set<string>()
    for (const names of [...groups.values()].sort((a, b) => b.length - a.length || a[0]!.localeCompare(b[0]!))) {
      const to = load.indexOf(Math.min(...load))
      load[to]! += names.length
      if (to === shard) names.forEach((n) => own.add(n))
    }
    return own
  }
  const baselineKey = (c: FaultCase) =>
    JSON.stringify([
      c.release,
      c.env ?? {},
      c.lifetimeSeconds ?? 0,
      c.tls ?? false,
      c.lifecycle ?? false,
      c.gatewayOnly ?? false,
    ])
  const rowsHere = shardOf(
    Object.entries(FAULT_MATRIX).filter(([name, x]) => !x.gate && picked(name)),
    baselineKey,
  )
  const evidenceHere = shardOf(
    Object.entries(EVIDENCE_FAULTS).filter(([name]) => picked(name)),
    (f) => JSON.stringify([f.release, f.opts ?? {}]),
  )
  const baselines = new Map<string, Promise<GradedRun>>()
  /** The same release, environment, lifetime and topology without the fault (graded once per combination). */
  const baseline = (c: FaultCase) => {
    const key = baselineKey(c)
    let p = baselines.get(key)
    if (!p) baselines.set(key, (p = gradeKit(c.release, [], c)))
    return p
  }
  const rows: string[] = []

  describe(`fault matrix (shard ${shard + 1} of ${shards})`, { concurrency: 6 }, () => {
    if (shard === 0 && !onlyRows) {
      test('every emulator fault has a row in the matrix', () => {
        assert.deepEqual(
          Object.keys(FAULTS).sort(),
          [...new Set(Object.entries(FAULT_MATRIX).map(([key, c]) => c.fault ?? key))].sort(),
        )
      })
    }

    for (const [row, c] of Object.entries(FAULT_MATRIX).filter(([name, x]) => !x.gate && rowsHere.has(name))) {
      const { release, fails } = c
      const fault = c.fault ?? row
      const expectedChanges = c.changes ?? {}
      const effect = [
        fails.length ? `${fails.join(', ')} FAILED` : '',
        ...Object.entries(expectedChanges)
          .filter(([, v]) => v !== 'SKIPPED')
          .map(([id, v]) => `${id} ${v}`),
      ]
        .filter(Boolean)
        .join(', ')
      test(`fault ${row} (v${release}${c.gatewayOnly ? ', gateway only' : ''}) -> ${effect}, nothing else changes`, async () => {
        // a row that runs one check (--grep) is judged on it alone: graded in process, every check is collected,
        // and with the row's short-lived tokens the others' verdicts depend on how loaded the machine is
        const grep = c.args?.includes('--grep') ? new RegExp(c.args[c.args.indexOf('--grep') + 1]!) : undefined
        const only = (g: GradedRun): GradedRun =>
          grep ? { ...g, verdicts: Object.fromEntries(Object.entries(g.verdicts).filter(([id]) => grep.test(id))) } : g
        const base = only(await baseline(c))
        const run = only(await gradeKit(release, [fault], c))
        // the same evidence graded in strict mode: never more lenient, and the fault still FAILED
        const lenient = Object.keys(run.verdicts).filter(
          (id) => run.verdicts[id] === 'FAILED' && run.strict[id] !== 'FAILED',
        )
        assert.deepEqual(lenient, [], 'strict mode passes what opencrvs mode fails')
        const failed = Object.entries(run.verdicts)
          .filter(([, v]) => v === 'FAILED')
          .map(([id]) => id)
        const changed = Object.keys(base.verdicts).filter(
          (id) => !fails.includes(id) && run.verdicts[id] !== base.verdicts[id],
        )
        const unexpected = changed.filter((id) => expectedChanges[id] !== run.verdicts[id])
        rows.push(
          `| ${row} | ${release}${c.gatewayOnly ? ' (gateway only)' : ''} | ${run.version} | ${fails.join(', ')} | ${failed.join(', ') || '-'} | ${changed.length > 3 ? `${changed.length} checks -> SKIPPED (nothing to inspect)` : changed.map((id) => `${id} ${base.verdicts[id]}->${run.verdicts[id]}`).join(', ') || 'none'} | ${run.requests} (${base.requests}) |`,
        )
        // one deliberate deviation is a defect of the release's deployment, not another product
        assert.equal(run.version, profileForRelease(release)!.label, 'identified as its release')
        assert.deepEqual(failed.sort(), [...fails].sort(), `FAILED requirements\n${run.output}`)
        assert.deepEqual(
          unexpected.map((id) => `${id} ${base.verdicts[id]}->${run.verdicts[id]}`),
          [],
          'other verdicts changed',
        )
        for (const [id, verdict] of Object.entries(expectedChanges))
          assert.equal(run.verdicts[id], verdict, `${id} expected ${verdict}`)
        // a broken deployment is never sent more requests than a sound one (evidence is collected once, whatever fails);
        // not for a row of 3-second tokens: how many probes each run could send before its tokens died is the machine's load
        assert.ok(
          grep !== undefined || run.requests <= base.requests + (c.extraRequests?.count ?? 0),
          `requests: ${run.requests} with the fault, ${base.requests} without${c.extraRequests ? ` (${c.extraRequests.why})` : ''}`,
        )
        // no URL the kit sent carried an issued token, its signature, or its header and payload
        assert.equal(run.tokenInUrl + base.tokenInUrl, 0, 'a URL carried a live token or what rebuilds one')
        assert.deepEqual(skipsPointingAtPassed(base.records), [], 'a SKIPPED points at a PASSED (baseline)')
        assert.deepEqual(skipsPointingAtPassed(run.records), [], 'a SKIPPED points at a PASSED')
        assert.deepEqual(run.writes, [], 'no probe may get past the point where a real gateway writes')
        assert.deepEqual(leaks(run), [])
      })
    }

    // v1.9 gives IMPORT_EXPORT clients 7-day tokens by design: the release's own deviation, by the catalogue
    for (const mode of (['opencrvs', 'strict'] as const).filter((_, i) => mine(i) && !onlyRows)) {
      test(`v1.9 IMPORT_EXPORT client, ${mode} mode: JWT-LIFE-01 is the release's deviation, ${mode === 'strict' ? 'FAILED' : 'WARNING'}`, async () => {
        const importExport = {
          clientId: randomUUID(),
          secret: randomUUID(),
          type: 'IMPORT_EXPORT' as const,
          status: 'active' as const,
        }
        const emu = await startEmulator({ release: '1.9', clients: [...demoClients(), importExport] })
        try {
          const run = await gradeKitAgainst(emu, {
            CONFORMANCE_MODE: mode,
            OPENCRVS_IMPORT_EXPORT_CLIENT_ID: importExport.clientId,
            OPENCRVS_IMPORT_EXPORT_CLIENT_SECRET: importExport.secret,
          })
          const life = run.records.find((r) => r.id === 'JWT-LIFE-01')!
          assert.equal(life.verdict, mode === 'strict' ? 'FAILED' : 'WARNING', life.reason)
          assert.match(life.reason, /IMPORT_EXPORT: 604800 s \(7 days\)/)
        } finally {
          await emu.stop()
        }
      })
    }

    // the same, for faults put into collected evidence (selftest/evidence-faults.ts): nothing is sent while grading
    const collected = new Map<string, ReturnType<typeof collectKit>>()
    for (const [name, f] of Object.entries(EVIDENCE_FAULTS).filter(([n]) => evidenceHere.has(n))) {
      const expected = f.changes ?? {}
      test(`evidence fault: ${name} (v${f.release}) -> ${[f.fails.length ? `${f.fails.join(', ')} FAILED` : '', ...Object.entries(expected).map(([id, v]) => `${id} ${v}`)].filter(Boolean).join(', ')}, nothing else changes`, async () => {
        const key = JSON.stringify([f.release, f.opts ?? {}])
        let c = collected.get(key)
        if (!c) collected.set(key, (c = collectKit(f.release, [], f.opts ?? {})))
        const { runtime, snapshot } = await c
        const [base, run] = await Promise.all([regrade(runtime, snapshot), regrade(runtime, snapshot, f.mutate)])
        const failed = Object.values(run)
          .filter((x) => x.verdict === 'FAILED')
          .map((x) => x.id)
        const changed = Object.keys(base).filter(
          (id) => !f.fails.includes(id) && run[id]!.verdict !== base[id]!.verdict,
        )
        assert.deepEqual(
          failed.sort(),
          [...f.fails].sort(),
          Object.values(run)
            .filter((x) => x.verdict === 'FAILED')
            .map((x) => `${x.id}: ${x.reason}`)
            .join('\n'),
        )
        assert.deepEqual(
          changed
            .filter((id) => expected[id] !== run[id]!.verdict)
            .map((id) => `${id} ${base[id]!.verdict}->${run[id]!.verdict}: ${run[id]!.reason}`),
          [],
          'other verdicts changed',
        )
        assert.deepEqual(skipsPointingAtPassed(Object.values(run)), [], 'a SKIPPED points at a PASSED')
        // the verdicts the row names must be reached (a SKIPPED there is one a failed precondition may cause)
        for (const [id, verdict] of Object.entries(expected).filter(([, v]) => v !== 'SKIPPED'))
          assert.equal(run[id]!.verdict, verdict, `${id} expected ${verdict}: ${run[id]!.reason}`)
        assert.deepEqual(leaks({ output: JSON.stringify(run), secrets: [] }), [])
      })
    }
  })

  after(() => {
    const out = process.env.SELFTEST_MATRIX_FILE
    if (out) {
      writeFileSync(`${out}.rows-${shard}`, rows.join('\n'))
      writeFileSync(`${out}.sites-${shard}`, JSON.stringify([...reached]))
    } else console.log(rows.sort().join('\n'))
  })
}
