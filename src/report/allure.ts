/**
 * What the Allure report gets for a check once it is graded, in Allure's runtime protocol (allure-js-commons 3.x,
 * what allure.label() and allure.link() send): the severity for the mode, the verdict as a label and a tag, the
 * source links, and the reason, fix and waiver as the description. One message per test: each call is a Playwright
 * attachment whose stack capture costs CPU, and a run has over 70 tests. The fixtures attach it; only this module
 * knows its shape.
 */
import { ALLURE_RUNTIME_MESSAGE_CONTENT_TYPE } from 'allure-js-commons/sdk/reporter'
import type { Mode } from '../config/index.ts'
import type { Requirement } from '../requirements/catalogue.ts'
import { ALLURE_SEVERITY, type VerdictRecord } from './verdict.ts'

export function allureMessage(
  r: Requirement,
  rec: VerdictRecord,
  mode: Mode,
): { name: string; body: string; contentType: string } {
  const description = [
    rec.reason,
    rec.fix ? `How to fix: ${rec.fix}` : '',
    rec.waiver
      ? `Waiver: ${rec.waiver.reason} (until ${rec.waiver.until}${rec.waiver.expired ? ', EXPIRED' : ''})`
      : '',
  ]
  const message = {
    type: 'metadata',
    data: {
      labels: [
        { name: 'severity', value: ALLURE_SEVERITY[r.severity[mode]] },
        { name: 'verdict', value: rec.verdict },
        { name: 'tag', value: rec.verdict },
      ],
      links: r.sources.map((s) => ({ url: s.url, name: s.label })),
      description: description.filter(Boolean).join('\n\n'),
    },
  }
  return { name: 'allure metadata', body: JSON.stringify(message), contentType: ALLURE_RUNTIME_MESSAGE_CONTENT_TYPE }
}
