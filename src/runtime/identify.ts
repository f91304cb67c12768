/**
 * Identification: what the token endpoint's first answers say about it, before anything is judged. The empty
 * request, the gateway's X-Version, a first token (the body before the query, so no secret rides in a URL where the
 * release reads the body), the token-exchange answer that tells v2.0 from what follows it; and the two root causes
 * that stop a run here: no OAuth answer at all, or nothing that marks OpenCRVS.
 */
import type { ClientCredentials, Target } from '../config/index.ts'
import { accessToken, errorCode, type HttpClient, type HttpExchange, runStopped, tokenRequest } from '../http/index.ts'
import { randomUUID } from 'node:crypto'
import { decodeCompact } from '../jwt/index.ts'
import type { Evidence } from '../profiles/detect.ts'
import { profileForRelease, TOKEN_EXCHANGE } from '../profiles/profiles.ts'
import { redact } from '../redact/index.ts'
import { credentialRefused, parametersMissing, type SeededAttempt } from './runtime.ts'

/** The one thing the operator must fix before any check can run. */
export class RootCause extends Error {}

/** The very first request found nothing at the token URL: a wrong path, never the deployment's behaviour. */
export class PathNotFound extends RootCause {}

function pathNotFound(target: Target, first: HttpExchange): void {
  if (first.status !== 404) return
  throw new PathNotFound(
    `The token endpoint ${redact(target.tokenUrl)} answered HTTP 404 Not Found to the first request: nothing is served at that path, so nothing there can be checked, and no credential was sent to it. ` +
      "Check the URL: OPENCRVS_AUTH_URL is the auth service's base (the kit adds /token), OPENCRVS_GATEWAY_URL the gateway's (the kit adds /auth/token), OPENCRVS_TOKEN_URL the whole token URL.",
  )
}

/** An answer no OAuth token endpoint gives: a server error, a redirect, or a body that is not JSON. */
function notOAuth(ex: HttpExchange): string | null {
  const type = ex.headers['content-type']?.split(';')[0] ?? 'no content type'
  if (ex.status >= 300 && ex.status < 400)
    return `HTTP ${ex.status} (a redirect to ${ex.headers.location ?? 'nowhere'}, not followed)`
  if (ex.status >= 500) return `HTTP ${ex.status} (${type})`
  if (ex.json === undefined) return `HTTP ${ex.status} with a body that is not JSON (${type})`
  return null
}

/** Gather the identification's evidence into `evidence` (kept when the gathering stops: the report says what it saw). */
export async function gatherEvidence(
  http: HttpClient,
  target: Target,
  seeds: SeededAttempt[],
  evidence: Evidence,
): Promise<Evidence> {
  const answers = [await askEmpty(http, target, evidence)]
  pathNotFound(target, answers[0]!) // before any credential is sent there
  await askGatewayVersion(http, target, evidence)
  const readFormat = await firstToken(http, target, seeds, evidence, answers)
  noOAuthAnswer(target, answers)
  await askTokenExchange(http, target, evidence, readFormat, answers)
  notOpenCrvs(target, answers, evidence)
  return evidence
}

/** The request with no parameters: its error code, and X-Version when the gateway answers it. */
async function askEmpty(http: HttpClient, target: Target, evidence: Evidence): Promise<HttpExchange> {
  const bare = await http.send({ method: 'POST', url: target.tokenUrl })
  const err = errorCode(bare)
  if (typeof err === 'string') evidence.noParamsError = err
  if (bare.headers['x-version']) evidence.xVersion = bare.headers['x-version']
  return bare
}

/**
 * The auth service never sends X-Version; the gateway's /auth/token proxy does (v1.5 on): the release's own word,
 * independent of everything the checks grade. No parameters, so no secret.
 */
async function askGatewayVersion(http: HttpClient, target: Target, evidence: Evidence): Promise<void> {
  if (evidence.xVersion || !target.gatewayUrl || target.tokenRoute === 'gateway') return
  const proxied = await http.send({ method: 'POST', url: `${target.gatewayUrl}/auth/token` }).catch((e: Error) => {
    if (runStopped(e)) throw e
    return undefined // the gateway's own checks (GATEWAY-01, TLS-02) say what is wrong with it, once
  })
  if (proxied?.headers['x-version']) evidence.xVersion = proxied.headers['x-version']
}

