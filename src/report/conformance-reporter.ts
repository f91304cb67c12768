/**
 * The conformance reporter (Playwright Reporter API): reads each check's verdict from its annotations, prints a line
 * per area as it completes and a summary at the end (console.ts), and writes reports/conformance.json (model.ts),
 * conformance.md (markdown.ts) and conformance.html (html.ts, the sign-off page). Everything it prints or writes is
 * redacted.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type {
  FullConfig,
  FullResult,
  Reporter,
  Suite,
  TestCase,
  TestError,
  TestResult,
} from '@playwright/test/reporter'
import { ID_PATTERN, REQUIREMENTS } from '../requirements/catalogue.ts'
import { redact } from '../redact/index.ts'
import { readRuntime, SETUP_VERDICT_ENV, type Runtime } from '../runtime/runtime.ts'
import type { ContractFacts } from './contract.ts'
import { BUDGET_ANNOTATION, CONTRACT_ANNOTATION, VERDICT_ANNOTATION, type VerdictRecord } from './verdict.ts'
import { neutral } from '../redact/neutral.ts'
import { isQuiet } from '../config/env.ts'
import { areaLine, summary } from './console.ts'
import { signoffHtml } from './html.ts'
import { markdown } from './markdown.ts'
import { buildReport, resultEntry, type ResultEntry } from './model.ts'
import { htmlTitle, tagVerdict } from './playwright-tags.ts'

export default class ConformanceReporter implements Reporter {
  private results = new Map<string, ResultEntry>()
  private started = Date.now()
  private reportDir = 'reports'
  private errors: string[] = []
  private budgetReached = false
  private contract: ContractFacts = {}
  /** Per area: checks still to come, and the lines to print when the area completes. */
  private areas = new Map<string, { left: number; entries: ResultEntry[] }>()
  private readonly quiet = isQuiet()

  printsToStdio(): boolean {
    return true
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.reportDir = (config.metadata as { reportDir?: string }).reportDir ?? 'reports'
    this.started = Date.now()
    const tests = suite.allTests()
    for (const t of tests) {
      const area = REQUIREMENTS[ID_PATTERN.exec(t.title)?.[1] ?? '']?.area ?? 'Unknown'
      const a = this.areas.get(area) ?? { left: 0, entries: [] }
      a.left++
      this.areas.set(area, a)
    }
    if (tests.length && !this.quiet)
      process.stdout.write(`Running ${tests.length} checks in ${this.areas.size} areas\n`)
  }

  onError(error: TestError): void {
    const message = neutral(
      redact(error.message ?? error.value ?? 'unknown error')
        .replace(/\u001b\[[0-9;]*m/g, '') // Playwright's own colouring; a target's escapes are escaped below
        .replace(/^(Error: )+/, ''),
      { max: 4000 },
    )
    process.stderr.write(`Error: ${message}\n`)
    this.errors.push(message)
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const annotations = [...(result.annotations ?? []), ...test.annotations]
    for (const a of annotations) {
      if (a.type === BUDGET_ANNOTATION) this.budgetReached = true
      if (a.type === CONTRACT_ANNOTATION && a.description)
        Object.assign(this.contract, JSON.parse(a.description) as ContractFacts)
    }
    const id = ID_PATTERN.exec(test.title)?.[1] ?? test.title
    const recorded = annotations.find((a) => a.type === VERDICT_ANNOTATION)?.description
    let rec: VerdictRecord
    if (recorded) {
      rec = JSON.parse(recorded) as VerdictRecord
    } else if (result.status === 'skipped') {
      rec = { id, verdict: 'SKIPPED', reason: annotations.find((a) => a.type === 'skip')?.description ?? 'skipped' }
    } else if (result.status === 'passed') {
      rec = { id, verdict: 'FAILED', reason: 'the check recorded no verdict (a bug in the kit)' }
    } else {
      const message = redact(result.error?.message ?? result.status).replace(/\u001b\[[0-9;]*m/g, '')
      rec = {
        id,
        verdict: 'FAILED',
        reason: `the check could not complete: ${message.split('\n')[0]}`,
        detail: message,
      }
    }
    // a FAILED verdict whose test then passed cannot happen; a test that failed after recording PASSED is a crash
    if (result.status !== 'passed' && result.status !== 'skipped' && rec.verdict !== 'FAILED') {
      const message = redact(result.error?.message ?? result.status).split('\n')[0]
      rec = { ...rec, verdict: 'FAILED', reason: `the check crashed after its verdict: ${message}` }
    }
    const entry = resultEntry({ ...rec, id }, test.title)
    tagVerdict(test, entry.verdict)
    this.results.set(id, entry)
    this.progress(entry)
  }

  /** When an area's last check ends: its progress line (console.ts). */
  private progress(entry: ResultEntry): void {
    const a = this.areas.get(entry.area) ?? { left: 1, entries: [] }
    a.entries.push(entry)
    a.left--
    this.areas.set(entry.area, a)
    if (a.left === 0 && !this.quiet) process.stdout.write(redact(areaLine(entry.area, a.entries)))
  }

  async onEnd(result: FullResult): Promise<void> {
    let runtime: Runtime | undefined
    try {
      runtime = readRuntime()
    } catch {
      runtime = undefined // global setup did not complete: the error is already printed
    }
    // the requirement that stopped the run in global setup (a certificate that does not verify) is its verdict
    const setup = process.env[SETUP_VERDICT_ENV]
    if (!this.results.size && setup) {
      const rec = JSON.parse(setup) as VerdictRecord
      this.results.set(rec.id, resultEntry(rec, rec.id))
    }
    const gathered = {
      results: [...this.results.values()],
      contract: this.contract,
      errors: this.errors,
      budgetReached: this.budgetReached,
      started: this.started,
    }
    const report = buildReport(gathered, runtime)
    // read by Playwright's HTML reporter, whose onEnd comes after this one's (playwright.config.ts lists this first)
    process.env.PLAYWRIGHT_HTML_TITLE ??= htmlTitle(report.totals, report.target.version)
    mkdirSync(this.reportDir, { recursive: true })
    writeFileSync(join(this.reportDir, 'conformance.json'), `${redact(JSON.stringify(report, null, 2))}\n`)
    writeFileSync(join(this.reportDir, 'conformance.md'), redact(markdown(report)))
    writeFileSync(join(this.reportDir, 'conformance.html'), redact(signoffHtml(report)))
    process.stdout.write(redact(summary(report, result, this.reportDir, this.quiet)))
  }
}
