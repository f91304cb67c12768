/**
 * junit.xml as CI tools read it (a FAILED requirement a <failure>, a crash or a NOT CHECKED run an <error>, the
 * other verdicts visible in <properties> and <system-out>, counts that add up), and the console's area lines in
 * catalogue order whatever order the workers finish in.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Suite, TestCase, TestResult } from '@playwright/test/reporter'
import { REQUIREMENT_LIST } from '../../src/requirements/catalogue.ts'
import { junitXml } from '../../src/report/junit.ts'
import { VERDICT_ANNOTATION } from '../../src/report/verdict.ts'
import { sampleReport } from './sample-report.ts'

const attr = (xml: string, tag: string, name: string) =>
  Number(new RegExp(`<${tag}\\b[^>]*\\b${name}="(\\d+)"`).exec(xml)?.[1])

test('JUnit: FAILED is a <failure> with its reason, a crash an <error>; WARNING, REVIEW, INFO carry their verdict', () => {
  const verdicts = ['FAILED', 'FAILED', 'WARNING', 'REVIEW', 'INFO', 'SKIPPED'] as const
  const r = sampleReport((_, i) => verdicts[i] ?? 'PASSED')
  const crashedId = REQUIREMENT_LIST[1]!.id
  const xml = junitXml(r, new Set([crashedId]))
  assert.equal(attr(xml, 'testsuites', 'tests'), REQUIREMENT_LIST.length)
  assert.equal(attr(xml, 'testsuites', 'failures'), 1, 'one FAILED requirement: one failure')
  assert.equal(attr(xml, 'testsuites', 'errors'), 1, 'one check that crashed: one error')
  assert.equal(attr(xml, 'testsuites', 'skipped'), 1)
  const first = REQUIREMENT_LIST[0]!.id
  assert.match(xml, new RegExp(`<failure message="${first} was FAILED" type="FAILED">`))
  assert.match(xml, new RegExp(`<error message="${crashedId} was FAILED" type="kit error">`))
  for (const [i, v] of [
    [2, 'WARNING'],
    [3, 'REVIEW'],
    [4, 'INFO'],
  ] as const) {
    const id = REQUIREMENT_LIST[i]!.id
    const testcase = new RegExp(`<testcase name="${id} [^"]*"[^>]*>([\\s\\S]*?)</testcase>`).exec(xml)?.[1] ?? ''
    assert.match(testcase, new RegExp(`<property name="verdict" value="${v}"/>`), `${id}: verdict in <properties>`)
    assert.match(testcase, new RegExp(`<property name="reason" value="${id} was ${v}"/>`))
    assert.match(testcase, new RegExp(`<system-out>${v}: ${id} was ${v}`), `${id}: verdict in <system-out>`)
    assert.doesNotMatch(testcase, /<failure|<error/)
  }
  // the suites' counts add up to the totals
  const suites = [...xml.matchAll(/<testsuite [^>]*failures="(\d+)" errors="(\d+)"/g)]
  assert.equal(
    suites.reduce((n, m) => n + Number(m[1]), 0),
    1,
  )
  assert.equal(
    suites.reduce((n, m) => n + Number(m[2]), 0),
    1,
  )
})

test('JUnit: a run that checked nothing is an <error> saying NOT CHECKED, not a pass and not a failure', () => {
  const r = sampleReport(() => null, { errors: ['OPENCRVS_GATEWAY_URL: not a URL <x>'] })
  const xml = junitXml(r)
  assert.equal(attr(xml, 'testsuites', 'tests'), 1)
  assert.equal(attr(xml, 'testsuites', 'errors'), 1)
  assert.equal(attr(xml, 'testsuites', 'failures'), 0)
  assert.match(xml, /<error message="NOT CHECKED: no check ran: OPENCRVS_GATEWAY_URL: not a URL &lt;x&gt;"/)
})

test('the console prints the area lines in catalogue order, whatever order the checks end in', async () => {
  process.env.CONFORMANCE_QUIET = ''
  const { default: Reporter } = await import('../../src/report/conformance-reporter.ts')
  const lines = async (order: 'forward' | 'backward') => {
    const reporter = new Reporter()
    const tests = REQUIREMENT_LIST.map((r) => ({ title: `${r.id} ${r.title}`, annotations: [] }) as unknown as TestCase)
    const printed: string[] = []
    const write = process.stdout.write
    process.stdout.write = ((s: string) => printed.push(s) > 0) as typeof process.stdout.write
    try {
      reporter.onBegin({ metadata: {} } as never, { allTests: () => tests } as unknown as Suite)
      for (const t of order === 'forward' ? tests : [...tests].reverse()) {
        const id = t.title.split(' ')[0]!
        const annotations = [
          { type: VERDICT_ANNOTATION, description: JSON.stringify({ id, verdict: 'PASSED', reason: 'ok' }) },
        ]
        reporter.onTestEnd(t, { status: 'passed', annotations } as unknown as TestResult)
      }
    } finally {
      process.stdout.write = write
    }
    return printed.filter((l) => !l.startsWith('Running'))
  }
  const forward = await lines('forward')
  const backward = await lines('backward')
  const areas = [...new Set(REQUIREMENT_LIST.map((r) => r.area))]
  assert.deepEqual(
    forward.map((l) => l.slice(0, 24).trim()),
    areas,
  )
  assert.deepEqual(backward, forward, 'the same lines in the same order when the checks end in reverse')
})

test('JUnit: a reason holding what XML 1.0 forbids (U+FFFF, U+FFFE, an unpaired surrogate) leaves a valid document', () => {
  const r = sampleReport(() => 'FAILED')
  r.results[0]!.reason = 'error_description "bad \uffff\ufffe value" \ud800 end'
  const xml = junitXml(r, new Set())
  assert.doesNotMatch(xml, /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u)
  assert.match(xml, /bad \\uffff\\ufffe value/)
})
