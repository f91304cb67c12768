/**
 * The conformance reporter (Playwright Reporter API): reads each check's verdict from its annotations, prints a line
 * per area in catalogue order as the areas complete (the same lines in the same order run after run, so two logs
 * diff to what changed) and a summary at the end (console.ts), and writes reports/conformance.json (model.ts),
 * conformance.md (markdown.ts), conformance.html (html.ts, the sign-off page) and junit.xml (junit.ts). Everything
 * it prints or writes is redacted.
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
import { ID_PATTERN, REQUIREMENT_LIST, REQUIREMENTS } from '../requirements/catalogue.ts'
import { redact } from '../redact/index.ts'
import { readRuntime, SETUP_VERDICT_ENV, type Runtime } from '../runtime/runtime.ts'
import type { ContractFacts } from './contract.ts'
import { BUDGET_ANNOTATION, CONTRACT_ANNOTATION, VERDICT_ANNOTATION, type VerdictRecord } from './verdict.ts'
import { neutral } from '../redact/neutral.ts'
import { isQuiet } from '../config/env.ts'
import { areaLine, summary } from './console.ts'
import { signoffHtml } from './html.ts'
import { junitXml } from './junit.ts'
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
  /** Checks that could not complete (a crash, not a verdict): JUnit's <error>, not <failure>. */
  private crashed = new Set<string>()
  /** Per area: checks still to come, and the lines to print when the area completes. */
  private areas = new Map<string, { left: number; entries: ResultEntry[]; printed?: boolean }>()
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
    // the areas in catalogue order (a check of no known area last): the order their lines are printed in
    const order = [...new Set([...REQUIREMENT_LIST.map((r) => r.area), 'Unknown'])]
    this.areas = new Map(order.filter((a) => this.areas.has(a)).map((a) => [a, this.areas.get(a)!]))
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
      this.crashed.add(id)
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
      this.crashed.add(id)
      rec = { ...rec, verdict: 'FAILED', reason: `the check crashed after its verdict: ${message}` }
    }
    const entry = resultEntry({ ...rec, id }, test.title)
    tagVerdict(test, entry.verdict)
    this.results.set(id, entry)
    this.progress(entry)
  }

  /**
   * When an area's last check ends: its progress line (console.ts), and those of the complete areas after it, in
   * catalogue order; an area that completes before an earlier one waits for it.
   */
  private progress(entry: ResultEntry): void {
    const a = this.areas.get(entry.area) ?? { left: 1, entries: [] }
    a.entries.push(entry)
    a.left--
    this.areas.set(entry.area, a)
    for (const [area, next] of this.areas) {
      if (next.left > 0) break
      if (next.printed) continue
      next.printed = true
      if (!this.quiet) process.stdout.write(redact(areaLine(area, sortedByCatalogue(next.entries))))
    }
  }

  async onEnd(result: FullResult): Promise<void> {
    // an interrupted run: the areas that did not complete, and those waiting behind them, as far as they got
    for (const [area, a] of this.areas)
      if (!a.printed && a.entries.length && !this.quiet)
        process.stdout.write(redact(areaLine(area, sortedByCatalogue(a.entries))))
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
    writeFileSync(join(this.reportDir, 'junit.xml'), redact(junitXml(report, this.crashed)))
    process.stdout.write(redact(summary(report, result, this.reportDir, this.quiet)))
  }
}

const CATALOGUE_ORDER = new Map(REQUIREMENT_LIST.map((r, i) => [r.id, i]))
/** An area's results in catalogue order, whatever order the workers finished them in. */
const sortedByCatalogue = (entries: ResultEntry[]) =>
  [...entries].sort((a, b) => (CATALOGUE_ORDER.get(a.id) ?? 1e6) - (CATALOGUE_ORDER.get(b.id) ?? 1e6))