/**
 * One client's first token: the body first, so no secret rides in a URL where the release reads the body (v2.0);
 * the query (v1.x) after. Returns the format that issued it.
 */
async function firstToken(
  http: HttpClient,
  target: Target,
  seeds: SeededAttempt[],
  evidence: Evidence,
  answers: HttpExchange[],
): Promise<'form' | 'query' | undefined> {
  const { NOTIFICATION, SEARCH, ...others } = target.clients
  // a client whose credential is refused (TOKEN-CRED-01 names it) gives way to the next: its token is seeded anyway
  for (const client of [NOTIFICATION, SEARCH, ...Object.values(others)]) {
    if (!client) continue
    const format = await clientToken(http, target, client, seeds, evidence, answers)
    if (format !== 'refused') return format
  }
  return undefined
}

/**
 * One client's first token, the body before the query; 'refused' when the credential check refused it. A 5xx or
 * a network error to the body is tried once more (still the body: a proxy's hiccup must not push a real secret
 * into a URL). The query only where the release is known to read nothing else (declared or X-Version v1.x), or
 * where the body got a 4xx saying its parameters were missing.
 */
async function clientToken(
  http: HttpClient,
  target: Target,
  client: ClientCredentials,
  seeds: SeededAttempt[],
  evidence: Evidence,
  answers: HttpExchange[],
): Promise<'form' | 'query' | 'refused' | undefined> {
  const params = { client_id: client.id, client_secret: client.secret, grant_type: 'client_credentials' }
  let body: HttpExchange | undefined
  for (const format of ['form', 'query'] as const) {
    if (format === 'query' && !readsOnlyQuery(target, evidence) && !(body && parametersMissing(body))) break
    const res = await sendOnce(http, tokenRequest(target.tokenUrl, format, params), format === 'form', answers)
    answers.push(res)
    seeds.push({ type: client.type, format, exchange: res, receivedAt: Date.now() })
    body = res
    const token = accessToken(res)
    if (credentialRefused(res)) return 'refused' // the credential does not work: no real secret goes to the query
    if (res.status !== 200 || !token) continue
    try {
      evidence.claims = decodeCompact(token).claims
      evidence.clientId = client.id
    } catch {
      /* not a JWT: the checks report it */
    }
    return format
  }
  return undefined
}

/** The release is known to read credentials only from the query string (v1.x): declared, or the gateway's X-Version. */
function readsOnlyQuery(target: Target, evidence: Evidence): boolean {
  const profile =
    target.version !== 'auto' ? target.version.profile : evidence.xVersion ? profileForRelease(evidence.xVersion) : null
  return !!profile && !profile.requestFormats.form && !profile.requestFormats.json
}

/** A request, sent again once (when `again`) after a 5xx or a network error; the first answer joins `answers`. */
async function sendOnce(
  http: HttpClient,
  request: Parameters<HttpClient['send']>[0],
  again: boolean,
  answers: HttpExchange[],
): Promise<HttpExchange> {
  const first = await http.send(request).catch((e: Error) => {
    if (runStopped(e) || !again) throw e
    return e
  })
  if (!again || (!(first instanceof Error) && first.status < 500)) {
    if (first instanceof Error) throw first
    return first
  }
  if (!(first instanceof Error)) answers.push(first)
  return http.send(request)
}

/** Root cause first: a token endpoint that gives no OAuth answer to anything, a valid request included. */
function noOAuthAnswer(target: Target, answers: HttpExchange[]): void {
  const broken = answers.map(notOAuth)
  if (broken.some((b) => b === null)) return
  const seen = [...new Set(broken)].join(', then ')
  throw new RootCause(
    `The token endpoint ${redact(target.tokenUrl)} answers ${seen} to every request, one with valid credentials included: it gives no OAuth answer at all ` +
      `(a proxy's error page in front of a service that is down, or the wrong URL). Fix that first; no check can run against it.`,
  )
}

