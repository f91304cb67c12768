/**
 * The conformance reporter (Playwright Reporter API): a line per area as it completes (with every check
 * that did not simply pass), then a summary; reports/conformance.json (results and the contract
 * fingerprint) and reports/conformance.md (the sign-off summary). Everything it prints or writes is redacted.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
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
import { addRequests, type RequestStats } from '../http/index.ts'
import { PROFILES } from '../profiles/profiles.ts'
import { ID_PATTERN, REQUIREMENTS, REQUIREMENT_LIST, VERDICTS, type Verdict } from '../requirements/catalogue.ts'
import { redact, redactValue } from '../redact/index.ts'
import {
  readRuntime,
  SETUP_CONTEXT_ENV,
  SETUP_VERDICT_ENV,
  type Runtime,
  type SetupContext,
} from '../runtime/runtime.ts'
import { orderFacts, type ContractFacts } from './contract.ts'
import { BUDGET_ANNOTATION, CONTRACT_ANNOTATION, VERDICT_ANNOTATION, type VerdictRecord } from './verdict.ts'
import type { ClientVerdict } from '../clients/judge.ts'
import { bounded, listed, mdBlock, mdCode, neutral } from '../redact/neutral.ts'

export interface ResultEntry extends VerdictRecord {
  title: string
  area: string
  severity: { opencrvs: Verdict; strict: Verdict }
  sources: { label: string; url: string }[]
}

export interface ConformanceReport {
  kit: { name: string; version: string }
  target: {
    tokenUrl: string
    tokenRoute: string
    version: string
    declared: string
    detectedFrom: string[]
    /** How the release was identified: the signals for and against, and how sure that makes it. */
    identification: {
      profile: string
      confidence: 'high' | 'medium' | 'low' | 'declared' | 'none'
      supporting: string[]
      contradicting: string[]
      newerThanProfiles: string | null
    }
    mode: string
    emulator: { release: string; faults: string[] } | null
  }
  startedAt: string
  durationMs: number
  /** Requests sent to the target; token: to the token URL (probes included); issued: answers that carried a token. */
  requests: RequestStats & { max: number | null; budgetReached: boolean }
  /** Why no check ran (set up failed), when that happened. */
  errors: string[]
  /** A run stopped in setup: NOT CHECKED, the machine-readable cause (certificate, not-opencrvs, rate-limited, ...) and why. */
  stop?: { verdict: 'NOT CHECKED'; cause: string; reason: string }
  /** What the next release changes for this release's integrators (upgrade readiness), where the kit knows. */
  upgrade?: { release: string; changes: string[] } | null
  totals: Record<Verdict, number>
  results: ResultEntry[]
  /** The contract fingerprint: what the run observed, as flat facts (src/report/contract.ts). */
  contract: ContractFacts
  /** Each known integration client: its request as replayed (redacted), whether it gets a token here, why, and next. */
  clients: ClientVerdict[]
}

/** The most items of one observed list the reports keep. */
const MAX_FACT_ITEMS = 50

const MARK: Record<Verdict, string> = {
  PASSED: 'ok  ',
  FAILED: 'FAIL',
  WARNING: 'WARN',
  REVIEW: 'LOOK',
  INFO: 'info',
  SKIPPED: 'skip',
}

function kitVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
      .version
  } catch {
    return 'unknown'
  }
}

