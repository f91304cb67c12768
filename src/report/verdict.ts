/**
 * The verdict protocol between checks and the reporter: a check records its verdict as a Playwright
 * annotation; the reporter reads annotations, never test internals.
 */
import type { Verdict } from '../requirements/catalogue.ts'

export const VERDICT_ANNOTATION = 'conformance.verdict'
/** Contract facts a worker observed (src/report/contract.ts), new since its previous test. */
export const CONTRACT_ANNOTATION = 'conformance.contract'
/** Set by a check that stopped because the request budget was spent. */
export const BUDGET_ANNOTATION = 'conformance.budget'

export interface VerdictRecord {
  id: string
  verdict: Verdict
  /** One line a person reads first. */
  reason: string
  /** Redacted evidence and explanation, several lines allowed. */
  detail?: string
  /** How to fix it, where the fix is known. */
  fix?: string
  /** A waiver that turned this FAILED into WARNING, or one that has expired. */
  waiver?: { reason: string; until: string; expired: boolean }
}

/** Allure's severity for the verdict a violation gets in the mode. */
export const ALLURE_SEVERITY: Record<Verdict, 'critical' | 'minor' | 'trivial'> = {
  FAILED: 'critical',
  WARNING: 'minor',
  REVIEW: 'minor',
  INFO: 'trivial',
  SKIPPED: 'trivial',
  PASSED: 'trivial',
}
