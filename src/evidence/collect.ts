/**
 * The collection: every check body runs once, live, against stores that send each request the checks need
 * (once per run, under the budget, deadline and size cap) and keep the answers. The outcomes it computes on the
 * way are the same the graders compute again from the kept evidence; the self-tests use them directly.
 */
import { registry } from './collecting.ts' // first: the spec files below register with it, not with Playwright
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL, fileURLToPath } from 'node:url'
import type { CollectedCheck } from '../../fixtures/index.ts'
import { buildKit, REVIVE, type Fixtures } from '../../fixtures/kit.ts'
import { Observations } from '../../fixtures/observations.ts'
import { ConformanceFailure, grade as verdictOf, settle, type Outcome } from '../../fixtures/check.ts'
import type { VerdictRecord } from '../report/verdict.ts'
import { PROFILES } from '../profiles/profiles.ts'
import { httpClientFor, registerTargetSecrets, type Runtime } from '../runtime/runtime.ts'
import { redact } from '../redact/index.ts'
import { accessToken } from '../http/index.ts'
import { Recorder, serializeSnapshot, type EvidenceSnapshot } from './recorder.ts'

const SPECS = fileURLToPath(new URL('../../specs/', import.meta.url))

let checks: Promise<CollectedCheck[]> | undefined
/** Every check of the spec files, in file order, loaded outside Playwright (once per process). */
export function loadChecks(): Promise<CollectedCheck[]> {
  checks ??= (async () => {
    for (const file of readdirSync(SPECS)
      .filter((f) => f.endsWith('.spec.ts'))
      .sort())
      await import(pathToFileURL(join(SPECS, file)).href)
    return registry
  })()
  return checks
}

/** How many check bodies run at once: their requests overlap, as two workers' did, without a burst. */
const LANES = 4

/** Run every check body once, live, and keep what they asked for. */
export async function collect(
  runtime: Runtime,
): Promise<{ snapshot: EvidenceSnapshot; outcomes: Map<string, Outcome | Error> }> {
  const target = runtime.target
  registerTargetSecrets(target)
  const http = httpClientFor(target, runtime.budget)
  // the tokens global setup obtained: no URL the collection sends may carry one, nor what it can be rebuilt from
  http.knowIssued(runtime.tokenRequests.map((a) => accessToken(a.exchange)))
  const recorder = Recorder.live(http, REVIVE)
  const kit = buildKit(runtime, recorder, new Observations())
  const all = await loadChecks()
  // the second token (JWT-FRESH-01, JWT-CLM-03) waits for the next second: started first, its wait overlaps the
  // rest; only when the first token was issued, as those checks ask for it only then
  const first = kit.tokens.firstType()
  kit.tokens
    .primary(first)
    .then((a) => (a.compact && a.decoded ? kit.tokens.second(first) : undefined))
    .catch(() => {})
  const outcomes = new Map<string, Outcome | Error>()
  let next = 0
  const lane = async () => {
    for (let c = all[next++]; c; c = all[next++]) outcomes.set(c.requirement.id, await outcomeOf(c, kit))
  }
  await Promise.all(Array.from({ length: LANES }, lane))
  return { snapshot: recorder.snapshot(), outcomes }
}

/** The collection as it is handed over: the evidence's text, served as it is to the workers, and the requests it cost. */
export type Collected = { text: string; requests: EvidenceSnapshot['requests'] }

/** The collection, handed over as text; its failure in words, redacted. */
export async function collectText(runtime: Runtime): Promise<Collected> {
  try {
    const { snapshot } = await collect(runtime)
    return { text: serializeSnapshot(snapshot), requests: snapshot.requests }
  } catch (e) {
    throw new Error(redact(`the evidence collection stopped: ${(e as Error).message}`))
  }
}

/**
 * Grade kept evidence: every check body over a replaying recorder (nothing is sent; no server is needed), the
 * pure function the Playwright tests apply. Returns each check's outcome, as collect() does.
 */
export async function grade(runtime: Runtime, snapshot: EvidenceSnapshot): Promise<Map<string, Outcome | Error>> {
  const kit = buildKit(runtime, Recorder.replay(snapshot, REVIVE), new Observations())
  const outcomes = new Map<string, Outcome | Error>()
  for (const c of await loadChecks()) outcomes.set(c.requirement.id, await outcomeOf(c, kit))
  return outcomes
}

/** A check body's outcome, or the error it ended in. */
async function outcomeOf(c: CollectedCheck, kit: Fixtures): Promise<Outcome | Error> {
  try {
    return await c.body(kit)
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e))
  }
}

/**
 * The verdict of every check from what the collection computed, as the Playwright run records it (SKIPPED for a
 * check that cannot run here, FAILED "could not complete" for one that threw). For the self-tests: the run as
 * graded, without starting Playwright.
 */
export async function verdicts(runtime: Runtime, outcomes: Map<string, Outcome | Error>): Promise<VerdictRecord[]> {
  const target = runtime.target
  const newer = runtime.newer ? { version: runtime.newer, newest: PROFILES[runtime.profileId].label } : undefined
  return (await loadChecks()).map(({ requirement: r }) => {
    const got = outcomes.get(r.id)
    let outcome: Outcome
    try {
      outcome = got instanceof Error ? settle(got) : (got ?? { kind: 'skip', reason: 'not collected' })
    } catch (e) {
      const message =
        e instanceof ConformanceFailure
          ? e.message
          : `the check could not complete: ${(e as Error).message.split('\n')[0]}`
      return { id: r.id, verdict: 'FAILED', reason: message }
    }
    return verdictOf(r, outcome, target.mode, target.waivers, undefined, newer)
  })
}
