/**
 * What the reports put first, shared by the sign-off page, conformance.md and the console:
 *   - what the page cannot vouch for (a demonstration run, a plain-HTTP run), said at the top as plainly as the verdict;
 *   - what the deployment must fix or decide: its own findings, FAILED then REVIEW (then what a waiver holds back);
 *   - what integrators should know: OpenCRVS's own deviations and documentation errata (WARNING), which this
 *     deployment cannot fix, each with what a client must allow for, and an edge rule that smooths one over offered
 *     as optional hardening, never as a fix.
 */
import type { Verdict } from '../requirements/catalogue.ts'
import type { UpgradeStep } from '../profiles/upgrades.ts'
import type { ConformanceReport, ResultEntry } from './model.ts'

/** The findings in the order a person acts on them: FAILED, REVIEW, WARNING; the root cause first within each. */
export function findingsInOrder(results: ResultEntry[], verdicts: Verdict[]): ResultEntry[] {
  // how many other results name each one: counted once, not at every comparison of the sort
  const pointedAt = new Map(
    results.map((r) => [r.id, results.filter((x) => x.id !== r.id && x.reason.includes(r.id)).length]),
  )
  return verdicts.flatMap((v) =>
    results.filter((x) => x.verdict === v).sort((a, b) => pointedAt.get(b.id)! - pointedAt.get(a.id)!),
  )
}

export const DEMO_BANNER = 'Demonstration: not a verdict on any deployment'
export const PLAIN_HTTP_BANNER = 'Transport not checked: plain HTTP'

/** What the run cannot vouch for: its headline and the sentence that says why. */
export function cannotVouch(r: ConformanceReport): { headline: string; why: string }[] {
  const out: { headline: string; why: string }[] = []
  const emu = r.target.emulator
  if (emu)
    out.push({
      headline: DEMO_BANNER,
      why: `This run checked the kit's bundled OpenCRVS emulator (release ${emu.release}${emu.faults.length ? `, with the faults ${emu.faults.join(', ')} injected` : ''}), not a deployment. Set OPENCRVS_GATEWAY_URL (or OPENCRVS_AUTH_URL) to check yours.`,
    })
  if (/^http:/i.test(r.target.tokenUrl)) {
    const tls = r.results.filter((x) => x.id.startsWith('TLS-')).map((x) => `${x.id} ${x.verdict}`)
    out.push({
      headline: PLAIN_HTTP_BANNER,
      why: `The token endpoint was reached over http:// (CONFORMANCE_ALLOW_HTTP=true), so TLS, certificates and HSTS were never checked${tls.length ? ` (${tls.join(', ')})` : ''}. This verdict says nothing about the transport a client will use: check the https:// address before sign-off.`,
    })
  }
  return out
}

/** The deployment's own findings: FAILED, then REVIEW (the root cause first), then the FAILED a waiver holds back. */
export function toFix(r: ConformanceReport): ResultEntry[] {
  return [...findingsInOrder(r.results, ['FAILED', 'REVIEW']), ...r.results.filter((x) => x.waiver)]
}

/** OpenCRVS's own deviations and documentation errata: WARNING, not a waived FAILED (that one is the deployment's). */
export function forIntegrators(r: ConformanceReport): ResultEntry[] {
  return findingsInOrder(
    r.results.filter((x) => !x.waiver),
    ['WARNING'],
  )
}

/**
 * A WARNING's advice split in two: what an integrator does, and the edge rule that smooths the deviation over for
 * every client (optional hardening: the deployment meets the release's behaviour without it).
 */
export function adviceOf(x: ResultEntry): { integrators: string | null; hardening: string | null } {
  if (!x.fix) return { integrators: null, hardening: null }
  const at = x.fix.search(/\b[AaOo][tn] the edge\b/)
  if (at < 0) return { integrators: x.fix, hardening: null }
  const integrators = x.fix.slice(0, at).trim()
  return { integrators: integrators || null, hardening: x.fix.slice(at).trim() }
}

export const INTEGRATORS_INTRO =
  "OpenCRVS's own deviations from the RFCs and errata in its documentation, as every deployment of this release behaves: not this deployment's to fix. A client integrating with it must allow for each."

/** Upgrade readiness as the reports show it: each release an upgrade meets, in order, with its heading. */
export function upgradeSteps(r: ConformanceReport): { heading: string; step: UpgradeStep }[] {
  const u = r.upgrade
  if (!u) return []
  const steps: UpgradeStep[] = u.steps ?? [
    { release: u.release, state: 'tagged', changes: u.changes.map((c) => ({ change: c, todo: '' })) },
  ]
  const tagged = steps.some((s) => s.state === 'tagged')
  return steps.map((step) => ({
    step,
    heading:
      step.state === 'tagged'
        ? `Next tagged release: ${step.release}`
        : step.state === 'merged'
          ? tagged
            ? `Then, merged after it: ${step.release}`
            : `No tagged release after ${r.target.version} yet; merged: ${step.release}`
          : `Proposed, not merged: ${step.release}`,
  }))
}
