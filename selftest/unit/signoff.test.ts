/**
 * conformance.html, the sign-off page: built from the report alone, every verdict on it, a target's text escaped
 * (never markup), and nothing it could load from the network. And the console's summary: each finding once, the
 * root cause first; --quiet keeps only the totals, FAILED and REVIEW, and the reports.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { REQUIREMENT_LIST, VERDICTS, type Verdict } from '../../src/requirements/catalogue.ts'
import { findingsInOrder, summary } from '../../src/report/console.ts'
import { signoffHtml } from '../../src/report/html.ts'
import type { ConformanceReport, ResultEntry } from '../../src/report/model.ts'

const HOSTILE = `<script>alert(1)</script><img src=x onerror=alert(2)> \u001b[31mred\u001b[0m "quoted" 'single' &amp;`

function report(): ConformanceReport {
  const results: ResultEntry[] = REQUIREMENT_LIST.map((r, i) => ({
    id: r.id,
    verdict: VERDICTS[i % VERDICTS.length]!,
    reason: i === 0 ? `the target said ${HOSTILE}` : `${r.id}: see JWT-SIG-01`,
    detail: `answer:\n${HOSTILE}\nline 3`,
    fix: i === 1 ? `do ${HOSTILE}` : undefined,
    title: r.title,
    area: r.area,
    severity: r.severity,
    sources: [...r.sources, { label: `evil ${HOSTILE}`, url: 'javascript:alert(3)' }],
  }))
  const totals = Object.fromEntries(VERDICTS.map((v) => [v, results.filter((x) => x.verdict === v).length])) as Record<
    Verdict,
    number
  >
  return {
    kit: { name: 'opencrvs-token-conformance', version: '9.9.9' },
    target: {
      tokenUrl: `https://auth.example.org/token?<b>${HOSTILE}`,
      tokenRoute: 'auth',
      version: 'v1.9',
      declared: 'auto',
      detectedFrom: [`X-Version ${HOSTILE}`],
      identification: {
        profile: 'v1.9',
        confidence: 'high',
        supporting: [`X-Version ${HOSTILE}`],
        contradicting: [],
        newerThanProfiles: null,
      },
      mode: 'opencrvs',
      emulator: null,
    },
    startedAt: '2026-12-04T10:00:00.000Z',
    durationMs: 1234,
    requests: {
      total: 50,
      token: 30,
      issued: 4,
      secretInUrl: 0,
      tokenInUrl: 0,
      rateLimited: 0,
      max: 150,
      budgetReached: false,
    },
    errors: [],
    upgrade: null,
    totals,
    results,
    contract: { 'jwt.iss': HOSTILE },
    clients: [],
  }
}

test('the sign-off page holds every requirement with its verdict, the kit version and the run date', () => {
  const r = report()
  const html = signoffHtml(r)
  for (const x of r.results)
    assert.match(
      html,
      new RegExp(`<tr id="${x.id}"><td class="id">${x.id}</td><td><span class="badge"[^>]*>${x.verdict}</span>`),
    )
  assert.match(html, /opencrvs-token-conformance 9\.9\.9/)
  assert.match(html, /2026-12-04T10:00:00\.000Z/)
  assert.match(html, /<title>OpenCRVS token conformance: v1\.9, FAILED<\/title>/)
  assert.match(html, /What to fix first/)
  assert.match(
    html,
    /<details><summary>Evidence \(redacted\)<\/summary><pre>answer:\nline 3|<details><summary>Evidence/,
  )
})

test("the sign-off page loads nothing and a target's text never becomes markup", () => {
  const html = signoffHtml(report())
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/)
  assert.doesNotMatch(html, /<script|<img|<link|<iframe|<object|<embed|@import|url\(|<[^>]*\bsrc=/i)
  assert.doesNotMatch(html, /javascript:/i, 'a source that is not http(s) is text, not a link')
  assert.doesNotMatch(html, /<[^>]*\bon[a-z]+=/i, 'attributes the target wrote stay text')
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/)
  assert.doesNotMatch(html, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/, 'no control character')
  const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!)
  assert.ok(hrefs.length > 0)
  for (const h of hrefs) assert.match(h, /^https?:\/\//, h)
  // every element the page opens is one of the few it is built from
  const tags = new Set([...html.matchAll(/<([a-z0-9]+)[\s>]/gi)].map((m) => m[1]!.toLowerCase()))
  const allowed =
    'html head meta title style body h1 h2 p span table tr th td code div strong em ol ul li details summary pre a br'
  assert.deepEqual(
    [...tags].filter((t) => !allowed.split(' ').includes(t)),
    [],
  )
})

test('a run stopped in setup: the page says NOT CHECKED and why', () => {
  const r = { ...report(), results: [], errors: [`Cannot reach ${HOSTILE}`] }
  const html = signoffHtml({ ...r, totals: { PASSED: 0, FAILED: 0, WARNING: 0, REVIEW: 0, INFO: 0, SKIPPED: 0 } })
  assert.match(html, /NOT CHECKED: no check ran/)
  assert.match(html, /Cannot reach &lt;script&gt;/)
})

test('the console prints each finding once, the root cause first; --quiet keeps FAILED, REVIEW and the reports', () => {
  const r = report()
  const loud = summary(r, { status: 'passed' } as never, 'reports')
  for (const x of r.results.filter((y) => ['FAILED', 'REVIEW', 'WARNING'].includes(y.verdict))) {
    const lines = loud.split('\n').filter((l) => l.includes(` ${x.id} `))
    assert.equal(lines.length, 1, `${x.id} once`)
  }
  // every check's reason points at JWT-SIG-01: when it is a finding, it comes first
  const order = findingsInOrder(
    [
      { ...r.results[0]!, id: 'A-01', verdict: 'FAILED', reason: 'waits on B-01' },
      { ...r.results[0]!, id: 'B-01', verdict: 'FAILED', reason: 'the key is wrong' },
      { ...r.results[0]!, id: 'C-01', verdict: 'REVIEW', reason: 'x' },
    ],
    ['FAILED', 'REVIEW'],
  ).map((x) => x.id)
  assert.deepEqual(order, ['B-01', 'A-01', 'C-01'])
  const quiet = summary(r, { status: 'passed' } as never, 'reports', true)
  assert.doesNotMatch(quiet, /WARNING \S+-\d+|SKIPPED \S|Requests to the target/)
  assert.match(quiet, /^ {2}FAILED /m)
  assert.match(quiet, /^ {2}REVIEW /m)
  assert.match(quiet, /Reports: reports\/conformance\.html/)
  assert.ok(quiet.split('\n').length < loud.split('\n').length)
})
