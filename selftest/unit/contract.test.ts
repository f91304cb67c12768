/**
 * The contract fingerprint and the upgrade comparison: how facts are described, how drift reads, and what
 * counts as a regression (met before, FAILED now; a check that did not run before is not one).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { compareReports } from '../../src/report/compare.ts'
import { failedSince, parseHistory, pointOf } from '../../src/report/history.ts'
import { contractDrift, describeSub, scopeFormat } from '../../src/report/contract.ts'
import { markdown } from '../../src/report/markdown.ts'
import { rateLimitLine, type ConformanceReport, type ResultEntry } from '../../src/report/model.ts'
import type { Verdict } from '../../src/requirements/catalogue.ts'

test('sub is described by its rule, never its value', () => {
  assert.equal(describeSub('0123456789abcdef01234567', 'client-a'), 'Mongo id (not the client_id)')
  assert.equal(describeSub('client-a', 'client-a'), 'client_id')
  assert.equal(describeSub('someone-else', 'client-a'), 'another id (not the client_id)')
  assert.match(describeSub(undefined, 'client-a'), /^not a non-empty string/)
})

test('scope formats of each release line are told apart', () => {
  assert.equal(scopeFormat(['recordsearch']), 'plain names (v1.x style)')
  assert.equal(scopeFormat(['type=record.search&event=birth,death']), 'type=<action>&<key>=<values> (v2.0 style)')
  assert.equal(
    scopeFormat(['notification-api', 'record.create[event=birth|death]']),
    'plain names + <scope>[<key>=<values>] (v1.9 style)',
  )
  assert.equal(scopeFormat([]), null)
})

test('drift reads item by item, with the integrator action only for facts both runs observed', () => {
  const drift = contractDrift(
    {
      'requestFormats.form': false,
      'jwt.aud.SEARCH': ['a', 'b', 'c'],
      'lifetime.SEARCH': 600,
      'errors.wrong-secret': '401 invalid_client',
      'jwt.iss': 'x',
    },
    {
      'requestFormats.form': true,
      'jwt.aud.SEARCH': ['a', 'd'],
      'lifetime.SEARCH': 3600,
      'errors.wrong-secret': '400 invalid_request',
    },
  )
  const text = drift.map((d) => d.text)
  assert.deepEqual(text, [
    'request formats: +form',
    'errors.wrong-secret: 401 invalid_client -> 400 invalid_request',
    'iss: x -> (not observed)',
    'aud (SEARCH): 3 -> 2 entries (-b, -c; +d)',
    'lifetime (SEARCH): 600 s -> 3600 s',
  ])
  assert.equal(drift.find((d) => d.key === 'jwt.iss')!.action, null, 'not observed is not an action')
  assert.match(drift.find((d) => d.key === 'lifetime.SEARCH')!.action!, /renew before the new exp/)
  assert.deepEqual(contractDrift({ a: [1, 2] }, { a: [1, 2] }), [])
})

function report(verdicts: Record<string, Verdict>, contract: Record<string, unknown> = {}): ConformanceReport {
  const totals = { PASSED: 0, FAILED: 0, WARNING: 0, REVIEW: 0, INFO: 0, SKIPPED: 0 }
  const results = Object.entries(verdicts).map(([id, verdict]) => {
    totals[verdict]++
    return {
      id,
      verdict,
      reason: `${id} is ${verdict}`,
      title: id,
      area: 'Token response',
      severity: { opencrvs: 'FAILED', strict: 'FAILED' },
      sources: [],
    } as ResultEntry
  })
  return {
    kit: { name: 'k', version: '0' },
    target: {
      tokenUrl: 'https://auth.example.org/token',
      tokenRoute: 'auth',
      version: 'v1.9',
      declared: 'auto',
      detectedFrom: [],
      identification: {
        profile: 'v1.9',
        confidence: 'medium',
        supporting: [],
        contradicting: [],
        newerThanProfiles: null,
      },
      mode: 'opencrvs',
      emulator: null,
    },
    startedAt: '2026-11-22T00:00:00Z',
    durationMs: 1,
    requests: {
      total: 1,
      token: 1,
      issued: 1,
      secretInUrl: 0,
      tokenInUrl: 0,
      rateLimited: 0,
      max: 150,
      budgetReached: false,
    },
    errors: [],
    totals,
    results,
    contract,
    clients: [],
  }
}

test('a regression is a requirement met before and FAILED now, listed first; SKIPPED -> FAILED is not one', () => {
  const c = compareReports(
    report({
      'TOKEN-RESP-03': 'PASSED',
      'TOKEN-ERR-02': 'WARNING',
      'JWT-EXP-01': 'SKIPPED',
      'JWT-HDR-02': 'FAILED',
      'TOKEN-RESP-01': 'PASSED',
    }),
    report({
      'TOKEN-RESP-03': 'FAILED',
      'TOKEN-ERR-02': 'FAILED',
      'JWT-EXP-01': 'FAILED',
      'JWT-HDR-02': 'PASSED',
      'TOKEN-RESP-01': 'PASSED',
    }),
  )
  assert.deepEqual(c.regressions.sort(), ['TOKEN-ERR-02', 'TOKEN-RESP-03'])
  const md = c.markdown
  assert.ok(md.indexOf('### Regressions') < md.indexOf('### FAILED now, not checked before'))
  assert.ok(md.indexOf('### FAILED now, not checked before') < md.indexOf('### Fixed'))
  assert.match(md, /\| JWT-EXP-01 \| SKIPPED -> FAILED \|/)
  assert.match(md, /\*\*2 requirement\(s\) regressed\.\*\*/)
  assert.doesNotMatch(md, /TOKEN-RESP-01/, 'unchanged verdicts are not listed')
  assert.deepEqual(compareReports(report({ A: 'PASSED' }), report({ A: 'PASSED' })).regressions, [])
})