export default class ConformanceReporter implements Reporter {
  private results = new Map<string, ResultEntry>()
  private started = Date.now()
  private reportDir = 'reports'
  private errors: string[] = []
  private budgetReached = false
  private contract: ContractFacts = {}
  /** Per area: checks still to come, and the lines to print when the area completes. */
  private areas = new Map<string, { left: number; entries: ResultEntry[] }>()

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
    if (tests.length) process.stdout.write(`Running ${tests.length} checks in ${this.areas.size} areas\n`)
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
    this.results.set(id, entry)
    this.progress(entry)
  }

  /** When an area's last check ends: one line for the area, then each of its checks that did not simply pass. */
  private progress(entry: ResultEntry): void {
    const area = entry.area
    const a = this.areas.get(area) ?? { left: 1, entries: [] }
    a.entries.push(entry)
    a.left--
    this.areas.set(area, a)
    if (a.left > 0) return
    const counts = VERDICTS.map((v) => [v, a.entries.filter((e) => e.verdict === v).length] as const).filter(
      ([, n]) => n,
    )
    const lines = [`${area.padEnd(24)} ${counts.map(([v, n]) => `${n} ${v}`).join(', ')}`]
    for (const e of a.entries.filter((x) => x.verdict !== 'PASSED'))
      lines.push(`  ${MARK[e.verdict]} ${e.verdict.padEnd(7)} ${e.id.padEnd(14)} ${e.reason.replace(/\s*\n\s*/g, ' ')}`)
    process.stdout.write(redact(`${lines.join('\n')}\n`))
  }

  async onEnd(result: FullResult): Promise<void> {
    let runtime: Runtime | undefined
    try {
      runtime = readRuntime()
    } catch {
      runtime = undefined // global setup did not complete: the error is already printed
    }
    const order = REQUIREMENT_LIST.map((r) => r.id)
    // the requirement that stopped the run in global setup (a certificate that does not verify) is its verdict
    const setup = process.env[SETUP_VERDICT_ENV]
    if (!this.results.size && setup) {
      const rec = JSON.parse(setup) as VerdictRecord
      this.results.set(rec.id, resultEntry(rec, rec.id))
    }
    const results = [...this.results.values()].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id))
    // the client verdicts travel as CLIENTS-01's observation; they are a list of their own, not a contract fact
    const { clients, ...observed } = this.contract
    // a target's lists (its audiences, its scopes) kept to a bound: the report's size does not grow with them
    const contract = Object.fromEntries(
      Object.entries(observed).map(([k, v]) => [
        k,
        Array.isArray(v) && v.length > MAX_FACT_ITEMS
          ? [...v.slice(0, MAX_FACT_ITEMS), `… and ${v.length - MAX_FACT_ITEMS} more`]
          : typeof v === 'string'
            ? bounded(v, 500)
            : v,
      ]),
    )
    const totals = Object.fromEntries(
      VERDICTS.map((v) => [v, results.filter((r) => r.verdict === v).length]),
    ) as Record<Verdict, number>
    // a run stopped in setup still says what it was run against, what it sent and what it saw (SetupContext)
    const stopped = runtime ? undefined : setupContext()
    // every request was sent by global setup and the evidence collection; the checks send none
    const requests = {
      ...addRequests(runtime?.setupRequests ?? stopped?.requests ?? {}),
      max: runtime?.budget.max ?? stopped?.max ?? null,
      budgetReached: this.budgetReached || stopped?.stop.cause === 'budget',
    }
    const report: ConformanceReport = {
      kit: { name: 'opencrvs-token-conformance', version: kitVersion() },
      target: {
        tokenUrl: runtime?.target.tokenUrl ?? stopped?.tokenUrl ?? '(not resolved)',
        tokenRoute: runtime?.target.tokenRoute ?? stopped?.tokenRoute ?? '',
        version: runtime ? PROFILES[runtime.profileId].label : '(not resolved)',
        declared: runtime?.declared ?? stopped?.declared ?? '',
        detectedFrom: runtime?.detectedFrom ?? stopped?.identification.supporting ?? [],
        identification: {
          profile: runtime ? PROFILES[runtime.profileId].label : (stopped?.identification.profile ?? '(not resolved)'),
          confidence: !runtime
            ? 'none'
            : runtime.declared !== 'auto'
              ? 'declared'
              : runtime.conflicts.length || !runtime.detected
                ? 'low'
                : runtime.detectedFrom.length > 1 || runtime.newer
                  ? 'high'
                  : 'medium',
          supporting: runtime?.detectedFrom ?? stopped?.identification.supporting ?? [],
          contradicting: runtime?.conflicts ?? stopped?.identification.contradicting ?? [],
          newerThanProfiles: runtime?.newer ?? null,
        },
        mode: runtime?.target.mode ?? stopped?.mode ?? '',
        emulator: runtime?.emulator ?? null,
      },
      ...(stopped ? { stop: stopped.stop } : {}),
      startedAt: runtime?.startedAt ?? new Date(this.started).toISOString(),
      durationMs: Date.now() - this.started,
      requests,
      errors: this.errors,
      upgrade: runtime ? (PROFILES[runtime.profileId].nextRelease ?? null) : null,
      totals,
      results,
      contract: runtime
        ? orderFacts({
            release: PROFILES[runtime.profileId].label,
            tokenRoute: `${new URL(runtime.target.tokenUrl).pathname} (${runtime.target.tokenRoute})`,
            ...contract,
          })
        : {},
      clients: (clients as ClientVerdict[] | undefined) ?? [],
    }
    mkdirSync(this.reportDir, { recursive: true })
    writeFileSync(join(this.reportDir, 'conformance.json'), `${redact(JSON.stringify(report, null, 2))}\n`)
    writeFileSync(join(this.reportDir, 'conformance.md'), redact(markdown(report)))
    process.stdout.write(redact(summary(report, result, this.reportDir)))
  }
}