/**
 * The token-exchange answer, asked on every line (opencrvs-token-contract.md, opencrvs-after-v2.0.md §8): v1.3-v1.6
 * and what follows v2.0.0 have no such grant, v1.7-v1.8 want record_id, v1.9 and v2.0 take event_id and action_id
 * and check the subject token. A dummy subject token, no real credential: on v1.x a dummy client_id and secret too,
 * since v1.3-v1.6 ask for all three before the grant type. In the format that issued the token above (a body this
 * deployment does not read would look like a missing grant_type).
 */
async function askTokenExchange(
  http: HttpClient,
  target: Target,
  evidence: Evidence,
  readFormat: 'form' | 'query' | undefined,
  answers: HttpExchange[],
): Promise<void> {
  const aud = evidence.claims?.aud
  if (!readFormat || !Array.isArray(aud)) return
  const v1 = aud.includes('opencrvs:hearth-user')
  if (!v1 && !aud.includes('opencrvs:events-user')) return
  const exchange = await http.send(
    tokenRequest(target.tokenUrl, readFormat, {
      grant_type: TOKEN_EXCHANGE,
      subject_token: randomUUID(),
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      requested_token_type: 'urn:opencrvs:oauth:token-type:single_record_token',
      event_id: randomUUID(),
      action_id: randomUUID(),
      ...(v1 ? { client_id: randomUUID(), client_secret: randomUUID() } : {}),
    }),
  )
  const code = errorCode(exchange)
  if (typeof code === 'string') evidence.tokenExchange = code
  answers.push(exchange)
}

/**
 * A target whose answers carry no mark of OpenCRVS at all is not judged against an OpenCRVS profile: the run
 * stops, NOT CHECKED, saying why. One wrong claim is a defect of an OpenCRVS deployment, not another product:
 * any one mark (an error_uri into the OpenCRVS docs, an X-Version header, an opencrvs iss or audience, a userType
 * claim) is enough to go on.
 */
function notOpenCrvs(target: Target, answers: HttpExchange[], evidence: Evidence): void {
  const marks: string[] = []
  if (
    answers.some((a) =>
      JSON.stringify((a.json as { error_uri?: unknown } | undefined)?.error_uri ?? '').includes('opencrvs'),
    )
  )
    marks.push('error_uri')
  if (evidence.xVersion) marks.push('X-Version')
  const c = evidence.claims
  if (c && String(c.iss ?? '').includes('opencrvs')) marks.push('iss')
  if (c && (Array.isArray(c.aud) ? c.aud : [c.aud]).some((a) => String(a ?? '').includes('opencrvs'))) marks.push('aud')
  if (c && 'userType' in c) marks.push('userType')
  if (marks.length || !answers.some((a) => a.json !== undefined)) return
  const seen: string[] = []
  const err = answers
    .map((a) => a.json as { error?: unknown; error_uri?: unknown; expires_in?: unknown } | undefined)
    .filter((j) => j && typeof j.error === 'string')
  seen.push(
    `error answers (${[...new Set(err.map((j) => String(j!.error)))].join(', ') || 'none'}) carry no error_uri into the OpenCRVS documentation`,
  )
  if (c)
    seen.push(
      `the token's iss is ${JSON.stringify(c.iss)} and its aud ${JSON.stringify(c.aud)} (OpenCRVS: opencrvs:auth-service and opencrvs:*-user), with no userType claim`,
    )
  if (answers.some((a) => (a.json as { expires_in?: unknown } | undefined)?.expires_in !== undefined))
    seen.push('the token response carries expires_in, which no OpenCRVS release sends')
  seen.push('no X-Version header')
  throw new RootCause(
    `${redact(target.tokenUrl)} does not look like an OpenCRVS token endpoint: ${seen.join('; ')}. It is not judged against an OpenCRVS release profile. Check the URL (OPENCRVS_AUTH_URL, OPENCRVS_GATEWAY_URL or OPENCRVS_TOKEN_URL).`,
  )
}
