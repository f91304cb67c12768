/**
 * The run's report as data (conformance.json): its shape, and how the reporter builds it from the verdicts, the
 * runtime (or what a run stopped in setup left) and the contract facts. Every renderer (markdown.ts, html.ts,
 * console.ts, compare.ts) reads only this.
 */
import { readFileSync } from 'node:fs'
import type { ClientVerdict } from '../clients/judge.ts'
import { addRequests, MAX_RETRY_AFTER_MS, type RequestStats } from '../http/index.ts'
import { PROFILES } from '../profiles/profiles.ts'
import { nextStep, UPGRADE_PATH, type UpgradeStep } from '../profiles/upgrades.ts'
import { redactValue } from '../redact/index.ts'
import { bounded, neutral } from '../redact/neutral.ts'
import { REQUIREMENTS, REQUIREMENT_LIST, VERDICTS, type Verdict } from '../requirements/catalogue.ts'
import { SETUP_CONTEXT_ENV, type Runtime, type SetupContext } from '../runtime/runtime.ts'
import { orderFacts, type ContractFacts } from './contract.ts'
import type { VerdictRecord } from './verdict.ts'

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
  /**
   * Upgrade readiness, where the kit knows: release and changes are the next step (the next tagged release when
   * there is one); steps, every release an upgrade meets in order, each change with what an integrator must do.
   */
  upgrade?: { release: string; changes: string[]; steps?: UpgradeStep[] } | null
  totals: Record<Verdict, number>
  results: ResultEntry[]
  /** The contract fingerprint: what the run observed, as flat facts (src/report/contract.ts). */
  contract: ContractFacts
  /** Each known integration client: its request as replayed (redacted), whether it gets a token here, why, and next. */
  clients: ClientVerdict[]
}

/** The most items of one observed list the reports keep. */
const MAX_FACT_ITEMS = 50

export function kitVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
      .version
  } catch {
    return 'unknown'
  }
}

/** What a run stopped in setup left for its report, if it stopped there. */
export function setupContext(): SetupContext | undefined {
  const text = process.env[SETUP_CONTEXT_ENV]
  if (!text) return undefined
  try {
    return JSON.parse(text) as SetupContext
  } catch {
    return undefined
  }
}

/** A verdict as the report lists it: with its requirement's title, area, severity and sources. Redacted. */
export function resultEntry(rec: VerdictRecord, fallbackTitle: string): ResultEntry {
  const requirement = REQUIREMENTS[rec.id]
  return redactValue({
    ...rec,
    title: requirement?.title ?? fallbackTitle,
    area: requirement?.area ?? 'Unknown',
    severity: requirement?.severity ?? { opencrvs: 'FAILED', strict: 'FAILED' },
    sources: requirement?.sources ?? [],
  })
}

/** What the reporter gathered during the run. */
export interface Gathered {
  results: ResultEntry[]
  contract: ContractFacts
  errors: string[]
  budgetReached: boolean
  started: number
}

/** The report: the target and how its release was known, the requests, the verdicts, the contract, the clients. */
export function buildReport(g: Gathered, runtime: Runtime | undefined): ConformanceReport {
  const order = REQUIREMENT_LIST.map((r) => r.id)
  const results = [...g.results].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id))
  // the client verdicts travel as CLIENTS-01's observation; they are a list of their own, not a contract fact
  const { clients, ...observed } = g.contract
  const totals = Object.fromEntries(VERDICTS.map((v) => [v, results.filter((r) => r.verdict === v).length])) as Record<
    Verdict,
    number
  >
  // a run stopped in setup still says what it was run against, what it sent and what it saw (SetupContext)
  const stopped = runtime ? undefined : setupContext()
  // every request was sent by global setup and the evidence collection; the checks send none
  const requests = {
    ...addRequests(runtime?.setupRequests ?? stopped?.requests ?? {}),
    max: runtime?.budget.max ?? stopped?.max ?? null,
    budgetReached: g.budgetReached || stopped?.stop.cause === 'budget',
  }
  return {
    kit: { name: 'opencrvs-token-conformance', version: kitVersion() },
    target: targetOf(runtime, stopped),
    ...(stopped ? { stop: stopped.stop } : {}),
    startedAt: runtime?.startedAt ?? new Date(g.started).toISOString(),
    durationMs: Date.now() - runStart(g, runtime),
    requests,
    errors: g.errors,
    upgrade: runtime ? readiness(runtime.profileId) : null,
    totals,
    results,
    contract: runtime
      ? orderFacts({
          release: PROFILES[runtime.profileId].label,
          tokenRoute: `${new URL(runtime.target.tokenUrl).pathname} (${runtime.target.tokenRoute})`,
          ...boundedFacts(observed),
        })
      : {},
    clients: (clients as ClientVerdict[] | undefined) ?? [],
  }
}

