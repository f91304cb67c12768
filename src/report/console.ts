/**
 * What the reporter prints. While the run goes: one line per area as it completes, its counts and the ids of what
 * did not simply pass. At the end: each finding once (FAILED, then REVIEW, then WARNING; within each, the root cause
 * first: the finding other checks point at), what else a person must know, and where the reports are. With
 * CONFORMANCE_QUIET (`npm run conformance -- --quiet`, for CI logs): only the totals, the FAILED and REVIEW lines,
 * and where the reports are.
 */
import type { FullResult } from '@playwright/test/reporter'
import { join } from 'node:path'
import { excerpt } from '../redact/neutral.ts'
import { VERDICTS, type Verdict } from '../requirements/catalogue.ts'
import { cannotVouch, forIntegrators, toFix, upgradeSteps } from './findings.ts'
import {
  type ConformanceReport,
  oneLine,
  rateLimitLine,
  requestLine,
  type ResultEntry,
  signatureCaveat,
} from './model.ts'

export { findingsInOrder } from './findings.ts'

/** An area's progress line: its counts, and the ids of what did not simply pass (their reasons: in the summary). */
export function areaLine(area: string, entries: ResultEntry[]): string {
  const counts = VERDICTS.map((v) => [v, entries.filter((e) => e.verdict === v)] as const).filter(([, l]) => l.length)
  const findings = entries.filter((e) => e.verdict !== 'PASSED').map((e) => e.id)
  return `${area.padEnd(24)} ${counts.map(([v, l]) => `${l.length} ${v}`).join(', ')}${findings.length ? `  (${findings.join(', ')})` : ''}\n`
}

export function summary(r: ConformanceReport, result: FullResult, dir: string, quiet = false): string {
  const inSetup = r.stop !== undefined || !r.target.mode
  const lines = [
    '',
    ...banners(r),
    !inSetup
      ? `Conformance summary (${r.target.version}, ${r.target.mode} mode): ${VERDICTS.map((v) => `${r.totals[v]} ${v}`).join(', ')}`
      : `Conformance summary: the run stopped in setup, before the checks${r.results.length ? ` (${r.results.map((x) => `${x.id} ${x.verdict}`).join(', ')})` : ''}`,
  ]
  const limited = rateLimitLine(r)
  if (limited) lines.push(limited)
  if (!quiet)
    lines.push(
      r.requests.max === null
        ? 'Requests to the target: not counted (the run stopped during setup)'
        : `Requests to the target: ${requestLine(r)}; ${(r.durationMs / 1000).toFixed(1)} s`,
    )
  if (r.requests.budgetReached)
    lines.push(
      `REQUEST BUDGET REACHED: the kit stopped sending at CONFORMANCE_MAX_REQUESTS=${r.requests.max}; the checks after that are SKIPPED. Raise the budget or run fewer checks (--grep).`,
    )
  const shown: Verdict[] = quiet ? ['FAILED', 'REVIEW'] : ['FAILED', 'REVIEW', 'WARNING']
  const line = (x: ResultEntry) => `  ${x.verdict.padEnd(7)} ${x.id.padEnd(14)} ${oneLine(x.reason)}`
  const fix = toFix(r)
  if (fix.length) lines.push('What to fix first (this deployment):', ...fix.map(line))
  const known = quiet ? [] : forIntegrators(r)
  if (known.length)
    lines.push("What integrators should know (OpenCRVS's own, not this deployment's to fix):", ...known.map(line))
  if (!quiet) lines.push(...byId(r, 'SKIPPED'), ...byId(r, 'INFO'))
  if (result.status === 'interrupted' || result.status === 'timedout')
    lines.push(`Run ${result.status}: the verdicts above are incomplete.`)
  // the clients' list is CLIENTS-01's detail: printed when CLIENTS-01 is not already one of the findings above
  const clientsShown = r.results.some((x) => x.id === 'CLIENTS-01' && shown.includes(x.verdict))
  if (!quiet) lines.push(...upgradeLines(r), ...(clientsShown ? [] : clientLines(r)))
  lines.push(
    `Reports: ${['conformance.html', 'conformance.md', 'conformance.json'].map((f) => join(dir, f)).join(', ')}`,
  )
  lines.push(...verdictLines(r, inSetup))
  return lines.join('\n')
}

/** Verdicts a person need not read one by one: their ids, their reasons in the reports. */
function byId(r: ConformanceReport, verdict: Verdict): string[] {
  const ids = r.results.filter((x) => x.verdict === verdict).map((x) => x.id)
  return ids.length ? [`  ${verdict.padEnd(7)} ${ids.join(', ')} (each reason: conformance.html)`] : []
}

function upgradeLines(r: ConformanceReport): string[] {
  const steps = upgradeSteps(r)
  if (!steps.length) return []
  return [
    `Upgrade readiness (what the releases after ${r.target.version} change for integrators, in order):`,
    ...steps.flatMap(({ heading, step }) => [
      `  ${heading}:`,
      ...step.changes.map((c) => `    - ${c.change}${c.todo ? `\n      do: ${c.todo}` : ''}`),
    ]),
  ]
}

function clientLines(r: ConformanceReport): string[] {
  const checked = r.clients.filter((c) => c.works !== null)
  if (!checked.length) return []
  const no = checked.filter((c) => !c.works)
  const unchecked = r.clients.length - checked.length
  return [
    `Integration clients: ${checked.length - no.length} of ${r.clients.length} clients get a token here${unchecked ? ` (${unchecked} not checked)` : ''}${no.length ? '; not:' : '.'}`,
    ...no.map(
      (c) =>
        `  - ${c.name} ${c.versions}${c.required ? ' (required)' : ''}: ${excerpt(oneLine(c.answered ?? c.reason), 200)}${c.byRelease ? " (the release's own)" : ''}`,
    ),
    '  (why and the fix for each: CLIENTS-01 in conformance.md)',
  ]
}

function verdictLines(r: ConformanceReport, inSetup: boolean): string[] {
  const cause = r.errors.length ? `: ${oneLine(r.errors[0]!)}` : ''
  if (!r.results.length) return [`Verdict: NOT CHECKED. No check ran${cause}`, '']
  if (inSetup)
    return [`Verdict: ${r.results.map((x) => `${x.id} ${x.verdict}`).join(', ')}; no other check could run${cause}`, '']
  const caveat = signatureCaveat(r)
  return [
    ...banners(r),
    ...(caveat ? [caveat] : []),
    r.totals.FAILED
      ? `Verdict: ${r.totals.FAILED} requirement(s) FAILED.`
      : `Verdict: no requirement FAILED${caveat ? ', and no signature was verified' : ''}.`,
    '',
  ]
}

/** What the run cannot vouch for, as plainly as the verdict: at the top of the summary and beside the verdict. */
function banners(r: ConformanceReport): string[] {
  return cannotVouch(r).map((b) => `${b.headline}. ${b.why}`)
}
