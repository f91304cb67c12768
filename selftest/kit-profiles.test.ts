/**
 * The kit against a correct emulator of every release line: no FAILED, the right line detected, exit 0, and no
 * secret or whole token in any file the run wrote or in its console output.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, test } from 'node:test'
import {
  allureDataFiles,
  filesUnder,
  gradeKit,
  gradeKitAgainst,
  leaks,
  runCli,
  runKit,
  runKitAgainst,
  runTool,
  unzipEntries,
  type GradedRun,
  type KitRun,
} from './harness.ts'
import { startEmulator } from '../emulator/server.ts'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KNOWN_CLIENT_IDS } from '../src/clients/catalogue.ts'
import type { ConformanceReport } from '../src/report/model.ts'

const LINES: Array<[string, string]> = [
  ['1.6', 'v1.3-v1.6'],
  ['1.8', 'v1.7-v1.8'],
  ['1.9', 'v1.9'],
  ['2.0', 'v2.0'],
]

/**
 * A whole run writing only conformance.json and .md, in one worker: for the tests that read nothing else. The runs
 * of each release line, the Allure report's and the default demo's write every report, and those are scanned.
 */
const LEAN = ['--workers=1', '--reporter=./src/report/conformance-reporter.ts']

/**
 * One whole run, every report written and scanned, shared by the Allure report test and the waivers test: v1.9
 * echoing secrets in its errors and putting one in its claims, with no Cache-Control and no typ, one waiver in force
 * and one expired, and the operator's lifecycle flow (rotated, deleted, re-enabled and retired secrets, old and new)
 * with the rotated client's old secret still working.
 */
let waived: Promise<KitRun> | undefined
const waivedRun = () => {
  if (waived) return waived
  const file = join(mkdtempSync(join(tmpdir(), 'waivers-')), 'waivers.json')
  writeFileSync(
    file,
    JSON.stringify({
      waivers: [
        { id: 'TOKEN-RESP-03', reason: 'proxy header fix scheduled', until: '2999-12-31' },
        { id: 'JWT-HDR-02', reason: 'old waiver', until: '2000-01-01' },
      ],
    }),
  )
  return (waived = runKit(
    '1.9',
    ['echo-secret', 'secret-in-claims', 'no-cache-control', 'typ-missing', 'rotation-keeps-old-secret'],
    { env: { CONFORMANCE_WAIVERS_FILE: file }, lifecycle: true },
  ))
}

/** A check's verdict record in a run graded in process. */
const recordOf = (run: GradedRun, id: string) => run.records.find((r) => r.id === id)!

/** One run per release line, shared by the tests that read its reports. */
const lineRuns = new Map<string, Promise<KitRun>>()
const lineRun = (release: string) => {
  let p = lineRuns.get(release)
  if (!p) lineRuns.set(release, (p = runKit(release)))
  return p
}

