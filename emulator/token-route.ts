/**
 * The auth service's routes: POST /token (oauthToken/handler.ts: the client-credentials grant, and the
 * token-exchange grant from v1.7), the routes beside it (/.well-known, /ping, v1.x /anonymous-token), and how a
 * release reads the parameters. The faults that change how parameters are read, or how a grant answers, are read
 * once, in routeFaults().
 */
import type Hapi from '@hapi/hapi'
import { randomBytes, verify, type KeyObject } from 'node:crypto'
import type { ClientRegistry } from './clients.ts'
import {
  QUERY_TOKEN_PARAMS,
  TOKEN_EXCHANGE,
  audienceFor,
  convertLegacyScopes,
  scopesFor,
  type Line,
} from './releases.ts'
import type { Issuer } from './tokens.ts'

export interface AuthService {
  line: Line
  /** The 2.1 preview (lines after v2.0 run as 2.0 otherwise). */
  preview21: boolean
  faults: Set<string>
  lifetime: number
  events: string[]
  registry: ClientRegistry
  issuer: Issuer
  /** The key subject tokens (token exchange) are verified with. */
  publicKey: KeyObject
  publicKeyPem: string
}

function routeFaults(faults: Set<string>) {
  return {
    queryIgnored: faults.has('query-ignored'),
    jsonIgnored: faults.has('json-body-ignored'),
    formIgnored: faults.has('form-body-ignored'),
    lastGrantType: faults.has('duplicate-grant-type-last-wins'),
    firstClientId: faults.has('duplicate-client-id-first-wins'),
    grantTypeLoose: faults.has('grant-type-case-insensitive'),
    queryRefused: faults.has('node-env-development'),
    basicAuth: faults.has('basic-auth'),
    missingGrantInvalidRequest: faults.has('missing-grant-type-invalid-request'),
    anyGrantType: faults.has('any-grant-type'),
    tokenExchangeOpen: faults.has('token-exchange-open'),
    missingSecretAccepted: faults.has('missing-secret-accepted'),
    deactivatedAccepted: faults.has('deactivated-accepted'),
    unknownClient400: faults.has('unknown-client-400'),
    echoSecret: faults.has('echo-secret'),
    echoSecretHalf: faults.has('echo-secret-half'),
    echoSecretUpper: faults.has('echo-secret-upper'),
    unknownDistinct: faults.has('unknown-client-distinct-body'),
    searchGetsNotification: faults.has('search-gets-notification-scopes'),
    docsScopeNames: faults.has('docs-scope-names'),
    scopeExtra: faults.has('scope-extra'),
    notificationScopes: notificationScopeFault(faults),
    noUserType: faults.has('usertype-missing'),
    searchUserTypeUser: faults.has('search-usertype-user'),
    secretInClaims: faults.has('secret-in-claims'),
    tokenReuse: faults.has('token-reuse'),
    opaque: faults.has('opaque-token'),
    getIssues: faults.has('get-issues-token'),
  } as const
}
type RouteFaults = ReturnType<typeof routeFaults>

/** The notification client's scopes in another line's shape: what each such fault does to the stored set. */
function notificationScopeFault(faults: Set<string>): ((scopes: string[]) => string[]) | undefined {
  if (faults.has('notification-lacks-record-scopes')) return (scopes) => scopes.filter((x) => !x.startsWith('record.'))
  if (faults.has('notification-declare-scope')) return (scopes) => ['declare', ...scopes]
  if (faults.has('notification-without-declare')) return (scopes) => scopes.filter((x) => x !== 'declare')
  return undefined
}

/** One parameter as the release reads it: v1.x the query; v2.0 oauthToken/utils.ts `payload?.[key] || query[key]`. */
function readParam(svc: AuthService, is: RouteFaults, request: Hapi.Request, key: string): unknown {
  const query = is.queryIgnored ? {} : (request.query as Record<string, unknown>)
  if (svc.line !== '2.0') return query[key]
  const type = String(request.headers['content-type'] ?? '')
  const bodyIgnored =
    (is.jsonIgnored && type.includes('json')) || (is.formIgnored && type.includes('x-www-form-urlencoded'))
  const payload = bodyIgnored ? undefined : (request.payload as Record<string, unknown> | null | undefined)
  return payload?.[key] || query[key]
}

function param(svc: AuthService, is: RouteFaults, request: Hapi.Request, key: string): unknown {
  const v = readParam(svc, is, request, key)
  if (Array.isArray(v) && key === 'grant_type' && is.lastGrantType) return v[v.length - 1]
  if (Array.isArray(v) && key === 'client_id' && is.firstClientId) return v[0]
  if (key === 'grant_type' && typeof v === 'string' && is.grantTypeLoose) return v.trim().toLowerCase()
  return v
}

