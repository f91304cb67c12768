/**
 * What the sign-off page, conformance.md and the console put first: what the run cannot vouch for (a demonstration,
 * a plain-HTTP run) at the top, as plainly as the verdict; what the deployment must fix (its own FAILED, then REVIEW)
 * apart from what integrators should know (OpenCRVS's own WARNINGs, an edge rule offered as optional hardening);
 * and an excerpt that is cut says so.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FullResult } from '@playwright/test/reporter'
import { excerpt } from '../../src/redact/neutral.ts'
import { summary } from '../../src/report/console.ts'
import { DEMO_BANNER, PLAIN_HTTP_BANNER } from '../../src/report/findings.ts'
import { signoffHtml } from '../../src/report/html.ts'
import { markdown } from '../../src/report/markdown.ts'
import { type ConformanceReport, readiness } from '../../src/report/model.ts'
import { sampleReport } from './sample-report.ts'

const passed = { status: 'passed' } as FullResult
const outputs = (r: ConformanceReport) => ({
  html: signoffHtml(r),
  md: markdown(r),
  console: summary(r, passed, 'reports'),
  quiet: summary(r, passed, 'reports', true),
})

/** The banner comes before the first requirement or verdict a reader would take for the result. */
function atTop(name: string, text: string, banner: string) {
  const at = text.indexOf(banner)
  assert.ok(at >= 0, `${name}: says "${banner}"`)
  for (const later of ['Every requirement', 'Conformance summary', 'What to fix first', '**Totals:**'])
    if (text.includes(later)) assert.ok(at < text.indexOf(later), `${name}: "${banner}" before "${later}"`)
}

test('a demonstration run says so at the top of the page, conformance.md and the console; a deployment run does not', () => {
  const demo = sampleReport(() => 'PASSED')
  demo.target.emulator = { release: '2.0', faults: [] }
  for (const [name, text] of Object.entries(outputs(demo))) atTop(name, text, DEMO_BANNER)
  assert.match(
    summary(demo, passed, 'reports'),
    /Demonstration: not a verdict on any deployment[^\n]*\n[\s\S]*Verdict:[^\n]*\n*$/,
  )
  for (const [name, text] of Object.entries(outputs(sampleReport(() => 'PASSED'))))
    assert.ok(
      !text.includes(DEMO_BANNER) && !text.includes(PLAIN_HTTP_BANNER),
      `${name}: a deployment run has no banner`,
    )
})

test('a plain-HTTP run says the transport was not checked, at the top, naming the skipped TLS checks', () => {
  const plain = sampleReport((id) => (id.startsWith('TLS-') ? 'SKIPPED' : 'PASSED'))
  plain.target.tokenUrl = 'http://opencrvs.local:7070/auth/token'
  for (const [name, text] of Object.entries(outputs(plain))) {
    atTop(name, text, PLAIN_HTTP_BANNER)
    assert.match(text, /TLS-01 SKIPPED/, `${name}: names the TLS checks that did not run`)
  }
})

test('"What to fix first" holds only the deployment\'s own findings; OpenCRVS\'s own go to "What integrators should know"', () => {
  const order = ['WARNING', 'FAILED', 'REVIEW', 'WARNING'] as const
  const r = sampleReport((_, i) => order[i] ?? 'PASSED')
  const warning = r.results.filter((x) => x.verdict === 'WARNING')
  warning[0]!.fix = 'Integrators should parse the body as JSON. At the edge, a response-header rule fixes it.'
  const ids = (section: string, text: string, end: RegExp) => {
    const start = text.indexOf(section)
    assert.ok(start >= 0, `has "${section}"`)
    const rest = text.slice(start + section.length)
    return rest.slice(0, rest.search(end) < 0 ? undefined : rest.search(end))
  }
  const { html, md, console: out } = outputs(r)
  for (const [name, text, end] of [
    ['html', html, /<h2>/],
    ['md', md, /\n## /],
    ['console', out, /\nWhat integrators/],
  ] as const) {
    const fix = ids('What to fix first', text, end)
    for (const x of r.results.filter((y) => y.verdict === 'FAILED' || y.verdict === 'REVIEW'))
      assert.ok(fix.includes(x.id), `${name}: ${x.id} (${x.verdict}) is to fix`)
    for (const x of warning) assert.ok(!fix.includes(x.id), `${name}: ${x.id} (WARNING) is not the deployment's to fix`)
    assert.ok(fix.indexOf(r.results[1]!.id) < fix.indexOf(r.results[2]!.id), `${name}: FAILED before REVIEW`)
    const known = ids('What integrators should know', text, /<h2>|\n## |\nUpgrade|\nReports:/)
    for (const x of warning) assert.ok(known.includes(x.id), `${name}: ${x.id} is for integrators`)
  }
  assert.match(html, /What integrators do:<\/em> Integrators should parse the body as JSON\./)
  assert.match(html, /Optional hardening \(not a fix[^<]*<\/em> At the edge, a response-header rule fixes it\./)
  assert.match(md, /Optional hardening \(not a fix\): ` At the edge, a response-header rule fixes it\. `/)
  assert.doesNotMatch(html.slice(html.indexOf('What integrators should know')), /How to fix:<\/em> Integrators/)
})

test('an excerpt that is cut says so and never ends mid-word silently', () => {
  assert.equal(excerpt('short', 80), 'short')
  const cut = excerpt('{"error":"invalid_client","error_description":"Invalid client id or secret"}', 40)
  assert.match(cut, /… \(cut\)$/)
  assert.ok(cut.length <= 40 + ' … (cut)'.length)
  assert.equal(excerpt('alpha beta gamma delta epsilon', 20), 'alpha beta gamma… (cut)')
})

test('upgrade readiness on v1.9 names the next tagged release (v2.0.0) first, each change with what to do, then v2.1', () => {
  const r = sampleReport(() => 'PASSED', { upgrade: readiness('1.9') })
  r.target.version = 'v1.9'
  const { html, md, console: out } = outputs(r)
  for (const [name, text] of [
    ['html', html],
    ['md', md],
    ['console', out],
  ] as const) {
    const v20 = text.indexOf('Next tagged release: v2.0.0')
    const v21 = text.indexOf('Then, merged after it: v2.1')
    assert.ok(v20 >= 0 && v21 > v20, `${name}: v2.0.0 first, then what is merged after it`)
    const first = text.slice(v20, v21)
    for (const fact of [
      /auth\.&lt;domain&gt; is no longer published|auth\.<domain> is no longer published/,
      /OpenFn/,
      /gateway\.(?:&lt;|<)domain(?:&gt;|>)\/auth\/token/,
      /type=record\.search/,
      /webhook clients are removed/,
    ])
      assert.match(first, fact, `${name}: v2.0.0's changes`)
    assert.match(first, /What integrators must do:|do: /, `${name}: each change says what to do`)
  }
  // on v2.0 there is no tagged release after it: the merged changes come first and say so
  const v2 = sampleReport(() => 'PASSED', { upgrade: readiness('2.0') })
  assert.match(markdown(v2), /### No tagged release after v2\.0 yet; merged: v2\.1/)
})