test('lost coverage is a regression: met before and SKIPPED now (the gateway stopped answering) is listed and counted', () => {
  const c = compareReports(
    report({ 'GATEWAY-01': 'PASSED', 'DOOR-01': 'PASSED', 'JWT-EXP-01': 'SKIPPED' }),
    report({ 'GATEWAY-01': 'SKIPPED', 'DOOR-01': 'SKIPPED', 'JWT-EXP-01': 'SKIPPED' }),
  )
  assert.deepEqual(c.regressions.sort(), ['DOOR-01', 'GATEWAY-01'])
  assert.match(c.markdown, /### Lost coverage: met before, SKIPPED or not checked now \(2\)/)
  assert.match(c.markdown, /\*\*2 requirement\(s\) regressed \(2 of them no longer checked\)\.\*\*/)
  assert.doesNotMatch(c.markdown, /No requirement regressed/)
  // across an upgrade, a check the new release has nothing for is the release's change, not lost coverage
  const after = report({ 'DOOR-06': 'SKIPPED', 'DOOR-01': 'SKIPPED' })
  after.target.version = 'v2.0'
  after.results.find((r) => r.id === 'DOOR-01')!.reason = 'the positive control failed (see GATEWAY-01)'
  assert.deepEqual(compareReports(report({ 'DOOR-06': 'PASSED', 'DOOR-01': 'PASSED' }), after).regressions, ['DOOR-01'])
})

// issue 31 case 6: one target's release going backwards is a finding, not a header cell
test('a release that goes backwards on one target (v1.9 -> v1.7-v1.8) is named and counted as a regression', () => {
  const before = report({ 'PROFILE-01': 'INFO', 'JWT-CLM-04': 'PASSED' })
  before.target.version = 'v1.9'
  const after = report({ 'PROFILE-01': 'INFO', 'JWT-CLM-04': 'PASSED' })
  after.target.version = 'v1.7-v1.8'
  const c = compareReports(before, after)
  assert.deepEqual(c.regressions, ['PROFILE-01'])
  assert.match(c.markdown, /## The release went backwards/)
  assert.match(c.markdown, /was v1\.9 and is now v1\.7-v1\.8/)
  assert.doesNotMatch(c.markdown, /No requirement regressed/)
  // forwards (an upgrade), or another target, is no finding
  assert.deepEqual(compareReports(after, before).regressions, [])
  const elsewhere = structuredClone(after)
  elsewhere.target.tokenUrl = 'https://other.example/token'
  assert.deepEqual(compareReports(before, elsewhere).regressions, [])
})

test("an edge's rate limit is said once, first, as the edge's, with the checks it left without an answer", () => {
  const r = report({ 'TOKEN-RESP-01': 'PASSED', 'TOKEN-AUTH-02': 'SKIPPED' })
  r.requests.rateLimited = 7
  r.results.find((x) => x.id === 'TOKEN-AUTH-02')!.reason =
    'no answer to judge: POST … was refused for its rate 5 time(s) (HTTP 429)'
  assert.match(
    rateLimitLine(r)!,
    /^RATE LIMITED: an edge in front of the target answered 7 of 1 requests with 429[^\n]*1 check\(s\) still got no answer \(SKIPPED\)\. Not a finding about the deployment: set CONFORMANCE_MAX_RATE/,
  )
  assert.ok(markdown(r).indexOf('RATE LIMITED') < markdown(r).indexOf('**Totals:**'), 'first in the report')
  r.requests.rateLimited = 0
  assert.equal(rateLimitLine(r), null)
})

test('the comparison says since when each FAILED requirement has been FAILED, as far as the history goes', () => {
  const night = (day: string, verdicts: Record<string, Verdict>) => ({
    ...report(verdicts),
    startedAt: `2026-12-0${day}T02:30:00Z`,
  })
  const history = parseHistory(
    [
      JSON.stringify(pointOf(night('1', { 'TOKEN-RESP-03': 'PASSED', 'JWT-HDR-02': 'FAILED' }))),
      'not a history line',
      JSON.stringify(pointOf(night('2', { 'TOKEN-RESP-03': 'FAILED', 'JWT-HDR-02': 'FAILED' }))),
    ].join('\n'),
  )
  assert.equal(history.length, 2, 'a line that is not a point is left out')
  const before = night('3', { 'TOKEN-RESP-03': 'FAILED', 'JWT-HDR-02': 'FAILED' })
  const after = night('4', { 'TOKEN-RESP-03': 'FAILED', 'JWT-HDR-02': 'FAILED', 'JWT-CLM-01': 'FAILED' })
  const c = compareReports(before, after, history)
  assert.match(c.markdown, /\| TOKEN-RESP-03 \| 2026-12-02T02:30:00Z \| 3 \|/)
  assert.match(c.markdown, /\| JWT-HDR-02 \| at least 2026-12-01T02:30:00Z \| 4 \|/)
  assert.match(c.markdown, /\| JWT-CLM-01 \| 2026-12-04T02:30:00Z \| 1 \|/)
  assert.equal(c.points.length, 4, 'both runs added to the history, once')
  assert.equal(compareReports(before, after, c.points).points.length, 4)
  // without a history, the two runs are the history
  assert.match(compareReports(before, after).markdown, /\| TOKEN-RESP-03 \| at least 2026-12-03T02:30:00Z \| 2 \|/)
  assert.deepEqual(failedSince(c.points, 'https://elsewhere.example/token'), {}, 'another target has its own history')
})

// issue 31: compare never calls a dead run "no regression"
test('a checked run, then a NOT CHECKED run of the same target: every requirement met before is lost coverage', () => {
  const before = report({ 'TOKEN-RESP-03': 'PASSED', 'TOKEN-ERR-02': 'WARNING', 'JWT-HDR-02': 'FAILED' })
  const dead = report({})
  dead.stop = { verdict: 'NOT CHECKED', cause: 'unreachable', reason: 'Cannot reach the token endpoint.' }
  const c = compareReports(before, dead)
  assert.deepEqual(c.regressions.sort(), ['TOKEN-ERR-02', 'TOKEN-RESP-03'])
  assert.match(c.markdown, /The later run was NOT CHECKED \(unreachable\)/)
  assert.match(c.markdown, /Lost coverage: met before, SKIPPED or not checked now \(2\)/)
  assert.match(c.markdown, /\*\*2 requirement\(s\) regressed \(2 of them no longer checked\)\.\*\*/)
  assert.doesNotMatch(c.markdown, /No requirement regressed/)
})

test('a malformed conformance.json is named for what is wrong, never a TypeError', async () => {
  const { notAReport } = await import('../../src/report/compare.ts')
  const good = report({ 'TOKEN-RESP-03': 'PASSED' })
  assert.equal(notAReport(JSON.parse(JSON.stringify(good))), null)
  assert.match(notAReport({ ...good, results: [null] })!, /results\[0\] is null, not a result/)
  assert.match(notAReport({ ...good, results: [] })!, /an empty run: no result, and no stop/)
  assert.match(notAReport({ ...good, results: 'many' })!, /results is a string, not a list/)
  assert.match(notAReport({ ...good, totals: { ...good.totals, PASSED: '1' } })!, /totals\.PASSED is a string/)
  assert.match(notAReport({ ...good, target: { ...good.target, tokenUrl: 7 } })!, /target\.tokenUrl is a number/)
  assert.match(notAReport({ ...good, results: [{ id: 'X-01', verdict: 'GREAT', reason: '' }] })!, /no verdict/)
  assert.match(notAReport([])!, /a list, not an object/)
  assert.match(notAReport(null)!, /null, not an object/)
  // a NOT CHECKED run has no result, and says why: a conformance.json all the same
  assert.equal(notAReport({ ...good, results: [], stop: { verdict: 'NOT CHECKED', cause: 'x', reason: 'y' } }), null)
})

test('npm run compare on a malformed conformance.json: exit 2, "is not a conformance.json" naming what, no stack', async () => {
  const { spawnSync } = await import('node:child_process')
  const { mkdtempSync, writeFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(join(tmpdir(), 'compare-'))
  const good = join(dir, 'good.json')
  const bad = join(dir, 'bad.json')
  const dead = join(dir, 'dead.json')
  writeFileSync(good, JSON.stringify(report({ 'TOKEN-RESP-03': 'PASSED' })))
  writeFileSync(bad, JSON.stringify({ ...report({}), results: [null] }))
  const stopped = report({})
  stopped.stop = { verdict: 'NOT CHECKED', cause: 'unreachable', reason: 'Cannot reach it.' }
  writeFileSync(dead, JSON.stringify(stopped))
  const cli = fileURLToPath(new URL('../../src/cli/compare.ts', import.meta.url))
  const run = (a: string, b: string) =>
    spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), cli, a, b], { encoding: 'utf8' })
  const r = run(good, bad)
  assert.equal(r.status, 2, r.stderr)
  assert.match(
    r.stderr,
    /The after report .*bad\.json is not a conformance\.json: its results\[0\] is null, not a result\./,
  )
  assert.doesNotMatch(r.stderr + r.stdout, /TypeError|^\s+at /m)
  const d = run(good, dead)
  assert.equal(d.status, 1, `a dead run after a checked one is lost coverage\n${d.stdout}${d.stderr}`)
})