/** The client-credentials grant: the client looked up, its scopes, the token. */
function clientCredentials(svc: AuthService, is: RouteFaults, reused: Map<string, string>) {
  return (h: Hapi.ResponseToolkit, clientId: unknown, secret: unknown): Hapi.ResponseObject => {
    const { line, registry, issuer } = svc
    const c = is.missingSecretAccepted && !secret ? registry.byId(clientId) : registry.lookup(clientId, secret)
    if (!c || (c.status !== 'active' && !is.deactivatedAccepted)) {
      const known = registry.known(clientId)
      if (typeof clientId === 'string' && !known && is.unknownClient400)
        return issuer.oauthError(h, 'invalid_request', 400)
      const description = is.echoSecret
        ? `Invalid client id or secret: ${String(secret)}`
        : is.echoSecretHalf
          ? `Invalid client secret starting ${String(secret).slice(0, Math.floor(String(secret).length / 2))}…`
          : is.echoSecretUpper
            ? `Invalid client secret ${String(secret).toUpperCase()}`
            : is.unknownDistinct && !known
              ? 'Unknown client id'
              : undefined
      return issuer.oauthError(h, 'invalid_client', 401, description)
    }
    const stored =
      is.notificationScopes && c.type === 'HEALTH'
        ? is.notificationScopes(c.scopes)
        : is.searchGetsNotification && c.type === 'RECORD_SEARCH'
          ? [...c.scopes, ...scopesFor(line, 'HEALTH', svc.events)]
          : is.docsScopeNames && c.type === 'HEALTH'
            ? ['health']
            : is.scopeExtra && c.type === 'HEALTH'
              ? [...c.scopes, ...scopesFor(line, 'RECORD_SEARCH', svc.events)]
              : c.scopes
    const scope = line === '2.0' ? convertLegacyScopes(stored) : stored
    const payload: Record<string, unknown> = { scope }
    if ((line === '1.9' || line === '2.0') && !is.noUserType)
      payload.userType = is.searchUserTypeUser && c.type === 'RECORD_SEARCH' ? 'user' : 'system'
    payload.aud = audienceFor(line, scope)
    // v1.9 client-credentials.ts: temporary = !scope.includes('record.import') -> CONFIG_TOKEN_EXPIRY_SECONDS (7 days)
    const expiresIn = line === '1.9' && scope.includes('record.import') ? 604800 : svc.lifetime
    const subject = line === '2.0' ? c.clientId : c.systemId
    if (is.secretInClaims) payload.client_secret = c.secret
    if (is.tokenReuse && reused.has(c.clientId)) return issuer.success(h, reused.get(c.clientId)!)
    const token = is.opaque ? randomBytes(32).toString('hex') : issuer.sign(payload, subject, expiresIn)
    reused.set(c.clientId, token)
    return issuer.success(h, token)
  }
}

function verifySubjectToken(svc: AuthService, token: string): Record<string, unknown> | null {
  const [h, p, s] = token.split('.')
  if (!h || !p || !s) return null
  if (!verify('sha256', Buffer.from(`${h}.${p}`), svc.publicKey, Buffer.from(s, 'base64url'))) return null
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>
  if (claims.iss !== 'opencrvs:auth-service' || !(claims.aud as string[]).includes('opencrvs:auth-user')) return null
  if (typeof claims.exp === 'number' && claims.exp < Date.now() / 1000) return null
  return claims
}

/** The token-exchange grant (v1.7 on): a single-record token for a valid user token. */
function tokenExchange(svc: AuthService, p: (k: string) => unknown, h: Hapi.ResponseToolkit) {
  const { line, issuer } = svc
  const subjectToken = p('subject_token')
  const recordIds =
    line === '1.7'
      ? [p('record_id')]
      : line === '1.9' && p('record_id')
        ? [p('record_id')]
        : [p('event_id'), p('action_id')]
  if (
    !subjectToken ||
    p('subject_token_type') !== 'urn:ietf:params:oauth:token-type:access_token' ||
    p('requested_token_type') !== 'urn:opencrvs:oauth:token-type:single_record_token' ||
    recordIds.some((v) => !v)
  ) {
    return issuer.oauthError(h, 'invalid_request', 400)
  }
  const subject = verifySubjectToken(svc, String(subjectToken))
  if (!subject)
    return h
      .response({ error: 'unauthorized_client', error_description: 'Invalid subject token' })
      .code(401)
      .header('Cache-Control', 'no-store')
  const scope = ['record.confirm-registration', 'record.reject-registration']
  return issuer.success(h, issuer.sign({ scope, aud: audienceFor(line, []) }, String(subject.sub), 604800))
}

