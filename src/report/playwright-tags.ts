/**
 * The verdict beside each check's title in Playwright's HTML report. The report lists a test's tags next to its
 * title (and filters by them when clicked), but a tag is fixed when the test is declared, before its verdict is
 * known; the runner's TestCase keeps declared tags in `_tags`, which Playwright does not export. The reporter adds
 * `@WARNING`, `@REVIEW`, `@INFO`, `@FAILED` or `@SKIPPED` there when the check ends (a PASSED gets none), before the
 * HTML report is built. Returns false when this Playwright has no such field: a self-test fails then.
 */
import type { TestCase } from '@playwright/test/reporter'
import type { Verdict } from '../requirements/catalogue.ts'

export function tagVerdict(test: TestCase, verdict: Verdict): boolean {
  const tags = (test as unknown as { _tags?: unknown })._tags
  if (!Array.isArray(tags)) return false
  if (verdict !== 'PASSED' && !tags.includes(`@${verdict}`)) tags.push(`@${verdict}`)
  return true
}

/** The HTML report's title: the totals, read by Playwright's HTML reporter (PLAYWRIGHT_HTML_TITLE) when it builds. */
export function htmlTitle(totals: Record<Verdict, number>, release: string): string {
  const shown = (['FAILED', 'WARNING', 'REVIEW', 'INFO', 'SKIPPED', 'PASSED'] as Verdict[]).filter((v) => totals[v])
  return `OpenCRVS token conformance (${release}): ${shown.map((v) => `${totals[v]} ${v}`).join(' · ') || 'no check ran'}`
}