test('a conformance.json that lists one requirement twice is not one: its FAILED and its PASSED cannot both be read', async () => {
  const { notAReport } = await import('../../src/report/compare.ts')
  const good = report({ 'GATEWAY-01': 'FAILED' })
  const twice = { ...good, results: [...good.results, { ...good.results[0]!, verdict: 'PASSED' }] }
  assert.equal(notAReport(twice), 'duplicate id GATEWAY-01')
})

test('the demonstration against a deployment cannot be compared; an after run older than the before one is said first', async () => {
  const { cannotCompare } = await import('../../src/report/compare.ts')
  const deployment = report({ 'TOKEN-RESP-03': 'PASSED' })
  const demo = report({ 'TOKEN-RESP-03': 'PASSED' })
  demo.target.emulator = { release: 'v2.0', faults: [] }
  assert.match(cannotCompare(deployment, demo)!, /the after run is the bundled emulator's demonstration/)
  assert.match(cannotCompare(demo, deployment)!, /the before run is the bundled emulator's demonstration/)
  assert.equal(cannotCompare(demo, demo), null)
  assert.equal(cannotCompare(deployment, deployment), null)
  // an after run older than the before one is said first, plainly
  const later = { ...deployment, startedAt: '2026-11-23T00:00:00Z' }
  assert.doesNotMatch(compareReports(deployment, later).markdown, /older/)
  assert.match(
    compareReports(later, deployment).markdown,
    /\| Totals [^\n]*\n\n> The after run is older: it started 2026-11-22T00:00:00Z, before the before run \(2026-11-23T00:00:00Z\)/,
  )
})

test('npm run compare: mismatched runs, a duplicate id, or an --out/--history it cannot use: exit 2, one line, no stack', async () => {
  const { spawnSync } = await import('node:child_process')
  const { mkdtempSync, writeFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(join(tmpdir(), 'compare-'))
  const file = (name: string, r: unknown) => {
    writeFileSync(join(dir, name), JSON.stringify(r))
    return join(dir, name)
  }
  const good = file('a.json', report({ 'GATEWAY-01': 'FAILED' }))
  const demoReport = report({ 'GATEWAY-01': 'PASSED' })
  demoReport.target.emulator = { release: 'v2.0', faults: [] }
  const demo = file('demo.json', demoReport)
  const r0 = report({ 'GATEWAY-01': 'FAILED' })
  const dup = file('dup.json', { ...r0, results: [...r0.results, { ...r0.results[0]!, verdict: 'PASSED' }] })
  const cli = fileURLToPath(new URL('../../src/cli/compare.ts', import.meta.url))
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), cli, ...args], { encoding: 'utf8' })
  const cases: [string[], RegExp][] = [
    [[good, demo], /the after run is the bundled emulator's demonstration and the before run checked a deployment/],
    [[good, dup], /is not a conformance\.json: duplicate id GATEWAY-01\./],
    [
      [good, good, '--history', join(dir, 'nodir', 'h.jsonl')],
      /nodir.h\.jsonl cannot be used: its folder does not exist/,
    ],
    [[good, good, '--history', dir], /cannot be used: it is a folder, not a file/],
    [[good, good, '--out', '/nonexistent/x.md'], /\/nonexistent\/x\.md cannot be used: its folder does not exist/],
  ]
  for (const [args, said] of cases) {
    const r = run(...args)
    assert.equal(r.status, 2, `${args.join(' ')}\n${r.stdout}${r.stderr}`)
    assert.match(r.stderr, said)
    assert.doesNotMatch(r.stderr + r.stdout, /Error:|^\s+at /m)
    assert.equal(r.stdout, '', 'nothing is printed before the trouble is named')
  }
})

test("the run's duration covers its preparation: never shorter than a rate limit's wait during it", async () => {
  const { buildReport } = await import('../../src/report/model.ts')
  const { addRequests } = await import('../../src/http/index.ts')
  const prepared = Date.now() - 8_000 // the preparation began 8 s before the reporter did, waiting on a 429
  const runtime = {
    target: { tokenUrl: 'https://auth.example.org/token', tokenRoute: 'auth', mode: 'opencrvs' },
    profileId: '1.9',
    declared: 'auto',
    detected: '1.9',
    detectedFrom: [],
    conflicts: [],
    candidates: [],
    setupRequests: addRequests({ total: 3, token: 3, rateLimited: 1, resent: 1, waitedMs: 8_000 }),
    budget: { max: 60, spent: 3 },
    startedAt: new Date(prepared).toISOString(),
  } as unknown as Parameters<typeof buildReport>[1]
  const started = Date.now()
  const r = buildReport({ results: [], contract: {}, errors: [], budgetReached: false, started }, runtime)
  assert.ok(r.durationMs >= 8_000, `duration ${r.durationMs} ms is shorter than the 8 s waited`)
  assert.equal(r.startedAt, new Date(prepared).toISOString())
  assert.match(rateLimitLine(r)!, /waited 8 s in all/)
  // no preparation completed: the reporter's start is the run's
  const alone = buildReport({ results: [], contract: {}, errors: [], budgetReached: false, started }, undefined)
  assert.ok(alone.durationMs < 8_000)
})