/** What a run stopped in setup left for its report, if it stopped there. */
function setupContext(): SetupContext | undefined {
  const text = process.env[SETUP_CONTEXT_ENV]
  if (!text) return undefined
  try {
    return JSON.parse(text) as SetupContext
  } catch {
    return undefined
  }
}

/** A verdict as the report lists it: with its requirement's title, area, severity and sources. Redacted. */
function resultEntry(rec: VerdictRecord, fallbackTitle: string): ResultEntry {
  const requirement = REQUIREMENTS[rec.id]
  return redactValue({
    ...rec,
    title: requirement?.title ?? fallbackTitle,
    area: requirement?.area ?? 'Unknown',
    severity: requirement?.severity ?? { opencrvs: 'FAILED', strict: 'FAILED' },
    sources: requirement?.sources ?? [],
  })
}

/** A run that checked tokens but verified no signature must say so: "no requirement FAILED" alone would mislead. */
function signatureCaveat(r: ConformanceReport): string | null {
  const sig = r.results.find((x) => x.id === 'JWT-SIG-01')
  if (!sig || sig.verdict === 'PASSED' || sig.verdict === 'FAILED') return null
  return `No token signature was verified in this run (JWT-SIG-01 ${sig.verdict}: ${oneLine(sig.reason)}): the tokens' claims were read, not proven to come from this deployment.`
}

/** One line, a target's text in it neutralised (a Markdown cell's | escaped). */
function oneLine(s: string): string {
  return neutral(s).replace(/\|/g, '\\|')
}