/**
 * When the run began: the preparation's start (its requests, and any wait a rate limit imposed, are the run's), or
 * the reporter's when no preparation completed. The duration shown beside a RATE LIMITED wait is never shorter.
 */
function runStart(g: Gathered, runtime: Runtime | undefined): number {
  const prepared = Date.parse(runtime?.startedAt ?? '')
  return Number.isNaN(prepared) ? g.started : Math.min(prepared, g.started)
}

/** A target's lists (its audiences, its scopes) kept to a bound: the report's size does not grow with them. */
function boundedFacts(observed: ContractFacts): ContractFacts {
  return Object.fromEntries(
    Object.entries(observed).map(([k, v]) => [
      k,
      Array.isArray(v) && v.length > MAX_FACT_ITEMS
        ? [...v.slice(0, MAX_FACT_ITEMS), `… and ${v.length - MAX_FACT_ITEMS} more`]
        : typeof v === 'string'
          ? bounded(v, 500)
          : v,
    ]),
  )
}

function targetOf(runtime: Runtime | undefined, stopped: SetupContext | undefined): ConformanceReport['target'] {
  return {
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
  }
}

/** A run that checked tokens but verified no signature must say so: "no requirement FAILED" alone would mislead. */
export function signatureCaveat(r: ConformanceReport): string | null {
  const sig = r.results.find((x) => x.id === 'JWT-SIG-01')
  if (!sig || sig.verdict === 'PASSED' || sig.verdict === 'FAILED') return null
  return `No token signature was verified in this run (JWT-SIG-01 ${sig.verdict}: ${oneLine(sig.reason)}): the tokens' claims were read, not proven to come from this deployment.`
}

/** One line, a target's text in it neutralised (a Markdown cell's | escaped). */
export function oneLine(s: string): string {
  return neutral(s).replace(/\|/g, '\\|')
}

export function requestLine(r: ConformanceReport): string {
  const q = r.requests
  const unavailable = q.unavailable
    ? `; ${q.unavailable} answered 503 (the service unavailable, judged as the target's answer${q.unavailableResent ? `: ${q.unavailableResent} resent once after waiting ${seconds(q.unavailableWaitedMs)} in all` : ', none resent'})`
    : ''
  return `${q.total} of at most ${q.max ?? '?'} (token endpoint: ${q.token}, of which ${q.issued} issued a token; ${q.secretInUrl ?? 0} carried a real client secret in the URL${q.tokenInUrl ? `, ${q.tokenInUrl} a live access token` : ''}${unavailable})`
}

const seconds = (ms: number | undefined) => `${Math.round((ms ?? 0) / 100) / 10} s`

/** An edge's rate limit (429s only), said once and first, with what the kit did about it: never blamed on the deployment. */
export function rateLimitLine(r: ConformanceReport): string | null {
  const q = r.requests
  if (!q.rateLimited) return null
  const unanswered = r.results.filter((x) => x.verdict === 'SKIPPED' && /refused for its rate/.test(x.reason)).length
  const did = [
    q.resent ? `waited ${seconds(q.waitedMs)} in all and resent ${q.resent} request(s), slowing down each time` : '',
    q.overCap
      ? `gave up at once on ${q.overCap} request(s), because their Retry-After exceeded the longest wait it allows (${MAX_RETRY_AFTER_MS / 1000} s)`
      : '',
  ].filter(Boolean)
  return `RATE LIMITED: an edge in front of the target answered ${q.rateLimited} of ${q.total} requests with 429; the kit ${did.join(', and ') || 'resent none'}${unanswered ? `, and ${unanswered} check(s) still got no answer (SKIPPED)` : ''}. Not a finding about the deployment: set CONFORMANCE_MAX_RATE to the edge's limit (requests a second).`
}

/** Upgrade readiness for a release line: the next step, and every step an upgrade meets (upgrades.ts). */
export function readiness(profileId: string): ConformanceReport['upgrade'] {
  const next = nextStep(profileId)
  return next ? { ...next, steps: UPGRADE_PATH[profileId] } : null
}
