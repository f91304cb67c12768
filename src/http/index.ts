/**
 * Every request the kit sends to a target goes through an HttpClient: raw undici (no redirects, none of undici's own
 * retries), counted, with tokens registered for redaction the moment a response carries one. It resends a request
 * in two cases only (HttpClient.send; docs/operating.md "Rate-limiting edges"): after a 429, waiting as asked, and
 * after a 503, once, after a short wait.
 */
import { readFileSync } from 'node:fs'
import type { Dispatcher } from 'undici'
import { redact, registerToken, secretForms } from '../redact/index.ts'
import { neutral } from '../redact/neutral.ts'
import { tlsErrorCode, tlsFailure } from './tls.ts'
import { connectFor, type ConnectTo } from './connect-to.ts'

export interface HttpRequest {
  method: string
  url: string
  headers?: Record<string, string>
  body?: string
}

export interface HttpExchange {
  request: HttpRequest
  status: number
  /** Response headers, names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>
  bodyText: string
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: unknown
  durationMs: number
}

/**
 * Every exchange HttpClient.send made, by identity: the evidence's text leaves their parsed bodies out (their text
 * is there) and finds them by this, never by member names a target's JSON could also use (src/evidence/recorder.ts).
 */
export const EXCHANGES = new WeakSet<object>()

/** The most of a response body the kit reads: token, error and key answers are a few kB. */
export const MAX_BODY_BYTES = 512 * 1024

/** The target answered in a way the kit will not wait for or read: past the deadline, or a body over the cap. */
export class TargetMisbehaved extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TargetMisbehaved'
    this.stack = message // a finding about the target, not a crash of the kit
  }
}

/** The target's TLS failed verification: what is wrong, in words (tls.ts tlsFailure). Named once, by TLS-02. */
export class TlsFailure extends TargetMisbehaved {
  constructor(message: string) {
    super(message)
    this.name = 'TlsFailure'
  }
}

/**
 * Requests sent: all of them, those to the token endpoint, the answers that carried a token, those that carried a
 * configured client's real secret in their URL, and those that carried a live access token in their URL (proxies
 * and gateways log URLs: the kit never does the latter).
 */
export interface RequestStats {
  total: number
  token: number
  issued: number
  secretInUrl: number
  tokenInUrl: number
  /** Answers refused for their rate: 429 (RFC 6585 §4), the only status that says so. */
  rateLimited: number
  /** Answers 503 (RFC 9110 §15.6.4: the service unavailable, with or without Retry-After): the target's answer. */
  unavailable?: number
  /** Requests sent again after a 429, and the time waited before them, in milliseconds. */
  resent?: number
  waitedMs?: number
  /** The same after a 503 (each resent once at most). */
  unavailableResent?: number
  unavailableWaitedMs?: number
  /** 429s given up on at once, because their Retry-After exceeded the longest wait the kit allows. */
  overCap?: number
}
export const noRequests = (): RequestStats => ({
  total: 0,
  token: 0,
  issued: 0,
  secretInUrl: 0,
  tokenInUrl: 0,
  rateLimited: 0,
  unavailable: 0,
  resent: 0,
  waitedMs: 0,
  unavailableResent: 0,
  unavailableWaitedMs: 0,
  overCap: 0,
})
/** Two processes' counts together (the setup's and the collection's), every count there is. */
export function addRequests(a: Partial<RequestStats>, b: Partial<RequestStats> = {}): RequestStats {
  const sum = noRequests()
  for (const k of Object.keys(sum) as Array<keyof RequestStats>) sum[k] = (a[k] ?? 0) + (b[k] ?? 0)
  return sum
}

/** The run's request budget (CONFORMANCE_MAX_REQUESTS), and what was spent before a client took it over. */
export interface Budget {
  max: number
  spent: number
}

/** Nothing answered: the host does not resolve, refuses the connection, or cannot be routed to. */
export class Unreachable extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'Unreachable'
    this.stack = message
  }
}

/**
 * What an HTTP client's error means, in words a person can act on, and whether the target answered at all ("cannot
 * reach" only when nothing did). Null for an error the kit does not know: it is thrown as it is.
 */