// whole runs are mostly waiting on their processes: three at a time
describe('the kit as its users run it', { concurrency: 3 }, () => {
  for (const [release, label] of LINES) {
    // v1.9 and v2.0 run whole (their reports are scanned, and compared below); v1.6 and v1.8 are graded in process
    const whole = release === '1.9' || release === '2.0'
    test(`kit against the v${release} emulator${whole ? '' : ' (graded in process)'}: no FAILED, ${label} detected, nothing leaked`, async () => {
      const run = whole ? await lineRun(release) : await gradeKit(release)
      const results = 'report' in run ? run.report.results : run.records
      const failed = results.filter((r) => r.verdict === 'FAILED')
      assert.deepEqual(
        failed.map((r) => `${r.id}: ${r.reason}`),
        [],
        run.output,
      )
      assert.equal('report' in run ? run.report.target.version : run.version, label)
      assert.equal(run.verdicts['PROFILE-01'], 'INFO')
      // the documentation errata and OpenCRVS's own RFC deviations are named WARNINGs, per release
      const v1 = release !== '2.0'
      const old = release === '1.6'
      const expected: Record<string, string> = {
        'TOKEN-DOCS-01': 'WARNING',
        'DOCS-01': 'WARNING',
        'DOCS-02': 'WARNING',
        'TOKEN-ERR-02': 'WARNING',
        'TOKEN-AUTH-07': 'WARNING',
        'TOKEN-AUTH-08': 'WARNING',
        'TOKEN-RESP-04': 'WARNING',
        'TOKEN-RESP-05': 'WARNING',
        'TOKEN-FMT-04': v1 ? 'WARNING' : 'PASSED',
        'TOKEN-ERR-03': old ? 'PASSED' : 'WARNING',
        'TOKEN-GRANT-03': old ? 'PASSED' : 'WARNING',
        'TOKEN-GRANT-04': old ? 'PASSED' : 'REVIEW',
        'JWT-EXP-01': 'SKIPPED',
        // v1.x has no unambiguous read-only record-search probe (transcripts: GraphQL validates before auth)
        'SCOPE-03': v1 ? 'REVIEW' : 'PASSED',
        // a genuinely signed wrong-audience token is only reachable in v1.x (/anonymous-token)
        'DOOR-06': v1 ? 'PASSED' : 'SKIPPED',
        // these profile runs are over plain http: the TLS checks say so
        'TLS-01': 'SKIPPED',
        'TLS-02': 'SKIPPED',
        'TLS-03': 'SKIPPED',
        'TLS-04': 'SKIPPED',
        'TLS-05': 'SKIPPED',
        'TLS-06': 'SKIPPED',
        // no lifecycle credentials configured: each says the operator step that would enable it
        'CLIENT-ROTATE-01': 'SKIPPED',
        'CLIENT-DELETE-01': 'SKIPPED',
        'CLIENT-REENABLE-01': 'SKIPPED',
        'CLIENT-RETIRED-01': 'SKIPPED',
        // v2.0 left the clients of auth.<domain> behind (OpenFn's adaptor among them): for a person to weigh
        'CLIENTS-01': v1 ? 'PASSED' : 'REVIEW',
      }
      for (const [id, verdict] of Object.entries(expected))
        assert.equal(run.verdicts[id], verdict, `${id} on v${release}`)
      for (const id of ['CLIENT-ROTATE-01', 'CLIENT-DELETE-01', 'CLIENT-REENABLE-01', 'CLIENT-RETIRED-01']) {
        assert.match(
          results.find((r) => r.id === id)!.reason,
          /^to check it: .*(OPENCRVS_ROTATED|OPENCRVS_DELETED|OPENCRVS_REENABLED|OPENCRVS_RETIRED)/,
          id,
        )
      }
      const others = results.filter((r) => !expected[r.id] && !['PASSED', 'INFO'].includes(r.verdict))
      assert.deepEqual(
        others.map((r) => `${r.id} ${r.verdict}: ${r.reason}`),
        [],
        'every other check PASSED or INFO',
      )
      // a real client secret goes into a URL only where the release reads credentials from nowhere else (v1.x)
      const secretInUrl = 'report' in run ? run.report.requests.secretInUrl : run.secretInUrl
      if (release === '2.0') assert.equal(secretInUrl, 0, 'no real secret in a URL where the release reads the body')
      // v1.x reads credentials only from the query string: each client's token (notification, search, the deactivated
      // client's refusal), the second token JWT-FRESH-01 compares, and the duplicated client_id probe; no other
      else assert.equal(secretInUrl, 5, 'v1.x: a real secret in a URL only where nothing else can do')
      // a live access token never: DOOR-08 proves its point with a token whose signature no verifier accepts
      assert.equal(
        'report' in run ? run.report.requests.tokenInUrl : run.tokenInUrl,
        0,
        'no live access token in any URL',
      )
      assert.deepEqual(leaks(run), [])
      assert.deepEqual(run.writes, [], 'no probe may get past the point where a real gateway writes')
      if (!('report' in run)) return
      // a whole run and the in-process grading the fault matrix relies on agree on every verdict
      assert.deepEqual(run.verdicts, (await gradeKit(release)).verdicts, 'whole run and in-process grading')
      assert.equal(run.code, 0, run.output)
      assert.ok(run.report.requests.total > 0 && run.report.requests.token > 0, 'requests counted')
      assert.match(run.output, /Conformance summary/)
      const files = filesUnder(run.reportDir).map((f) => f.slice(run.reportDir.length + 1))
      for (const expected of ['conformance.json', 'conformance.md', 'conformance.html', 'junit.xml', 'html/index.html'])
        assert.ok(files.includes(expected), `${expected} written`)
      assert.ok(
        files.some((f) => f.startsWith('allure-results/')),
        'allure results written',
      )
      // the scan really reads the HTML report's embedded data: the check titles are in there
      const html = readFileSync(join(run.reportDir, 'html/index.html'), 'utf8')
      const embedded = /data:application\/zip;base64,([A-Za-z0-9+/=]+)/.exec(html)
      assert.ok(embedded, 'the HTML report embeds its data')
      assert.match(
        unzipEntries(Buffer.from(embedded[1]!, 'base64'))
          .map((e) => e.text)
          .join('\n'),
        /TOKEN-RESP-03/,
      )
      // every known client judged, each with its request as replayed (dummy credentials only) and the next release
      const clients = run.report.clients
      assert.deepEqual(clients.map((c) => c.id).sort(), [...KNOWN_CLIENT_IDS].sort())
      for (const c of clients) {
        assert.ok(c.name && c.versions && c.source && c.request && c.reason && c.nextRelease, `${c.id}: every field`)
        assert.match(c.request, /client_id|<dummy>/, c.id)
      }
      const openfn = clients.find((c) => c.id === 'openfn-adaptor')!
      assert.match(
        openfn.request,
        /^POST https?:\/\/auth\.opencrvs\.test\/token\?grant_type=client_credentials&client_secret=<dummy>&client_id=<dummy> \[accept: \*\/\*\] \[content-type: application\/json\] \(no body\)$/,
      )
      if (release === '1.9') {
        assert.equal(openfn.works, true, openfn.reason)
        assert.match(openfn.nextRelease, /on v2\.0: no token \(v2\.0 no longer publishes auth\.<domain>/)
      } else {
        assert.equal(openfn.works, false)
        assert.match(openfn.reason, /auth\.opencrvs\.test\/token answered HTTP 404 text\/plain "404 page not found"/)
        assert.match(openfn.fix!, /route auth\.<domain>\/token to the gateway's \/auth\/token/)
        assert.match(
          clients.find((c) => c.id === 'postman-v2')!.nextRelease,
          /on v2\.1 \(preview\) where NODE_ENV is not production: 400 invalid_request/,
        )
      }
      const md = readFileSync(join(run.reportDir, 'conformance.md'), 'utf8')
      assert.match(md, /## Integration clients[\s\S]*OpenFn's OpenCRVS adaptor/)
      // once: as CLIENTS-01's finding when it is one, else as the clients' line
      assert.equal(run.output.match(/\d+ of 13 clients get a token here/g)?.length, 1, run.output)
    })
  }

  test('a country that depends on a client makes "no token" FAILED (CONFORMANCE_REQUIRED_CLIENTS); outside production, v2.1 breaks the query-string clients', async () => {
    const required = await gradeKit('2.0', [], { env: { CONFORMANCE_REQUIRED_CLIENTS: 'openfn-adaptor' } })
    assert.equal(required.verdicts['CLIENTS-01'], 'FAILED')
    assert.match(
      recordOf(required, 'CLIENTS-01').reason,
      /required by this country \(CONFORMANCE_REQUIRED_CLIENTS\): OpenFn's OpenCRVS adaptor/,
    )
    assert.deepEqual(
      required.records.filter((r) => r.verdict === 'FAILED').map((r) => r.id),
      ['CLIENTS-01'],
    )
    const dev = await gradeKit('2.1', ['node-env-development'], { gatewayOnly: true })
    const c = recordOf(dev, 'CLIENTS-01')
    assert.equal(c.verdict, 'REVIEW', c.reason)
    for (const name of [
      'Postman collection, "Authenticate" \\(v2\\.0',
      'farajaland e2e getClientToken \\(v2\\.0\\)',
      'government-portal',
    ])
      assert.match(c.detail!, new RegExp(`${name}[^\\n]*: no token: [^\\n]*NODE_ENV is not production`))
    assert.match(c.detail!, /MOSIP-31735, JSON body only\) MOSIP-31735: gets a token/)
  })

  /**
   * The configuration the v2.0 docs give integrators, and the v1.9 gateway in the same role: only the gateway
   * (its /auth/token) and the public key as a file. What the gateway's token proxy does to every answer is the
   * release's own, a named WARNING on the success and error answers alike (FAILED in strict mode); v1.9's official
   * docker-swarm edge does not restore no-store either, while v2.0's Helm ingress does.
   */
  for (const [release, mode] of [
    ['2.0', 'opencrvs'],
    ['1.9', 'opencrvs'],
    ['2.0', 'strict'],
  ] as const) {
    test(`gateway only (the v2.0 docs' configuration), v${release}, ${mode} mode: the proxy's headers are the release's, named; the probes pass`, async () => {
      const run = await gradeKit(release, [], { gatewayOnly: true, env: { CONFORMANCE_MODE: mode } })
      const reason = (id: string) => recordOf(run, id).reason
      const proxied =
        release === '1.9' ? ['TOKEN-RESP-02', 'TOKEN-ERR-01', 'TOKEN-RESP-03'] : ['TOKEN-RESP-02', 'TOKEN-ERR-01']
      for (const id of proxied) {
        assert.equal(run.verdicts[id], mode === 'strict' ? 'FAILED' : 'WARNING', `${id}: ${reason(id)}`)
        assert.match(reason(id), /imposed by the OpenCRVS gateway's \/auth\/token proxy/, id)
      }
      if (release === '2.0')
        for (const id of ['TOKEN-RESP-03', 'TOKEN-RESP-04'])
          assert.equal(run.verdicts[id], 'PASSED', `${id}: the Helm ingress sets it`)
      for (const id of [
        'GATEWAY-01',
        'SCOPE-01',
        'SCOPE-02',
        'DOOR-01',
        'DOOR-03',
        'DOOR-05',
        'JWT-SIG-01',
        'TOKEN-FMT-01',
      ])
        assert.equal(run.verdicts[id], 'PASSED', `${id}: ${reason(id)}`)
      assert.equal(run.verdicts['SCOPE-03'], release === '2.0' ? 'PASSED' : 'REVIEW')
      assert.equal(run.version, release === '2.0' ? 'v2.0' : 'v1.9')
      if (mode === 'opencrvs')
        assert.deepEqual(
          run.records.filter((r) => r.verdict === 'FAILED').map((r) => `${r.id}: ${r.reason}`),
          [],
        )
      assert.deepEqual(leaks(run), [])
      assert.deepEqual(run.writes, [], 'no probe may get past the point where a real service writes')
    })
  }

  /**
   * The release after v2.0, as merged on OpenCRVS develop (../shared/reference/opencrvs-after-v2.0.md), in the
   * configuration v2 integrators run (the gateway only): production and non-production builds.
   */
  for (const faults of [[], ['node-env-development']]) {
    test(`the 2.1 preview${faults.length ? ' outside production' : ' in production'}: identified as v2.1 (preview) with its evidence, no FAILED${faults.length ? ', the query-string refusal a named WARNING' : ''}`, async () => {
      // outside production as a whole run (its identification is the report's); in production graded in process
      const whole = faults.length ? await runKit('2.1', faults, { gatewayOnly: true, args: LEAN }) : undefined
      const run = whole ?? (await gradeKit('2.1', faults, { gatewayOnly: true }))
      const results = whole ? whole.report.results : (run as GradedRun).records
      const reason = (id: string) => results.find((r) => r.id === id)!.reason
      assert.equal(whole ? whole.report.target.version : (run as GradedRun).version, 'v2.1 (preview)')
      assert.match(reason('PROFILE-01'), /detected v2\.1 \(preview\).*not from a tagged release/)
      if (whole) {
        const id = whole.report.target.identification
        assert.equal(id.confidence, 'high', JSON.stringify(id))
        assert.ok(
          id.supporting.some((s) => /token-exchange grant is refused as unsupported/.test(s)) &&
            id.supporting.some((s) => /X-Version header says 2\.1/.test(s)),
          JSON.stringify(id),
        )
        assert.equal(whole.code, 0, whole.output)
      }
      assert.deepEqual(
        results.filter((r) => r.verdict === 'FAILED').map((r) => `${r.id}: ${r.reason}`),
        [],
      )
      assert.equal(run.verdicts['TOKEN-GRANT-04'], 'PASSED', reason('TOKEN-GRANT-04'))
      assert.equal(run.verdicts['TOKEN-FMT-01'], faults.length ? 'WARNING' : 'PASSED', reason('TOKEN-FMT-01'))
      if (faults.length)
        assert.match(reason('TOKEN-FMT-01'), /refuses OAuth parameters in the URL where NODE_ENV is not production/)
      assert.equal(whole ? whole.report.requests.secretInUrl : (run as GradedRun).secretInUrl, 0)
      assert.deepEqual(leaks(run), [])
    })
  }

  test('a release newer than every profile: said first, judged against the newest, each difference REVIEW, never FAILED', async () => {
    const run = await gradeKit('2.1', ['lifetime-3600'], { gatewayOnly: true, xVersion: '2.2.0' })
    assert.match(
      run.output.split('\n').slice(0, 4).join('\n'),
      /NEWER RELEASE: the gateway says X-Version 2\.2\.0, newer than every release this kit has a profile for/,
    )
    assert.equal(run.verdicts['PROFILE-01'], 'REVIEW')
    assert.equal(
      run.verdicts['JWT-LIFE-01'],
      'REVIEW',
      'a 3600 s lifetime on a newer release is for a person to review',
    )
    assert.match(
      recordOf(run, 'JWT-LIFE-01').reason,
      /^release 2\.2\.0 is newer than the kit's newest profile \(v2\.1 \(preview\)\)/,
    )
    assert.deepEqual(
      Object.entries(run.verdicts).filter(([, v]) => v === 'FAILED'),
      [],
    )
  })

  test('a declared release the deployment contradicts: said first, PROFILE-01 names it, the findings point at it, no secret in a URL', async () => {
    const run = await gradeKit('2.0', [], { env: { OPENCRVS_VERSION: '1.9' } })
    assert.match(
      run.output.split('\n')[0]!,
      /^WRONG RELEASE DECLARED: OPENCRVS_VERSION says 1\.9 but the deployment behaves as v2\.0: fix OPENCRVS_VERSION/,
    )
    assert.equal(run.verdicts['PROFILE-01'], 'REVIEW')
    assert.match(recordOf(run, 'PROFILE-01').reason, /^OPENCRVS_VERSION says 1\.9 but the deployment behaves as v2\.0/)
    const failed = run.records.filter((r) => r.verdict === 'FAILED')
    assert.ok(failed.length > 0)
    for (const r of failed) assert.match(r.reason, /^OPENCRVS_VERSION says 1\.9 but .*see PROFILE-01/, r.id)
    // the body issued a token in identification: the endpoint reads it, so no real secret rides in a URL
    assert.equal(run.secretInUrl, 0)
    assert.deepEqual(leaks(run), [])
  })

  test('npm run compare between the v1.9 and v2.0 runs names the drift integrators must plan for', async () => {
    const [before, after] = await Promise.all([lineRun('1.9'), lineRun('2.0')])
    const { code, output } = await runTool('compare', {}, [
      join(before.reportDir, 'conformance.json'),
      join(after.reportDir, 'conformance.json'),
    ])
    assert.equal(code, 0, output) // v1.9 -> v2.0 regresses nothing on a correct emulator
    for (const drift of [
      /release: v1\.9 -> v2\.0/,
      /request formats: \+form/,
      /request formats: \+json/,
      /sub \(NOTIFICATION\): Mongo id \(not the client_id\) -> client_id/,
      /scopes \(SEARCH\): scope format plain names \(v1\.x style\) -> type=<action>&<key>=<values> \(v2\.0 style\)/,
      /aud \(NOTIFICATION\): 13 -> 6 entries \(-opencrvs:hearth-user, [^)]*\+opencrvs:events-user\)/,
      /## What integrators must change[\s\S]*validate aud[\s\S]*must be re-keyed/,
      /TOKEN-FMT-04 \| WARNING -> PASSED/,
      // upgrade readiness: what the release after v2.0 changes for integrators
      /- before v2\.1 .*: OAuth parameters in the query string get 400 invalid_request wherever NODE_ENV is not production/,
      /- before v2\.1 .*: the token-exchange grant .* is removed/,
    ])
      assert.match(output, drift)
    assert.match(output, /\*\*No requirement regressed\.\*\*/)
    // the upgrade's headline for integrators: OpenFn's adaptor got a token on v1.9 and gets none on v2.0
    assert.match(
      output,
      /## Integration clients that no longer get a token \(\d+\)[\s\S]*OpenFn's OpenCRVS adaptor[^\n]*auth\.opencrvs\.test\/token answered HTTP 404/,
    )
    // the other way round, v2.0 -> v1.9, a query-only release drops the body formats
    const back = await runTool('compare', {}, [
      join(after.reportDir, 'conformance.json'),
      join(before.reportDir, 'conformance.json'),
    ])
    assert.match(back.output, /request formats: -form[\s\S]*must move to a format the new release reads/)
    const bad = await runTool('compare', {}, [
      join(before.reportDir, 'conformance.json'),
      join(before.reportDir, 'junit.xml'),
    ])
    assert.equal(bad.code, 2)
    assert.match(bad.output, /junit\.xml is not JSON[\s\S]*Usage: npm run compare/)
  })

  // issue 31: a fragment of a secret is a secret; the output boundary redacts it everywhere a target's text is written
  test('a deployment that echoes half of each submitted secret: TOKEN-AUTH-06 FAILED, and no report holds 8 of its characters', async () => {
    const run = await runKit('2.0', ['echo-secret-half'])
    assert.equal(run.verdicts['TOKEN-AUTH-06'], 'FAILED', run.output)
    assert.match(
      run.report.results.find((r) => r.id === 'TOKEN-AUTH-06')!.reason,
      /a run of 8 or more of its characters/,
    )
    assert.ok(existsSync(join(run.reportDir, 'html/index.html')) && existsSync(join(run.reportDir, 'allure-results')))
    assert.deepEqual(leaks(run), [])
  })

  test('npm run report renders one offline Allure HTML file, each check labelled with its verdict, leaking nothing', async () => {
    // a deployment that echoes secrets in its errors and puts one in its tokens: the evidence the report embeds must still hold none
    const run = await waivedRun()
    assert.deepEqual(
      Object.entries(run.verdicts)
        .filter(([, v]) => v === 'FAILED')
        .map(([id]) => id)
        .sort(),
      ['CLIENT-ROTATE-01', 'JWT-CLM-08', 'JWT-HDR-02', 'TOKEN-AUTH-06'],
    )
    assert.ok(run.secrets.length >= 9, 'old, new and retired secrets are all scanned for')
    // the verdict as itself in both HTML reports: Allure's status, and a tag beside the title in Playwright's list
    // (both rely on an API their package does not export: this is the alarm when an upgrade takes it away)
    const statuses = new Map<string, string>()
    for (const f of readdirSync(join(run.reportDir, 'allure-results')).filter((x) => x.endsWith('-result.json'))) {
      const r = JSON.parse(readFileSync(join(run.reportDir, 'allure-results', f), 'utf8')) as {
        status: string
        labels: { name: string; value: string }[]
      }
      const verdict = r.labels.find((l) => l.name === 'verdict')?.value
      if (verdict) statuses.set(verdict, r.status)
    }
    assert.deepEqual(Object.fromEntries(statuses), {
      PASSED: 'passed',
      FAILED: 'failed',
      WARNING: 'broken',
      REVIEW: 'broken',
      INFO: 'unknown',
      SKIPPED: 'skipped',
    })
    const playwrightHtml = readFileSync(join(run.reportDir, 'html/index.html'), 'utf8')
    const zip = /data:application\/zip;base64,([A-Za-z0-9+/=]+)/.exec(playwrightHtml)![1]!
    const entries = unzipEntries(Buffer.from(zip, 'base64')).map((e) => e.text)
    const tests = entries.flatMap((t) => (JSON.parse(t) as { tests?: { title: string; tags: string[] }[] }).tests ?? [])
    // each check's verdict tag is its verdict's (a PASSED has none); declared tags such as @probe stay
    const verdictTags = /^@(FAILED|WARNING|REVIEW|INFO|SKIPPED|PASSED)$/
    const wrong = Object.entries(run.verdicts).filter(([id, v]) => {
      const tags = tests.find((t) => t.title.startsWith(`${id} `))?.tags ?? ['(no test)']
      return JSON.stringify(tags.filter((t) => verdictTags.test(t))) !== JSON.stringify(v === 'PASSED' ? [] : [`@${v}`])
    })
    assert.deepEqual(wrong, [], 'verdict tags in the Playwright HTML report')
    assert.ok(Object.values(run.verdicts).includes('WARNING') && Object.values(run.verdicts).includes('PASSED'))
    const report = JSON.parse(entries.find((t) => t.includes('"stats"'))!) as { options?: { title?: string } }
    assert.match(report.options?.title ?? '', /^OpenCRVS token conformance \(v1\.9\): 4 FAILED · \d+ WARNING/)
    const { code, output } = await runTool('report', { CONFORMANCE_REPORT_DIR: run.reportDir })
    assert.equal(code, 0, output)
    const html = readFileSync(join(run.reportDir, 'allure-report/index.html'), 'utf8')
    assert.doesNotMatch(html, /googletagmanager|gtag\(/, 'no analytics call home')
    assert.deepEqual(
      [...html.matchAll(/<(?:script|link|img)\b[^>]*\b(?:src|href)="(https?:[^"]+)"/g)].map((m) => m[1]),
      [],
      'nothing loaded from the network',
    )
    const data = allureDataFiles(html)
      .map((e) => e.text)
      .join('\n')
    for (const label of [
      '{"name":"ALLURE_ID","value":"TOKEN-FMT-04"}',
      '"name":"verdict","value":"WARNING"',
      '"name":"verdict","value":"REVIEW"',
      '"name":"verdict","value":"FAILED"',
      '"name":"epic","value":"Token endpoint"',
    ]) {
      assert.ok(data.includes(label), `the report data holds ${label}`)
    }
    assert.match(data, /WARNING: a named deviation/, 'the WARNING category is in the report')
    const history = readFileSync(join(run.reportDir, 'allure-history.jsonl'), 'utf8').trim().split('\n')
    assert.equal(history.length, 1, 'the report appended this run to the Allure history')
    assert.match(history[0]!, /TOKEN-FMT-04/)
    assert.deepEqual(leaks(run), [], 'the Allure report, embedded data decoded, leaks nothing')
    const none = await runTool('report', { CONFORMANCE_REPORT_DIR: mkdtempSync(join(tmpdir(), 'empty-')) })
    assert.equal(none.code, 2)
    assert.match(none.output, /No Allure results in .*run the checks first \(npm run conformance\)/)
  })

  test('chosen from signals the checks grade, the release is REVIEW, and a genuine behaviour of a line not ruled out is never FAILED', async () => {
    // a real v1.8 answering invalid_request for an empty request, seen with the search client only and no gateway:
    // the token-exchange answer (asked on every line) says v1.7-v1.8, so the empty request's code, which
    // TOKEN-GRANT-02 grades, is the deviation; without that answer (what TOKEN-GRANT-04 grades) the code would pick
    // v1.3-v1.6, which the rest does not rule out: v1.8's token-exchange grant is then REVIEW, never FAILED
    const run = await gradeKit('1.8', ['missing-grant-type-invalid-request'], {
      env: { OPENCRVS_GATEWAY_URL: '', OPENCRVS_NOTIFICATION_CLIENT_ID: '', OPENCRVS_NOTIFICATION_CLIENT_SECRET: '' },
    })
    assert.equal(run.version, 'v1.7-v1.8')
    assert.equal(run.verdicts['PROFILE-01'], 'REVIEW')
    assert.match(recordOf(run, 'PROFILE-01').reason, /1 signal\(s\) against v1\.7-v1\.8/)
    assert.deepEqual(
      run.records.filter((r) => r.verdict === 'FAILED').map((r) => r.id),
      ['TOKEN-GRANT-02'],
    )
    assert.equal(run.verdicts['TOKEN-GRANT-04'], 'REVIEW')
    assert.match(recordOf(run, 'TOKEN-GRANT-04').reason, /This is what v1\.7-v1\.8 does/)
    assert.match(
      recordOf(run, 'TOKEN-GRANT-04').reason,
      /judged against v1\.3-v1\.6, the release the evidence other than the token-exchange answer identifies/,
    )
  })

  test('with no client configured no rule about tokens PASSES (nothing vacuous over an empty list of tokens)', async () => {
    const none = Object.fromEntries(
      ['NOTIFICATION', 'SEARCH', 'DEACTIVATED'].flatMap((t) => [
        [`OPENCRVS_${t}_CLIENT_ID`, ''],
        [`OPENCRVS_${t}_CLIENT_SECRET`, ''],
      ]),
    )
    const run = await gradeKit('2.0', [], { env: none })
    // the published key and the recorded clients of the country are judged without a configured client
    const passed = run.records.filter((r) => r.verdict === 'PASSED').map((r) => r.id)
    assert.deepEqual(
      passed.filter((id) => !['JWT-KEY-01', 'CLIENTS-01'].includes(id)),
      [],
    )
    assert.equal(run.verdicts['JWT-SIG-01'], 'SKIPPED')
    assert.match(recordOf(run, 'JWT-SIG-01').reason, /^no token to verify/)
  })

  test('with no deployment configured the kit checks the bundled emulator and says so', async () => {
    const reportDir = mkdtempSync(join(tmpdir(), 'kit-run-'))
    const { code, output } = await runCli({ CONFORMANCE_REPORT_DIR: reportDir })
    assert.equal(code, 0, output)
    assert.match(
      output.split('\n').slice(0, 3).join('\n'),
      /No deployment configured[\s\S]*bundled OpenCRVS emulator, release 2\.0, in the v2\.0 topology: the gateway only \(token at https:\/\/127\.0\.0\.1:\d+\/auth\/token, behind the official Helm ingress headers/,
    )
    assert.match(output, /0 FAILED/)
    // the content type the gateway proxy imposes, named on the success and the error answers
    assert.match(output, /WARNING TOKEN-RESP-02 .*imposed by the OpenCRVS gateway's \/auth\/token proxy/)
    assert.match(output, /WARNING TOKEN-ERR-01 .*imposed by the OpenCRVS gateway's \/auth\/token proxy/)
    assert.match(output, /Target: https:\/\/127\.0\.0\.1:\d+\/auth\/token \| mode opencrvs \| release v2\.0/)
    assert.match(
      output,
      /Upgrade readiness \(what the releases after v2\.0 change for integrators, in order\):\n {2}No tagged release after v2\.0 yet; merged: v2\.1 .*:\n {4}- OAuth parameters in the query string/,
    )
    // a demonstration says so at the top of the summary and beside the verdict, and at the top of the reports
    assert.match(output, /\nDemonstration: not a verdict on any deployment\.[^\n]*\nConformance summary/)
    assert.match(output, /\nDemonstration: not a verdict on any deployment\.[^\n]*\nVerdict:/)
    assert.match(
      readFileSync(join(reportDir, 'conformance.md'), 'utf8'),
      /^# [^\n]*\n\n> \*\*Demonstration: not a verdict on any deployment\.\*\*/,
    )
    // DOOR-08 as redacted: its title whole, its evidence three requests each on its own lines, its result what differed
    const door = (
      JSON.parse(readFileSync(join(reportDir, 'conformance.json'), 'utf8')) as ConformanceReport
    ).results.find((x) => x.id === 'DOOR-08')!
    assert.equal(door.title, 'The gateway does not accept a token in the URL (?access_token=)')
    assert.equal(door.detail?.match(/^POST /gm)?.length, 3, door.detail)
    assert.match(door.reason, /another answer \((?:both HTTP \d+; [a-zA-Z -]+ differ|HTTP \d+, not \d+)\)/)
  })

  /**
   * npm run conformance prepares the run while Playwright starts (src/runtime/early.ts); Playwright run by itself
   * (npx playwright test, an editor's test explorer) prepares it in global setup, collecting in a process of its own.
   */
  test('run by Playwright itself (npx playwright test), global setup prepares the run, and it grades as npm run conformance does', async () => {
    const run = await runKit('2.0', [], { args: LEAN, direct: true })
    assert.equal(run.code, 0, run.output)
    assert.match(run.output, /Target: http:\/\/127\.0\.0\.1:\d+\/token \| mode opencrvs \| release v2\.0/)
    assert.deepEqual(run.verdicts, (await gradeKit('2.0')).verdicts, 'direct run and in-process grading')
    assert.ok(run.report.requests.total > 0 && run.report.requests.token > 0, 'requests counted')
    assert.deepEqual(leaks(run), [])
  })

  test("npm run conformance -- --list lists the kit's checks, started from any folder, and sends nothing", async () => {
    const emu = await startEmulator({ release: '2.0' })
    // started from another folder that holds a test file of its own: the kit's checks are listed, never that file
    const elsewhere = mkdtempSync(join(tmpdir(), 'elsewhere-'))
    writeFileSync(
      join(elsewhere, 'decoy.spec.ts'),
      "import { test } from '@playwright/test'\ntest('DECOY', () => {})\n",
    )
    try {
      const run = await runCli(
        {
          OPENCRVS_AUTH_URL: emu.url,
          CONFORMANCE_ALLOW_HTTP: 'true',
          CONFORMANCE_REPORT_DIR: mkdtempSync(join(tmpdir(), 'kit-run-')),
        },
        ['--list'],
        elsewhere,
      )
      assert.match(run.output, /Total: \d+ tests? in \d+ files?/)
      assert.match(run.output, /TOKEN-FMT-01/)
      assert.doesNotMatch(run.output, /DECOY/)
      // a listing is no run that ended without its report: Playwright's exit code, nothing said after its list
      assert.equal(run.code, 0, run.output)
      assert.doesNotMatch(run.output, /ended without a report/)
      assert.equal(emu.requestCount(), 0, 'a listing sends no request')
    } finally {
      await emu.stop()
    }
  })

  test('configuration errors exit 2 before any request, naming the variable', async () => {
    for (const [env, variable] of [
      [{ OPENCRVS_AUTH_URL: 'not-a-url' }, 'OPENCRVS_AUTH_URL'],
      [{ OPENCRVS_AUTH_URL: 'http://127.0.0.1:9' }, 'OPENCRVS_AUTH_URL'],
      [{ OPENCRVS_VERSION: '9.9' }, 'OPENCRVS_VERSION'],
      [{ CONFORMANCE_MODE: 'loose' }, 'CONFORMANCE_MODE'],
      [
        { OPENCRVS_AUTH_URL: 'https://auth.example.org', OPENCRVS_SEARCH_CLIENT_SECRET: 'x-secret-x' },
        'OPENCRVS_SEARCH_CLIENT_ID',
      ],
    ] as Array<[Record<string, string>, string]>) {
      const { code, output } = await runCli(env)
      assert.equal(code, 2, output)
      assert.match(output, new RegExp(`Configuration error in ${variable}`))
      assert.doesNotMatch(output, /x-secret-x/)
      assert.doesNotMatch(output, /Running \d+ test/)
    }
  })

  // issue 32: every run writes the sign-off page, a configuration error's too; a misspelt name is named as written
  test('a configuration error writes conformance.html, .md and .json: NOT CHECKED, the variable, what to write, nothing secret', async () => {
    const secret = randomUUID()
    const reportDir = mkdtempSync(join(tmpdir(), 'config-error-'))
    writeFileSync(join(reportDir, 'conformance.html'), 'last run')
    writeFileSync(join(reportDir, 'junit.xml'), '<testsuites tests="1" failures="0"/>')
    for (const d of ['html', 'allure-results']) mkdirSync(join(reportDir, d))
    writeFileSync(join(reportDir, 'allure-results', 'last-result.json'), '{}')
    const { code, output } = await runCli({
      OPENCRVS_GATEWAY_ULR: 'https://gateway.example.org',
      OPENCRVS_NOTIFICATION_CLIENT_ID: randomUUID(),
      OPENCRVS_NOTIFICATION_CLIENT_SECRET: secret,
      CONFORMANCE_REPORT_DIR: reportDir,
    })
    assert.equal(code, 2, output)
    assert.match(output, /Configuration error in OPENCRVS_GATEWAY_ULR[\s\S]*Did you mean OPENCRVS_GATEWAY_URL\?/)
    assert.doesNotMatch(output, /No deployment configured|Running \d+ test/, 'never the emulator instead')
    const json = JSON.parse(readFileSync(join(reportDir, 'conformance.json'), 'utf8')) as KitRun['report']
    assert.equal(json.stop?.verdict, 'NOT CHECKED')
    assert.equal(json.stop?.cause, 'configuration')
    assert.deepEqual(json.results, [])
    for (const f of ['conformance.html', 'conformance.md', 'conformance.json', 'junit.xml']) {
      const text = readFileSync(join(reportDir, f), 'utf8')
      assert.match(text, /NOT CHECKED/, f)
      assert.match(text, /OPENCRVS_GATEWAY_ULR/, f)
      assert.match(text, /Did you mean OPENCRVS_GATEWAY_URL\?/, f)
    }
    // the last run's Playwright and Allure reports are gone: neither CI nor npm run report takes them for this run
    for (const d of ['html', 'allure-results'])
      assert.ok(!existsSync(join(reportDir, d)), `${d} left from the last run`)
    assert.match(readFileSync(join(reportDir, 'junit.xml'), 'utf8'), /<error message="NOT CHECKED/)
    assert.deepEqual(leaks({ output, secrets: [secret], reportDir }), [])
  })

  test('a configuration error in CONFORMANCE_REPORT_DIR itself writes the page to the default folder, reports, and says so', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'config-error-cwd-'))
    writeFileSync(join(cwd, 'not-a-folder'), 'a file')
    const { code, output } = await runCli({ CONFORMANCE_REPORT_DIR: 'not-a-folder' }, [], cwd)
    assert.equal(code, 2, output)
    assert.match(output, /Configuration error in CONFORMANCE_REPORT_DIR/)
    assert.match(output, /in the default folder, reports, since CONFORMANCE_REPORT_DIR itself is at fault/)
    assert.match(readFileSync(join(cwd, 'reports', 'conformance.html'), 'utf8'), /CONFORMANCE_REPORT_DIR/)
  })

  test('waivers: a waived FAILED is a WARNING; an expired waiver leaves FAILED', async () => {
    const run = await waivedRun()
    assert.equal(run.verdicts['TOKEN-RESP-03'], 'WARNING')
    assert.match(
      run.report.results.find((r) => r.id === 'TOKEN-RESP-03')!.reason,
      /^waived: proxy header fix scheduled \(until 2999-12-31\)/,
    )
    assert.equal(run.verdicts['JWT-HDR-02'], 'FAILED')
    assert.match(run.report.results.find((r) => r.id === 'JWT-HDR-02')!.reason, /waiver expired on 2000-01-01/)
    assert.equal(run.code, 1)
    assert.match(
      readFileSync(join(run.reportDir, 'conformance.md'), 'utf8'),
      /## Waivers[\s\S]*TOKEN-RESP-03\*\* waived until 2999-12-31/,
    )
  })

  // issue 35 case 9: the count the report gives, and docs/operating.md promises, includes the lifecycle secrets
  test('v1.x with the lifecycle flow: every rotated, deleted, re-enabled and retired secret sent in a URL is counted', async () => {
    const v19 = await gradeKit('1.9', [], { lifecycle: true })
    // 5 as without the flow, and each of the 6 lifecycle secrets once (rotated old and new, deleted, re-enabled, 2 retired)
    assert.equal(v19.secretInUrl, 11)
    const v20 = await gradeKit('2.0', [], { lifecycle: true })
    assert.equal(v20.secretInUrl, 0, 'v2.0 reads the body: no lifecycle secret in a URL either')
  })

  test('strict mode turns RFC MUSTs OpenCRVS deviates from into FAILED', async () => {
    const run = await gradeKit('1.9', [], { env: { CONFORMANCE_MODE: 'strict' } })
    // a 401 without WWW-Authenticate (RFC 9110 §15.5.2) and no Pragma: no-cache (RFC 6749 §5.1) are MUSTs too
    for (const id of [
      'TOKEN-FMT-04',
      'TOKEN-GRANT-03',
      'TOKEN-AUTH-07',
      'TOKEN-AUTH-08',
      'TOKEN-ERR-02',
      'TOKEN-ERR-03',
      'TOKEN-RESP-04',
    ])
      assert.equal(run.verdicts[id], 'FAILED', id)
    for (const id of ['TOKEN-RESP-05', 'DOCS-01']) assert.equal(run.verdicts[id], 'WARNING', id)
  })

  test('the request budget caps what the target receives, and reaching it stops the run with exit 2', async () => {
    const emu = await startEmulator({ release: '2.0' })
    try {
      const run = await runKitAgainst(emu, { CONFORMANCE_MAX_REQUESTS: '12' }, LEAN)
      assert.equal(run.code, 2, run.output)
      assert.ok(emu.requestCount() <= 12, `the emulator received ${emu.requestCount()} requests`)
      assert.equal(run.report.requests.budgetReached, true)
      assert.ok(run.report.requests.total <= 12)
      assert.match(
        run.output,
        /REQUEST BUDGET REACHED[\s\S]*Stopped: the request budget \(CONFORMANCE_MAX_REQUESTS=12\)/,
      )
      assert.ok(run.report.results.some((r) => r.verdict === 'SKIPPED' && /request budget reached/.test(r.reason)))
    } finally {
      await emu.stop()
    }
  })

  test('a certificate the kit cannot verify stops the run before any check, saying what to do, and is TLS-02 FAILED in the report', async () => {
    for (const [faults, ca, expected] of [
      [
        ['cert-wrong-host'],
        true,
        /TLS verification failed: the certificate of 127\.0\.0\.1:\d+ names DNS:auth\.another-country\.example, not 127\.0\.0\.1: issue one for this name \(ERR_TLS_CERT_ALTNAME_INVALID\)/,
      ],
      [
        ['cert-expired'],
        true,
        /TLS verification failed: the certificate of 127\.0\.0\.1:\d+ expired on \w{3} +\d+ [\d:]+ \d{4} GMT \((?:today|\d+ days? ago)\): renew it \(CERT_HAS_EXPIRED\)/,
      ],
      [
        [],
        false,
        /TLS verification failed: the certificate chain of 127\.0\.0\.1:\d+ \(issuer CN=OpenCRVS conformance emulator test CA\) does not lead to a CA this machine trusts: for a private CA set OPENCRVS_CA_FILE/,
      ],
    ] as Array<[string[], boolean, RegExp]>) {
      const emu = await startEmulator({ release: '2.0', faults, tls: true })
      try {
        const run = await runKitAgainst(emu, ca ? { OPENCRVS_CA_FILE: emu.caFile! } : {}).catch((e: Error) => ({
          code: -1,
          output: e.message,
          report: undefined,
        }))
        assert.match(run.output, expected)
        assert.doesNotMatch(run.output, new RegExp(emu.clients[0]!.secret))
        assert.equal(run.code, 1, 'a run that could not check anything does not pass')
        // the certificate is TLS-02's verdict, in conformance.json too: never only "not checked"
        assert.deepEqual(
          run.report?.results.map((r) => `${r.id} ${r.verdict}`),
          ['TLS-02 FAILED'],
        )
        assert.match(run.output, /Verdict: TLS-02 FAILED; no other check could run/)
      } finally {
        await emu.stop()
      }
    }
  })

  test('the TLS checks run against the emulator over HTTPS and pass', async () => {
    const run = await gradeKit('1.9', [], { tls: true })
    for (const id of ['TLS-01', 'TLS-02', 'TLS-03', 'TLS-04', 'TLS-05', 'TLS-06'])
      assert.equal(run.verdicts[id], 'PASSED', `${id}: ${recordOf(run, id).reason}`)
    assert.deepEqual(
      run.records.filter((r) => r.verdict === 'FAILED'),
      [],
    )
    assert.deepEqual(leaks(run), [])
  })

  test('the client lifecycle flow (rotate, delete, re-enable, retire) passes against the emulator, leaking no secret old or new', async () => {
    const run = await gradeKit('2.0', [], { lifecycle: true })
    for (const id of ['CLIENT-ROTATE-01', 'CLIENT-DELETE-01', 'CLIENT-REENABLE-01', 'CLIENT-RETIRED-01']) {
      assert.equal(run.verdicts[id], 'PASSED', `${id}: ${recordOf(run, id).reason}`)
    }
    assert.deepEqual(
      run.records.filter((r) => r.verdict === 'FAILED'),
      [],
      run.output,
    )
    assert.ok(run.secrets.length >= 9, 'old, new and retired secrets are all scanned for')
    assert.deepEqual(leaks(run), [])
  })

  test('without a gateway the token-level checks run and the gateway probes are SKIPPED saying why; v1.9 IMPORT_EXPORT 7-day tokens are a named WARNING', async () => {
    const { randomUUID } = await import('node:crypto')
    const { demoClients } = await import('../emulator/server.ts')
    const importExport = {
      clientId: randomUUID(),
      secret: randomUUID(),
      type: 'IMPORT_EXPORT' as const,
      status: 'active' as const,
    }
    const emu = await startEmulator({ release: '1.9', clients: [...demoClients(), importExport] })
    try {
      const run = await gradeKitAgainst(emu, {
        OPENCRVS_GATEWAY_URL: '',
        OPENCRVS_IMPORT_EXPORT_CLIENT_ID: importExport.clientId,
        OPENCRVS_IMPORT_EXPORT_CLIENT_SECRET: importExport.secret,
      })
      for (const id of ['SCOPE-02', 'DOOR-01', 'DOOR-03', 'DOOR-08']) {
        assert.equal(run.verdicts[id], 'SKIPPED', id)
        assert.match(recordOf(run, id).reason, /no gateway configured: set OPENCRVS_GATEWAY_URL/, id)
      }
      for (const id of ['SCOPE-01', 'JWT-CLM-04', 'JWT-SIG-01']) assert.equal(run.verdicts[id], 'PASSED', id)
      assert.equal(run.verdicts['JWT-LIFE-01'], 'WARNING')
      assert.match(
        recordOf(run, 'JWT-LIFE-01').reason,
        /IMPORT_EXPORT: 604800 s \(7 days\)[\s\S]*IMPORT_EXPORT clients this lifetime by design/,
      )
      assert.deepEqual(
        run.records.filter((r) => r.verdict === 'FAILED'),
        [],
      )
      assert.deepEqual(leaks({ ...run, secrets: [...run.secrets, importExport.secret] }), [])
    } finally {
      await emu.stop()
    }
  })

  test('a configured client whose valid credentials are refused is FAILED, naming it, and the checks that needed its token point there (no silent pass)', async () => {
    const wrong = randomUUID() // random, as a real secret is: the leak scan looks for any 8 characters of it
    const run = await gradeKit('2.0', [], { gatewayOnly: true, env: { OPENCRVS_SEARCH_CLIENT_SECRET: wrong } })
    const cred = recordOf(run, 'TOKEN-CRED-01')
    assert.equal(cred.verdict, 'FAILED', cred.reason)
    assert.match(cred.reason, /the record search client \(OPENCRVS_SEARCH_CLIENT_ID\) got HTTP 401 invalid_client/)
    for (const id of ['SCOPE-01', 'SCOPE-02', 'SCOPE-03'])
      assert.match(recordOf(run, id).reason, /see TOKEN-CRED-01/, id)
    assert.deepEqual(leaks({ ...run, secrets: [...run.secrets, wrong] }), [])
  })

  // issue 32: a wrong secret is the configuration's one finding, never a cascade of claims about the release
  for (const release of ['2.0', '1.9'])
    test(`v${release}: a wrong secret for the first client is TOKEN-CRED-01 FAILED and nothing else; the checks that needed it SKIPPED, pointing there; no real secret in a URL where the body is read`, async () => {
      const wrong = randomUUID()
      const env = { OPENCRVS_NOTIFICATION_CLIENT_SECRET: wrong }
      const [run, base] = await Promise.all([gradeKit(release, [], { env }), gradeKit(release)])
      const cred = recordOf(run, 'TOKEN-CRED-01')
      assert.equal(cred.verdict, 'FAILED', cred.reason)
      assert.match(cred.reason, /event notification client \(OPENCRVS_NOTIFICATION_CLIENT_ID\) got HTTP 401/)
      assert.match(cred.fix ?? '', /OPENCRVS_NOTIFICATION_CLIENT_SECRET/)
      // every other verdict either stays as without the wrong secret or is SKIPPED naming TOKEN-CRED-01
      for (const r of run.records.filter((x) => x.id !== 'TOKEN-CRED-01' && x.verdict !== base.verdicts[x.id])) {
        assert.equal(r.verdict, 'SKIPPED', `${r.id}: ${base.verdicts[r.id]} -> ${r.verdict} (${r.reason})`)
        assert.match(r.reason, /see TOKEN-CRED-01/, r.id)
      }
      for (const id of ['TOKEN-RESP-01', 'TOKEN-FMT-02', 'TOKEN-FMT-03', 'TOKEN-FMT-04'])
        assert.equal(run.verdicts[id], 'SKIPPED', id)
      // v2.0 reads the body: the wrong secret, the right ones and the deactivated client's stay out of URLs
      if (release === '2.0') assert.equal(run.secretInUrl, 0)
      assert.deepEqual(leaks({ ...run, secrets: [...run.secrets, wrong] }), [])
    })

  test('a run in which no signature was verified says so, never a bare "no requirement FAILED"', async () => {
    const emu = await startEmulator({ release: '2.0' })
    try {
      const run = await runKitAgainst(emu, { OPENCRVS_PUBLIC_KEY: '' }, LEAN, true) // v2.0 gateway only, and no key handed over
      assert.equal(run.verdicts['JWT-SIG-01'], 'SKIPPED')
      assert.match(
        run.output,
        /No token signature was verified in this run \(JWT-SIG-01 SKIPPED: no signing key to verify with[^\n]*\nVerdict: no requirement FAILED, and no signature was verified\./,
      )
      // a plain-HTTP run says the transport was not checked, as plainly as the verdict
      assert.match(run.output, /\nTransport not checked: plain HTTP\.[^\n]*TLS-01 SKIPPED[^\n]*\n/)
      assert.match(
        readFileSync(join(run.reportDir, 'conformance.md'), 'utf8'),
        /> \*\*No token signature was verified in this run/,
      )
    } finally {
      await emu.stop()
    }
  })

  // issue 32: a 404 to the very first request is a wrong URL, never the deployment's behaviour
  test('a token URL where nothing is served (404 to the first request) stops NOT CHECKED naming the URL, before any credential is sent', async () => {
    const emu = await startEmulator({ release: '1.9' })
    try {
      const run = await runKitAgainst(emu, { OPENCRVS_TOKEN_URL: `${emu.url}/token/token` })
      assert.equal(run.code, 1, run.output)
      assert.match(run.output, /Verdict: NOT CHECKED/)
      assert.match(run.output, /\/token\/token answered HTTP 404 Not Found to the first request/)
      assert.doesNotMatch(run.output, /FAILED/)
      assert.deepEqual(run.report.results, [])
      assert.equal(run.report.requests.total, 1, 'only the request without parameters')
      assert.equal(run.report.requests.secretInUrl, 0)
      assert.deepEqual(leaks(run), [])
    } finally {
      await emu.stop()
    }
  })

  test('an unreachable target is NOT CHECKED, never a pass, and the message says what to check', async () => {
    const reportDir = mkdtempSync(join(tmpdir(), 'kit-run-'))
    const { code, output } = await runCli({
      OPENCRVS_AUTH_URL: 'http://127.0.0.1:9',
      CONFORMANCE_ALLOW_HTTP: 'true',
      CONFORMANCE_REPORT_DIR: reportDir,
    })
    assert.equal(code, 1, output)
    assert.match(
      output,
      /Verdict: NOT CHECKED\. No check ran: Cannot reach the token endpoint: POST http:\/\/127\.0\.0\.1:9\/token: the connection was refused \(nothing listens there\)\. Check OPENCRVS_AUTH_URL/,
    )
    assert.doesNotMatch(output, /ECONNREFUSED|UND_ERR/, 'no raw library code')
    assert.doesNotMatch(output, /no requirement FAILED/)
  })
})
