/**
 * junit.xml: each requirement as CI tools read a test. A FAILED requirement is a <failure> with its reason; a check
 * the kit could not complete (a crash) and a run that checked nothing, or stopped in setup, are an <error>; SKIPPED
 * is <skipped>; WARNING, REVIEW and INFO pass as tests but carry their verdict and reason where JUnit viewers show
 * them: <properties> and <system-out>. One suite per area, in catalogue order. Every text neutral and escaped.
 */
import { neutral } from '../redact/neutral.ts'
import { REQUIREMENT_LIST } from '../requirements/catalogue.ts'
import type { ConformanceReport, ResultEntry } from './model.ts'

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }
/** What XML 1.0 forbids in a document (its Char production): escaped as text, whatever reached the writer. */
const NOT_XML = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu
const notXml = (c: string) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`
/** XML text or attribute: neutral (no control character), escaped, and nothing XML 1.0 forbids left in. */
const x = (text: string, lines = false) =>
  neutral(text, { lines })
    .replace(NOT_XML, notXml)
    .replace(/[&<>"']/g, (c) => ESCAPES[c]!)

interface Case {
  name: string
  classname: string
  body: string
  kind: 'failure' | 'error' | 'skipped' | 'passed'
}

function requirementCase(r: ResultEntry, crashed: boolean): Case {
  const name = `${r.id} ${r.title}`
  const props = `<properties><property name="verdict" value="${r.verdict}"/><property name="reason" value="${x(r.reason)}"/>${r.fix ? `<property name="fix" value="${x(r.fix)}"/>` : ''}</properties>`
  const out = `<system-out>${x(`${r.verdict}: ${r.reason}${r.fix ? `\nHow to fix: ${r.fix}` : ''}${r.detail ? `\n\n${r.detail}` : ''}`, true)}</system-out>`
  const kind: Case['kind'] = crashed
    ? 'error'
    : r.verdict === 'FAILED'
      ? 'failure'
      : r.verdict === 'SKIPPED'
        ? 'skipped'
        : 'passed'
  const verdictTag =
    kind === 'error'
      ? `<error message="${x(r.reason)}" type="kit error">${x(r.detail ?? r.reason, true)}</error>`
      : kind === 'failure'
        ? `<failure message="${x(r.reason)}" type="FAILED">${x(`${r.reason}${r.fix ? `\nHow to fix: ${r.fix}` : ''}`, true)}</failure>`
        : kind === 'skipped'
          ? `<skipped message="${x(r.reason)}"/>`
          : ''
  return { name, classname: r.area, kind, body: `${props}${verdictTag}${out}` }
}

/** The run itself, when it checked nothing, stopped in setup or reported an error outside every check. */
function runCase(r: ConformanceReport): Case | null {
  const why = !r.results.length
    ? `NOT CHECKED: no check ran${r.errors.length ? `: ${r.errors[0]}` : ''}`
    : r.stop
      ? `NOT CHECKED: the run stopped in setup: ${r.stop.reason}`
      : r.errors.length
        ? `the run reported an error outside the checks: ${r.errors[0]}`
        : ''
  if (!why) return null
  return {
    name: 'the conformance run',
    classname: 'Run',
    kind: 'error',
    body: `<error message="${x(why)}" type="NOT CHECKED">${x(r.errors.join('\n\n') || why, true)}</error>`,
  }
}

export function junitXml(r: ConformanceReport, crashed: ReadonlySet<string> = new Set()): string {
  const cases = r.results.map((e) => requirementCase(e, crashed.has(e.id)))
  const run = runCase(r)
  const areas = [
    ...new Set([...(run ? ['Run'] : []), ...REQUIREMENT_LIST.map((q) => q.area), ...cases.map((c) => c.classname)]),
  ]
  const suites = areas
    .map((area) => cases.concat(run ? [run] : []).filter((c) => c.classname === area))
    .filter((list) => list.length)
  const count = (list: Case[], k: Case['kind']) => list.filter((c) => c.kind === k).length
  const attrs = (list: Case[]) =>
    `tests="${list.length}" failures="${count(list, 'failure')}" errors="${count(list, 'error')}" skipped="${count(list, 'skipped')}"`
  const all = suites.flat()
  const time = (r.durationMs / 1000).toFixed(3)
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="OpenCRVS token endpoint conformance (${x(r.target.version)})" ${attrs(all)} time="${time}">
${suites
  .map(
    (list) =>
      `<testsuite name="${x(list[0]!.classname)}" ${attrs(list)} timestamp="${x(r.startedAt)}">\n${list
        .map((c) => `<testcase name="${x(c.name)}" classname="${x(c.classname)}">${c.body}</testcase>`)
        .join('\n')}\n</testsuite>`,
  )
  .join('\n')}
</testsuites>
`
}