/** PR #13626 (2.1 where NODE_ENV is not production): OAuth parameters in the query are refused before anything else. */
function queryRefused(svc: AuthService, request: Hapi.Request, h: Hapi.ResponseToolkit) {
  // the key counts even when empty or also in the body. The exact description was not found (no post-v2.0
  // responses.ts): this one names the parameters, as the PR says
  const inQuery = QUERY_TOKEN_PARAMS.filter((k) => k in (request.query as object))
  if (!inQuery.length) return undefined
  return svc.issuer.oauthError(
    h,
    'invalid_request',
    400,
    `OAuth parameters in the query string are not accepted: ${inQuery.join(', ')}. Send them in the request body.`,
  )
}

/** POST /token: the parameters read as the release reads them, then the grant (oauthToken/handler.ts). */
function tokenHandler(svc: AuthService, is: RouteFaults, grant: ReturnType<typeof clientCredentials>) {
  const { line, preview21, issuer } = svc
  return (request: Hapi.Request, h: Hapi.ResponseToolkit) => {
    const refused = preview21 && is.queryRefused ? queryRefused(svc, request, h) : undefined
    if (refused) return refused
    const p = (k: string) => param(svc, is, request, k)
    const grantType = p('grant_type')
    let clientId = p('client_id')
    let secret = p('client_secret')
    const basic = /^basic\s+(.+)$/i.exec(String(request.headers.authorization ?? ''))
    if (basic && is.basicAuth && !clientId && !secret) {
      const [id, ...rest] = Buffer.from(basic[1]!, 'base64').toString().split(':')
      clientId = decodeURIComponent(id ?? '')
      secret = decodeURIComponent(rest.join(':'))
    }
    const incomplete = !clientId || (!secret && !is.missingSecretAccepted)
    if (is.missingGrantInvalidRequest && !grantType) return issuer.oauthError(h, 'invalid_request', 400)
    if (is.anyGrantType && grantType && grantType !== TOKEN_EXCHANGE)
      return clientId && secret ? grant(h, clientId, secret) : issuer.oauthError(h, 'invalid_request', 400)
    if (line === '1.3') {
      // system/handler.ts: all three required, then grant type, then lookup
      if (incomplete || !grantType) return issuer.oauthError(h, 'invalid_request', 400)
      if (grantType !== 'client_credentials') return issuer.oauthError(h, 'unsupported_grant_type', 400)
      return grant(h, clientId, secret)
    }
    // oauthToken/handler.ts: grant type first
    if (grantType === 'client_credentials')
      return incomplete ? issuer.oauthError(h, 'invalid_request', 400) : grant(h, clientId, secret)
    if (grantType === TOKEN_EXCHANGE && preview21) return issuer.oauthError(h, 'unsupported_grant_type', 400) // PR #13644: removed
    if (grantType === TOKEN_EXCHANGE && is.tokenExchangeOpen) {
      const scope = ['record.confirm-registration']
      return issuer.success(h, issuer.sign({ scope, aud: audienceFor(line, []) }, 'anonymous', 604800))
    }
    if (grantType === TOKEN_EXCHANGE) return tokenExchange(svc, p, h)
    return issuer.oauthError(h, 'unsupported_grant_type', 400)
  }
}

export function authRoutes(server: Hapi.Server, svc: AuthService): void {
  const is = routeFaults(svc.faults)
  const grant = clientCredentials(svc, is, new Map())
  server.route({ method: 'POST', path: '/token', handler: tokenHandler(svc, is, grant) })
  if (is.getIssues) {
    server.route({
      method: 'GET',
      path: '/token',
      handler: (request, h) => grant(h, request.query.client_id, request.query.client_secret),
    })
  }
  if (svc.line !== '2.0') {
    // v1.x auth GET /anonymous-token: genuinely signed, for services, without opencrvs:gateway-user
    // (contract §9; the response shape {token} is inferred, not recorded)
    const aud = ['opencrvs:user-mgnt-user', 'opencrvs:metrics-user']
    server.route({
      method: 'GET',
      path: '/anonymous-token',
      handler: () => ({ token: svc.issuer.sign({ scope: [], aud }, 'anonymous', 600) }),
    })
  }
  server.route({ method: 'GET', path: '/.well-known', handler: (_r, h) => h.response(Buffer.from(svc.publicKeyPem)) })
  server.route({ method: 'GET', path: '/ping', handler: () => ({ success: true }) })
}