export function markdown(r: ConformanceReport): string {
  const failed = r.results.filter((x) => x.verdict === 'FAILED')
  const warnings = r.results.filter((x) => x.verdict === 'WARNING' || x.verdict === 'REVIEW')
  // every text that may carry a target's words goes in a code span (mdCode) or a fenced block (mdBlock): it can
  // form no link, image or HTML in a rendered report or a CI job summary
  const lines = [
    '# OpenCRVS token endpoint conformance',
    '',
    `| | |`,
    `|---|---|`,
    `| Token endpoint | ${mdCode(r.target.tokenUrl)}${r.target.emulator ? ` (bundled emulator, release ${r.target.emulator.release}${r.target.emulator.faults.length ? `, faults: ${r.target.emulator.faults.join(', ')}` : ''})` : ''} |`,
    `| Release profile | ${r.target.version} (OPENCRVS_VERSION=${mdCode(r.target.declared || '?')}) |`,
    `| Evidence | ${r.target.detectedFrom.map((e) => mdCode(e)).join('; ') || 'none'} |`,
    `| Mode | ${r.target.mode || '?'} |`,
    `| Started | ${r.startedAt} |`,
    `| Duration | ${(r.durationMs / 1000).toFixed(1)} s |`,
    `| Requests to the target | ${requestLine(r)}${r.requests.budgetReached ? ' - BUDGET REACHED, run incomplete' : ''} |`,
    `| Kit | ${r.kit.name} ${r.kit.version} |`,
    '',
    ...(rateLimitLine(r) ? [`> **${rateLimitLine(r)}**`, ''] : []),
    `**Totals:** ${VERDICTS.map((v) => `${r.totals[v]} ${v}`).join(', ')}`,
    '',
    ...(r.results.length
      ? []
      : ['**NOT CHECKED: no check ran.**', '', ...r.errors.map((e) => `> ${mdCode(e, false)}`), '']),
  ]
  const waived = r.results.filter((x) => x.waiver)
  if (waived.length) {
    lines.push('## Waivers', '')
    for (const w of waived)
      lines.push(
        `- **${w.id}** ${w.waiver!.expired ? `waiver EXPIRED on ${w.waiver!.until}, not applied` : `waived until ${w.waiver!.until}`}: ${mdCode(w.waiver!.reason, false)}`,
      )
    lines.push('')
  }
  if (failed.length) {
    lines.push('## Fix first', '')
    for (const f of failed)
      lines.push(`- **${f.id}** ${mdCode(f.reason, false)}${f.fix ? `  \n  How to fix: ${mdCode(f.fix, false)}` : ''}`)
    lines.push('')
  }
  if (warnings.length) {
    lines.push('## Warnings and items to review', '')
    for (const w of warnings)
      lines.push(
        `- **${w.id}** (${w.verdict}) ${mdCode(w.reason, false)}${w.fix ? `  \n  ${mdCode(w.fix, false)}` : ''}`,
      )
    lines.push('')
  }
  if (r.upgrade) {
    lines.push(
      `## Upgrade readiness: ${r.upgrade.release}`,
      '',
      "What the next release changes for this release's integrators:",
      '',
    )
    for (const c of r.upgrade.changes) lines.push(`- ${c}`)
    lines.push('')
  }
  const caveat = signatureCaveat(r)
  if (caveat) lines.push(`> **${caveat}**`, '')
  if (r.clients.length) {
    lines.push(
      '## Integration clients',
      '',
      "Each known client's token request, replayed as the client sends it with a dummy secret (CLIENTS-01).",
      '',
      '| Client | Versions | Gets a token here | Why | Next release |',
      '|---|---|---|---|---|',
    )
    for (const c of r.clients)
      lines.push(
        `| ${oneLine(c.name)}${c.required ? ' (required)' : ''} | ${oneLine(c.versions)} | ${c.works === null ? 'not checked' : c.works ? 'yes' : '**no**'} | ${mdCode(c.reason)}${c.fix ? ` Fix: ${mdCode(c.fix)}` : ''} | ${oneLine(c.nextRelease)} |`,
      )
    lines.push('')
  }
  lines.push('## Every requirement', '', '| Id | Verdict | Requirement | Result |', '|---|---|---|---|')
  for (const x of r.results) lines.push(`| ${x.id} | ${x.verdict} | ${oneLine(x.title)} | ${mdCode(x.reason)} |`)
  const facts = Object.entries(r.contract)
  if (facts.length) {
    lines.push(
      '',
      '## Contract fingerprint',
      '',
      'What this run observed of the token contract (compare two runs with `npm run compare -- before.json after.json`).',
      '',
      '| Item | Observed |',
      '|---|---|',
    )
    for (const [k, v] of facts) lines.push(`| ${mdCode(k)} | ${mdCode(factText(v))} |`)
  }
  lines.push('', '## Evidence', '')
  for (const x of r.results.filter((y) => y.detail)) {
    lines.push(
      `### ${x.id} (${x.verdict})`,
      '',
      mdBlock(x.detail ?? ''),
      '',
      `Sources: ${x.sources.map((s) => `[${s.label}](${s.url})`).join(', ')}`,
      '',
    )
  }
  return `${lines.join('\n')}\n`
}

/** A contract fact as the report shows it: a target's long list cut to a handful. */
function factText(v: unknown): string {
  if (Array.isArray(v)) return `[${listed(v)}]`
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? '')
}

function requestLine(r: ConformanceReport): string {
  return `${r.requests.total} of at most ${r.requests.max ?? '?'} (token endpoint: ${r.requests.token}, of which ${r.requests.issued} issued a token; ${r.requests.secretInUrl ?? 0} carried a real client secret in the URL${r.requests.tokenInUrl ? `, ${r.requests.tokenInUrl} a live access token` : ''})`
}

