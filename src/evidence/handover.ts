/**
 * The collected evidence goes to the Playwright workers in memory (src/evidence/loopback.ts): served until the run
 * ends, read by each worker, restarted ones too.
 */
import { fetchText, serveSecretly } from './loopback.ts'
import { parseSnapshot, type EvidenceSnapshot } from './recorder.ts'

export const EVIDENCE_ENV = 'CONFORMANCE_EVIDENCE'

/** Serve the evidence text; returns its URL and how to stop serving it. */
export function serveEvidence(text: string): Promise<{ url: string; close: () => Promise<void> }> {
  return serveSecretly((sub) => (sub === '' ? text : null))
}

/** The evidence the run serves (see EVIDENCE_ENV). */
export async function fetchEvidence(env: Record<string, string | undefined> = process.env): Promise<EvidenceSnapshot> {
  const url = env[EVIDENCE_ENV]
  if (!url)
    throw new Error(
      `${EVIDENCE_ENV} is not set: run the kit with "npm run conformance" (or npx playwright test), whose global setup collects the evidence.`,
    )
  return parseSnapshot(await fetchText(url, "the run's evidence"))
}
