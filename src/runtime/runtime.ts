/**
 * The resolved run: the target (configured, or the bundled emulator), the release profile in force and how
 * it was chosen. prepare.ts builds it once and hands it to the workers and the reporter through
 * CONFORMANCE_RUNTIME (process memory only; never written to disk).
 */
import { isQuiet } from '../config/env.ts'
import type { Target } from '../config/index.ts'
import { accessToken, errorCode, HttpClient, type Budget, type HttpExchange, type RequestStats } from '../http/index.ts'
import type { PublishedKey } from '../jwt/keys.ts'
import type { Detection } from '../profiles/detect.ts'
import type { ClientType, ProfileId } from '../profiles/profiles.ts'
import { registerSecret } from '../redact/index.ts'

export interface Runtime {
  target: Target
  profileId: ProfileId
  /** What OPENCRVS_VERSION declared ('auto' when nothing). */
  declared: string
  detected: ProfileId | null
  detectedFrom: string[]
  conflicts: string[]
  /**
   * Other release lines the independent evidence does not rule out (auto-detection only): a shortfall that is
   * genuine behaviour of one of them is REVIEW, never FAILED, since the choice between them rested on weak signals.
   */
  candidates: ProfileId[]
  /**
   * Per kind of signal (detect.ts): the release, and its candidates, that the evidence other than that kind
   * identifies. A check that grades that signal is judged against it (auto-detection only).
   */
  without?: Detection['without']
  /** X-Version of a release newer than every profile: judged against the newest, every FAILED becomes REVIEW. */
  newer?: string
  /** A body (not the query) issued a token in identification: no real secret goes in a URL, whatever the release. */
  readsBody?: boolean
  /** X-Version when every other signal contradicts it: set aside, it picks no release and softens no verdict. */
  xVersionContradicted?: string
  emulator?: { release: string; faults: string[] }
  setupRequests: RequestStats
  /** The signing key, loaded once here (public: it may travel to the workers). */
  key: PublishedKey
  /**
   * Each configured client's token requests, made once by global setup and handed to the evidence collection in
   * memory (never written to disk); empty in the workers, which read them from the evidence.
   */
  tokenRequests: SeededAttempt[]
  /** The run's request budget, and what the setup spent of it (the collection goes on from there). */
  budget: Budget
  startedAt: string
}

/** A token request global setup made for a client type, in one format, and what came back. */
export interface SeededAttempt {
  type: ClientType
  format: 'form' | 'json' | 'query'
  exchange: HttpExchange
  receivedAt: number
}

/**
 * The credential check ran and refused the client (401, or invalid_client): the credential does not work. Trying it
 * in another format (the query string last) would only put a real secret in a URL, and no format's answer to a
 * credential that does not work says anything about the release.
 */
export function credentialRefused(exchange: Pick<HttpExchange, 'status' | 'json'>): boolean {
  return accessToken(exchange) === undefined && (exchange.status === 401 || errorCode(exchange) === 'invalid_client')
}

/**
 * The body's parameters were not found: a 4xx naming a missing parameter (invalid_request, or OpenCRVS's
 * unsupported_grant_type for a missing grant_type), as a release that reads only the query answers a body. Only
 * this, or a release known to read only the query, lets a real secret go into a URL: never a 5xx, a rate limit, a
 * timeout or a network error, which say nothing of where the release reads credentials.
 */
export function parametersMissing(exchange: Pick<HttpExchange, 'status' | 'json'>): boolean {
  const code = errorCode(exchange)
  const client = exchange.status >= 400 && exchange.status < 500 && ![408, 429].includes(exchange.status)
  return client && (code === 'invalid_request' || code === 'unsupported_grant_type')
}

export const RUNTIME_ENV = 'CONFORMANCE_RUNTIME'
/** The verdict of a requirement that stopped the run in global setup (a certificate that does not verify: TLS-02). */
export const SETUP_VERDICT_ENV = 'CONFORMANCE_SETUP_VERDICT'
/** What a run that stopped in setup still reports (SetupContext, JSON): set only then. */
export const SETUP_CONTEXT_ENV = 'CONFORMANCE_SETUP_CONTEXT'

/** A run stopped in setup: its target, mode and requests, what identification saw, and why it stopped. */
export interface SetupContext {
  tokenUrl: string
  tokenRoute: string
  mode: string
  declared: string
  requests: RequestStats
  max: number
  identification: { profile: string | null; supporting: string[]; contradicting: string[] }
  stop: { verdict: 'NOT CHECKED'; cause: string; reason: string }
}

/** Read the runtime global-setup published, registering every secret in it for redaction. */
export function readRuntime(env: Record<string, string | undefined> = process.env): Runtime {
  const text = env[RUNTIME_ENV]
  if (!text)
    throw new Error(
      `${RUNTIME_ENV} is not set: run the kit with "npm run conformance" (or npx playwright test), which sets it up.`,
    )
  const runtime = JSON.parse(text) as Runtime
  registerTargetSecrets(runtime.target)
  return runtime
}

/** The run's HTTP client for a target: its token URL, budget, CA, deadline and real secrets (to count them in URLs). */
export function httpClientFor(target: Target, budget?: Budget): HttpClient {
  return new HttpClient({
    tokenUrl: target.tokenUrl,
    budget,
    caFile: target.caFile,
    deadlineSeconds: target.requestTimeoutSeconds,
    realSecrets: clientSecrets(target),
    connectTo: target.connectTo,
    ...(target.maxRate ? { maxRate: target.maxRate } : {}),
  })
}

/**
 * Every real secret the run may send, to count those that ride in a URL: the configured clients', the deactivated
 * client's, and every lifecycle secret (on v1.x each goes in the token request's query string, the only place the
 * release reads it, so the deployment's access logs hold it like any other).
 */
export function clientSecrets(target: Target): string[] {
  const l = target.lifecycle
  return [
    ...Object.values(target.clients).map((c) => c?.secret),
    target.deactivated?.secret,
    l.rotated?.oldSecret,
    l.rotated?.secret,
    l.deleted?.secret,
    l.reenabled?.secret,
    ...(l.retired?.credentials ?? []).map((c) => c.secret),
  ].filter((s): s is string => !!s)
}

/** Every secret the target holds joins the registry: clients, the deactivated client, and every lifecycle secret, old and new. */
export function registerTargetSecrets(target: Target): void {
  for (const c of Object.values(target.clients)) registerSecret(c?.secret, `${c?.type.toLowerCase()} client secret`)
  registerSecret(target.deactivated?.secret, 'deactivated client secret')
  const l = target.lifecycle
  registerSecret(l.rotated?.oldSecret, 'rotated client old secret')
  registerSecret(l.rotated?.secret, 'rotated client secret')
  registerSecret(l.deleted?.secret, 'deleted client secret')
  registerSecret(l.reenabled?.secret, 're-enabled client secret')
  for (const c of l.retired?.credentials ?? []) registerSecret(c.secret, 'retired client secret')
}

/** Where the preparation says what it is checking (the operator's first lines): nowhere in quiet mode. */
export function setupLog(env: Record<string, string | undefined>): (line: string) => void {
  return isQuiet(env) ? () => {} : (line) => console.log(line)
}