/** An edge's rate limit, said once and first: never blamed on the deployment. */
export function rateLimitLine(r: ConformanceReport): string | null {
  if (!r.requests.rateLimited) return null
  const unanswered = r.results.filter((x) => x.verdict === 'SKIPPED' && /refused for its rate/.test(x.reason)).length
  return `RATE LIMITED: an edge in front of the target answered ${r.requests.rateLimited} of ${r.requests.total} requests with 429 (or 503 with Retry-After); the kit waited as asked, slowed down and sent them again${unanswered ? `, and ${unanswered} check(s) still got no answer (SKIPPED)` : ''}. Not a finding about the deployment: set CONFORMANCE_MAX_RATE to the edge's limit (requests a second).`
}

function summary(r: ConformanceReport, result: FullResult, dir: string): string {
  const inSetup = r.stop !== undefined || !r.target.mode
  const lines = [
    '',
    !inSetup
      ? `Conformance summary (${r.target.version}, ${r.target.mode} mode): ${VERDICTS.map((v) => `${r.totals[v]} ${v}`).join(', ')}`
      : `Conformance summary: the run stopped in setup, before the checks${r.results.length ? ` (${r.results.map((x) => `${x.id} ${x.verdict}`).join(', ')})` : ''}`,
  ]
  const limited = rateLimitLine(r)
  if (limited) lines.push(limited)
  lines.push(
    r.requests.max === null
      ? 'Requests to the target: not counted (the run stopped during setup)'
      : `Requests to the target: ${requestLine(r)}; ${(r.durationMs / 1000).toFixed(1)} s`,
  )
  if (r.requests.budgetReached)
    lines.push(
      `REQUEST BUDGET REACHED: the kit stopped sending at CONFORMANCE_MAX_REQUESTS=${r.requests.max}; the checks after that are SKIPPED. Raise the budget or run fewer checks (--grep).`,
    )
  for (const x of r.results.filter((y) => y.verdict === 'FAILED' || y.verdict === 'WARNING'))
    lines.push(`  ${x.verdict.padEnd(7)} ${x.id.padEnd(14)} ${oneLine(x.reason)}`)
  if (result.status === 'interrupted' || result.status === 'timedout')
    lines.push(`Run ${result.status}: the verdicts above are incomplete.`)
  if (r.upgrade)
    lines.push(
      `Upgrade readiness: ${r.upgrade.release} changes this for integrators:`,
      ...r.upgrade.changes.map((c) => `  - ${c}`),
    )
  const checked = r.clients.filter((c) => c.works !== null)
  if (checked.length) {
    const no = checked.filter((c) => !c.works)
    lines.push(
      `Integration clients: ${checked.length - no.length} of ${checked.length} known clients get a token here${no.length ? '; not:' : '.'}`,
      ...no.map(
        (c) =>
          `  - ${c.name} ${c.versions}${c.required ? ' (required)' : ''}: ${oneLine(c.answered ?? c.reason).slice(0, 200)}${c.byRelease ? " (the release's own)" : ''}`,
      ),
      '  (why and the fix for each: CLIENTS-01 in conformance.md)',
    )
  }
  lines.push(`Reports: ${join(dir, 'conformance.md')}, ${join(dir, 'conformance.json')}`)
  if (!r.results.length)
    lines.push(`Verdict: NOT CHECKED. No check ran${r.errors.length ? `: ${oneLine(r.errors[0]!)}` : ''}`, '')
  else if (inSetup)
    lines.push(
      `Verdict: ${r.results.map((x) => `${x.id} ${x.verdict}`).join(', ')}; no other check could run${r.errors.length ? `: ${oneLine(r.errors[0]!)}` : ''}`,
      '',
    )
  else {
    const caveat = signatureCaveat(r)
    if (caveat) lines.push(caveat)
    lines.push(
      r.totals.FAILED
        ? `Verdict: ${r.totals.FAILED} requirement(s) FAILED.`
        : `Verdict: no requirement FAILED${caveat ? ', and no signature was verified' : ''}.`,
      '',
    )
  }
  return lines.join('\n')
}