export function transportInWords(e: unknown, status: number | undefined): { reached: boolean; text: string } | null {
  const err = e as { code?: string; message?: string; cause?: { code?: string; message?: string } }
  const code = err.code ?? ''
  const cause = err.cause?.code ?? ''
  const either = (c: string) => code === c || cause === c
  if (either('UND_ERR_HEADERS_OVERFLOW'))
    return {
      reached: true,
      text: 'answered with response headers over 16 kB (the most the kit reads): it stopped reading them',
    }
  if (
    code.startsWith('HPE_') ||
    cause.startsWith('HPE_') ||
    /Parse Error|HPE_|does not match the HTTP\/1\.1 protocol/.test(
      `${err.message ?? ''} ${err.cause?.message ?? ''}`,
    ) ||
    either('UND_ERR_RESPONSE')
  )
    return { reached: true, text: 'answered with a malformed HTTP response (not a valid status line or headers)' }
  const reset =
    either('ECONNRESET') || either('UND_ERR_SOCKET') || either('EPIPE') || /other side closed/.test(err.message ?? '')
  if (reset && status !== undefined)
    return {
      reached: true,
      text: `closed the connection in the middle of its answer (HTTP ${status}, the body cut short)`,
    }
  if (reset) return { reached: true, text: 'closed the connection before answering' }
  if (either('ECONNREFUSED')) return { reached: false, text: 'the connection was refused (nothing listens there)' }
  if (either('ENOTFOUND')) return { reached: false, text: 'the host name does not resolve' }
  if (either('EAI_AGAIN'))
    return { reached: false, text: 'the host name could not be resolved now (DNS did not answer)' }
  if (either('EHOSTUNREACH') || either('ENETUNREACH')) return { reached: false, text: 'there is no route to the host' }
  if (either('UND_ERR_CONNECT_TIMEOUT') || either('ETIMEDOUT'))
    return { reached: false, text: 'the connection timed out before it was made' }
  return null
}

/**
 * An edge kept refusing a request for its rate (429) after the kit waited as told and resent it, or asked for a longer
 * wait than the kit allows: the request got no answer from the target. The run names the limit once; the checks that
 * needed it skip. A 503 is never this: it is the target's answer (the service unavailable), judged as one.
 */
export class RateLimited extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RateLimited'
    this.stack = message
  }
}

/**
 * The run, not the target, stopped this request: the budget is spent, or an edge kept refusing it for its rate. Such
 * an error is never a finding about what the request was for: whoever sent it passes it on.
 */
export function runStopped(e: unknown): e is BudgetExceeded | RateLimited {
  return e instanceof BudgetExceeded || e instanceof RateLimited
}

export class BudgetExceeded extends Error {
  constructor(readonly max: number) {
    super(
      `request budget reached: CONFORMANCE_MAX_REQUESTS=${max} requests have been sent to the target, so the run sends no more`,
    )
    this.name = 'BudgetExceeded'
  }
}

export interface HttpOptions {
  /** The token endpoint's URL, to count the requests sent to it. */
  tokenUrl?: string
  /**
   * The run's request budget: `max` for the whole run, of which `spent` went before this client (the setup's
   * requests, handed to the collection with the runtime). Held in the process: the run's processes send one after
   * the other (setup, then the collection), never at once, so no file is shared.
   */
  budget?: Budget
  /** A private CA (OPENCRVS_CA_FILE) trusted besides the system's. Certificate verification is never turned off. */
  caFile?: string
  /**
   * How long one request may take, connect, headers and body together (CONFORMANCE_REQUEST_TIMEOUT_SECONDS):
   * undici's own timeouts are idle timeouts, which a target dripping a byte at a time resets forever.
   */
  deadlineSeconds?: number
  /** The configured clients' secrets, to count the requests that carry one in their URL. */
  realSecrets?: string[]
  /** CONFORMANCE_CONNECT_TO: host names connected to at a given address and port (as curl --connect-to). */
  connectTo?: ConnectTo[]
  /** CONFORMANCE_MAX_RATE: the most requests a second this client starts (an edge's known limit). */
  maxRate?: number
}

/** How often one request is resent after a 429, and the longest Retry-After the kit waits for. */
export const RATE_RETRIES = 4
export const MAX_RETRY_AFTER_MS = 30_000
/** A 503 is resent once, after at most this long (its Retry-After, or a second when it names none); never after more. */
export const MAX_UNAVAILABLE_WAIT_MS = 5_000

/** How long a 429 asks the kit to wait before resending (a second when it does not say), or null for any other answer. */
export function retryAfterMs(ex: Pick<HttpExchange, 'status' | 'headers'>, now = Date.now()): number | null {
  if (ex.status !== 429) return null
  return waitAsked(ex.headers['retry-after'], now) ?? 1000
}

/** A Retry-After header's wait in milliseconds (seconds or an HTTP date), or null when absent or unreadable. */
function waitAsked(header: string | undefined, now: number): number | null {
  if (header === undefined) return null
  if (/^\s*\d+\s*$/.test(header)) return Number(header) * 1000
  const at = Date.parse(header)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

/**
 * How long to wait before resending a 503 once (the service may be restarting), or null to take it as the answer: a
 * Retry-After longer than MAX_UNAVAILABLE_WAIT_MS (a maintenance page's 120 s) is an answer, not a wait.
 */
export function unavailableWaitMs(ex: Pick<HttpExchange, 'status' | 'headers'>, now = Date.now()): number | null {
  if (ex.status !== 503) return null
  const asked = waitAsked(ex.headers['retry-after'], now) ?? 1000
  return asked <= MAX_UNAVAILABLE_WAIT_MS ? asked : null
}

/** Seconds, as a person reads them: "120 s", "0.5 s". */
const secondsOf = (ms: number) => `${Math.round(ms / 100) / 10} s`

/** undici, loaded with the first request: the processes that only grade the evidence (Playwright's) never load it. */
let undici: Promise<typeof import('undici')> | undefined

/**
 * The kit's only way to the target: raw undici (no redirects; resends only as send() says), under the run's budget, deadline and
 * body cap, counted, with tokens registered for redaction the moment a response carries one. One per run (or per
 * process of a run), made from the run's configuration: runs in one process do not share it.
 */
export class HttpClient {
  /** Requests this client sent (see RequestStats). */
  readonly stats = noRequests()
  /** The access tokens answers carried, to count a request that would put one in its URL. */
  private readonly issuedTokens = new Set<string>()
  /** The extra CA certificates in force (OPENCRVS_CA_FILE), for the TLS probes too. */
  readonly ca: string | undefined
  private dispatcher: Dispatcher | undefined
  private readonly deadlineMs: number
  private readonly tokenEndpoint: string | undefined
  private readonly realSecrets: string[]
  private readonly budget: Budget | undefined
  private readonly connectTo: ConnectTo[]
  /** Requests and TLS connections taken from the budget so far, the ones before this client included. */
  private spentCount: number
  /** What went wrong with each origin's TLS, worked out once (see tls.ts tlsFailure). */
  readonly tlsFailures = new Map<string, Promise<string>>()

  constructor(opts: HttpOptions = {}) {
    this.ca = opts.caFile ? readFileSync(opts.caFile, 'utf8') : undefined
    this.deadlineMs = (opts.deadlineSeconds ?? 15) * 1000
    this.tokenEndpoint = opts.tokenUrl?.split('?')[0]
    this.realSecrets = (opts.realSecrets ?? []).flatMap(secretForms)
    this.budget = opts.budget
    this.spentCount = opts.budget?.spent ?? 0
    this.connectTo = opts.connectTo ?? []
    this.gapMs = opts.maxRate ? Math.ceil(1000 / opts.maxRate) : 0
  }

  /**
   * undici's connector with the extra CA, and for a host name CONFORMANCE_CONNECT_TO lists, the connection made to
   * its address and port instead (TLS still verified for the name: its SNI and certificate check keep it).
   */
  private connector(build: typeof import('undici').buildConnector): import('undici').buildConnector.connector {
    const base = build({ ...(this.ca ? { ca: this.ca } : {}) })
    return (opts, callback) => {
      const to = connectFor(this.connectTo, opts.hostname)
      if (!to) return base(opts, callback)
      return base(
        { ...opts, hostname: to.address, port: String(to.port), servername: opts.servername ?? opts.hostname },
        callback,
      )
    }
  }

  /** What the run has spent of its budget so far, to hand to the next process that sends. */
  get spent(): number {
    return this.spentCount
  }

  /** Take one request (or TLS connection) from the budget. */
  spend(): void {
    if (!this.budget) return
    if (this.spentCount >= this.budget.max) throw new BudgetExceeded(this.budget.max)
    this.spentCount++
  }

  /** The earliest start of the next request (pacing), and the end of an edge's Retry-After pause. */
  private nextSlot = 0
  private pausedUntil = 0
  private gapMs = 0
  /** When the most recent requests started, to estimate the rate an edge allows when it refuses one. */
  private readonly starts: number[] = []

  /** Wait for this request's turn: CONFORMANCE_MAX_RATE, or the pace a rate-limiting edge has taught. */
  private async turn(): Promise<void> {
    const now = Date.now()
    const at = Math.max(now, this.nextSlot, this.pausedUntil)
    this.nextSlot = at + this.gapMs
    if (at > now) await new Promise((r) => setTimeout(r, at - now))
    this.starts.push(Date.now())
    if (this.starts.length > 64) this.starts.shift()
  }

  /**
   * An edge refused a request for its rate: pause as it asked, and from then on start requests no faster than it
   * let through (the starts of the last second, less one), slower each time it refuses again, at most one a second.
   */
  private slowDown(waitMs: number): void {
    const now = Date.now()
    this.pausedUntil = Math.max(this.pausedUntil, now + Math.min(waitMs, MAX_RETRY_AFTER_MS))
    const lastSecond = this.starts.filter((t) => t > now - 1000).length
    this.gapMs = Math.min(1000, Math.max(this.gapMs + 25, Math.ceil(1000 / Math.max(1, lastSecond - 1))))
  }

  /**
   * Send one request under the run's budget, pace and deadline. A 429 (RFC 6585 §4) is an edge's refusal for the
   * rate, no answer about the target: the kit waits as told (at most MAX_RETRY_AFTER_MS), slows down and sends it
   * again, a few times; still refused, or told to wait longer than that, RateLimited, saying which. A 503 (RFC 9110
   * §15.6.4) is the target's answer: resent once after a short wait (MAX_UNAVAILABLE_WAIT_MS), then returned as it
   * is, for the checks to judge. Every send counts in the budget; every wait and resend in the stats.
   */
  async send(req: HttpRequest, timeoutMs = this.deadlineMs): Promise<HttpExchange> {
    let resentUnavailable = false
    for (let attempt = 1; ; attempt++) {
      await this.turn()
      const ex = await this.once(req, timeoutMs)
      if (ex.status === 503) {
        this.stats.unavailable = (this.stats.unavailable ?? 0) + 1
        const wait = unavailableWaitMs(ex)
        if (wait === null || resentUnavailable) return ex
        resentUnavailable = true
        await this.resendAfter(wait, 'unavailable')
        continue
      }
      const wait = retryAfterMs(ex)
      if (wait === null) return ex
      this.stats.rateLimited++
      if (wait > MAX_RETRY_AFTER_MS) {
        this.stats.overCap = (this.stats.overCap ?? 0) + 1
        throw new RateLimited(
          `${this.refusedLine(req, ex, attempt)}: the kit gave up on it at once, because its Retry-After (${secondsOf(wait)}) exceeds the longest wait it allows (${secondsOf(MAX_RETRY_AFTER_MS)})`,
        )
      }
      if (attempt > RATE_RETRIES)
        throw new RateLimited(
          `${this.refusedLine(req, ex, attempt)}: the kit resent it ${attempt - 1} time(s), waiting as asked, and then stopped`,
        )
      this.slowDown(wait)
      await this.resendAfter(0, 'rate')
    }
  }

  /** Count a resend and the wait before it (the pause slowDown set, or the given one), and wait. */
  private async resendAfter(waitMs: number, why: 'rate' | 'unavailable'): Promise<void> {
    const until = Math.max(why === 'rate' ? this.pausedUntil : 0, Date.now() + waitMs)
    const wait = Math.max(0, until - Date.now())
    const [count, waited] =
      why === 'rate' ? (['resent', 'waitedMs'] as const) : (['unavailableResent', 'unavailableWaitedMs'] as const)
    this.stats[count] = (this.stats[count] ?? 0) + 1
    this.stats[waited] = (this.stats[waited] ?? 0) + wait
    if (wait) await new Promise((r) => setTimeout(r, wait))
  }

  /** "<request> was refused for its rate N time(s) (HTTP 429, Retry-After: ...)": an edge limits the request rate. */
  private refusedLine(req: HttpRequest, ex: HttpExchange, attempt: number): string {
    const after = ex.headers['retry-after'] ? `, Retry-After: ${neutral(ex.headers['retry-after'], { max: 40 })}` : ''
    return `${redact(`${req.method} ${req.url}`)} was refused for its rate ${attempt} time(s) (HTTP ${ex.status}${after}; an edge in front of the target limits the request rate)`
  }

  private async once(req: HttpRequest, timeoutMs: number): Promise<HttpExchange> {
    this.spend()
    const { Agent, buildConnector, request } = await (undici ??= import('undici'))
    if (this.ca || this.connectTo.length) this.dispatcher ??= new Agent({ connect: this.connector(buildConnector) })
    this.count(req)
    const started = Date.now()
    const what = () => redact(`${req.method} ${req.url}`)
    const deadline = new AbortController()
    const timer = setTimeout(() => deadline.abort(), timeoutMs)
    let res: Dispatcher.ResponseData
    /** The status, once the answer's head has arrived: a failure after it is the target's, mid-answer. */
    let status: number | undefined
    let bodyText = ''
    try {
      res = await request(req.url, {
        method: req.method as 'POST',
        headers: req.headers ?? {},
        ...(req.body !== undefined ? { body: req.body } : {}),
        signal: deadline.signal,
        // a connection of its own for every request (Connection: close): no idle socket the target closed while the
        // kit was busy is ever reused, so a reset is always the target's answer, never a race of keep-alive timers
        reset: true,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      })
      status = res.statusCode
      if (req.method !== 'HEAD') bodyText = await readBounded(res, what)
      else await res.body.dump()
    } catch (e) {
      if (tlsErrorCode(e)) throw new TlsFailure(await tlsFailure(this, req.url, e))
      if (deadline.signal.aborted) {
        throw new TargetMisbehaved(
          `${what()} did not complete within ${timeoutMs / 1000} s (the kit's deadline for connect, headers and body together, CONFORMANCE_REQUEST_TIMEOUT_SECONDS)`,
        )
      }
      if (e instanceof TargetMisbehaved) throw e
      const words = transportInWords(e, status)
      if (words)
        throw words.reached
          ? new TargetMisbehaved(`${what()} ${words.text}`)
          : new Unreachable(`${what()}: ${words.text}`)
      throw e
    } finally {
      clearTimeout(timer)
    }
    const json = parseJson(bodyText)
    this.noteIssued(accessToken({ json }))
    const exchange: HttpExchange = {
      request: req,
      status: res.statusCode,
      headers: headersOf(res),
      bodyText,
      json,
      durationMs: Date.now() - started,
    }
    EXCHANGES.add(exchange)
    return exchange
  }

  /** What the request counts show: every request, those to the token endpoint, and any secret or token in a URL. */
  private count(req: HttpRequest): void {
    this.stats.total++
    if (this.tokenEndpoint && req.url.split('?')[0] === this.tokenEndpoint) this.stats.token++
    if (this.realSecrets.some((s) => req.url.includes(s))) this.stats.secretInUrl++
    if ([...this.issuedTokens].some((t) => carriesToken(req.url, t))) this.stats.tokenInUrl++
  }

  /**
   * Tokens issued to another client of the run (global setup's, handed to the collection): watched for in URLs as
   * this client's own are, not counted again as issued.
   */
  knowIssued(tokens: Array<string | undefined>): void {
    for (const t of tokens) if (t && this.issuedTokens.size < 64) this.issuedTokens.add(t)
  }

  /** A token the target issued: redacted from every output from now on, and watched for in URLs. */
  private noteIssued(token: string | undefined): void {
    if (!token) return
    registerToken(token)
    this.stats.issued++
    if (this.issuedTokens.size < 64) this.issuedTokens.add(token)
  }
}

/**
 * Whether a URL carries an issued token, or anything it can be rebuilt from: the whole token, its signature (an edited
 * payload under the live signature is the live token to anyone who undoes the edit), or its header and payload.
 */
export function carriesToken(url: string, token: string): boolean {
  const [h, p, sig] = token.split('.')
  if (url.includes(token)) return true
  if (sig && sig.length >= 16 && url.includes(sig)) return true
  return !!(h && p && url.includes(`${h}.${p}`))
}

/** The body, read up to MAX_BODY_BYTES: a target that sends more is named for it, and the rest is never read. */
async function readBounded(res: Dispatcher.ResponseData, what: () => string): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) {
      res.body.destroy()
      throw new TargetMisbehaved(
        `${what()} answered HTTP ${res.statusCode} with a body over ${MAX_BODY_BYTES / 1024} kB, where a token, error or key answer is a few kB: the kit stopped reading it`,
      )
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Header names in lower case, repeated headers joined as one. */
function headersOf(res: Dispatcher.ResponseData): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(res.headers)) {
    if (v === undefined) continue
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v)
  }
  return headers
}

/** The OAuth error code an answer's JSON body carries (RFC 6749 §5.2 `error`), if any. */
export function errorCode(ex: Pick<HttpExchange, 'json'>): unknown {
  return (ex.json as { error?: unknown } | undefined)?.error
}

/** A body's JSON, or undefined when it is empty or not JSON. */
export function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined
  } catch {
    return undefined
  }
}

/** The OAuth error codes of RFC 6749 §5.2 (a Boom body's "error" is an HTTP reason phrase, not one of these). */
export const OAUTH_ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
]

/** The access token an answer's JSON body carries, if it carries one as a string. */
export function accessToken(ex: Pick<HttpExchange, 'json'>): string | undefined {
  const t = (ex.json as { access_token?: unknown } | undefined)?.access_token
  return typeof t === 'string' ? t : undefined
}

export type TokenFormat = 'query' | 'json' | 'form'
export type Params = Record<string, string | string[]>

function toSearch(params: Params): string {
  const sp = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) sp.append(k, one)
  return sp.toString()
}

/** A token request in one format: parameters in the query string, a JSON body, or a form body. */
export function tokenRequest(
  tokenUrl: string,
  format: TokenFormat,
  params: Params,
  extraHeaders: Record<string, string> = {},
): HttpRequest {
  if (format === 'query') {
    const search = toSearch(params)
    return { method: 'POST', url: search ? `${tokenUrl}?${search}` : tokenUrl, headers: { ...extraHeaders } }
  }
  if (format === 'json') {
    return {
      method: 'POST',
      url: tokenUrl,
      headers: { 'content-type': 'application/json', ...extraHeaders },
      body: JSON.stringify(params),
    }
  }
  return {
    method: 'POST',
    url: tokenUrl,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...extraHeaders },
    body: toSearch(params),
  }
}

/** An exchange as redacted evidence: request line, status, headers, body. Never a secret or a whole token. */
export function evidence(ex: HttpExchange, opts: { headers?: string[] } = {}): string {
  const shown = opts.headers ?? ['content-type', 'cache-control', 'pragma', 'www-authenticate', 'x-version']
  const lines = [`${ex.request.method} ${ex.request.url}`]
  if (ex.request.headers?.['content-type']) lines.push(`  content-type: ${ex.request.headers['content-type']}`)
  if (ex.request.body !== undefined) lines.push(`  body: ${ex.request.body}`)
  lines.push(`-> ${ex.status}`)
  // a target's text: one line each, controls escaped, bounded (src/redact/neutral.ts)
  for (const h of shown) lines.push(`  ${h}: ${neutral(ex.headers[h] ?? '(absent)', { max: 200 })}`)
  // redact the whole body before cutting it: a cut through a secret would leave its first characters
  const whole = redact(ex.bodyText)
  lines.push(`  body: ${neutral(whole, { max: 600 })}`)
  return redact(lines.join('\n'))
}
