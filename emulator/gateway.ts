/**
 * A reference OpenCRVS gateway, reduced to what the kit calls. Written from
 * ../shared/reference/real-gateway-transcripts.md (v1.9.15 and v2.0.0 recorded), real-events-transcripts.md and
 * opencrvs-token-contract.md §1.2:
 *   every line   hapi-auth-jwt2 (RS256, iss, aud gateway-user, exp; the token from the header, or ?token=, which
 *                then crashes validateFunc: 500). Its own errors are Boom: no X-Version.
 *   v1.x         POST /notification: route scope -> 403 before Joi -> 400 "resourceType" is required.
 *                POST /graphql: variables are validated before any auth (200 BAD_USER_INPUT); a valid query looks
 *                the caller up in user-mgnt, which the emulator does not run (200 UNAUTHENTICATED, as recorded).
 *   v2.0         /events/{path*}: JWT only, then proxied to the events service (passThrough), which decides scope.
 *   /auth/token  h2o2 without passThrough (v1.7+, query forwarded; v1.5-v1.6 /auth/{suffix}, query dropped; none
 *                before): status and body kept, every upstream header replaced by hapi's stream defaults.
 * A correct v2.0 installation has the official Helm ingress in front (Traefik sts-and-basic-response-headers on
 * every answer); the fault no-ingress-headers is the raw gateway.
 */
import Hapi from '@hapi/hapi'
import { createHmac, timingSafeEqual, verify, type KeyObject } from 'node:crypto'
import { PassThrough } from 'node:stream'
import { request as httpRequest } from 'undici'
import type { Line } from './releases.ts'

export interface GatewayOptions {
  line: Line
  release: string
  publicKey: KeyObject
  publicKeyPem: string
  faults: Set<string>
  /** Hand a request to the auth service (what h2o2 forwards: method, path and query, content-type, raw body). */
  auth(req: {
    url: string
    headers: Record<string, string>
    payload?: Buffer
  }): Promise<{ status: number; payload: Buffer }>
  /** The events service (v2.0), and its port for the proxy's error message. */
  events?: { url: string; port: number }
  host?: string
  port?: number
  /** Serve HTTPS with this key and certificate. */
  tls?: { key: string; cert: string }
  /** Delay every request by this many milliseconds. */
  latencyMs?: number
  /** Origins on the CORS whitelist (the country's own web apps). */
  corsOrigins: string[]
}

type Claims = Record<string, unknown>
type Failure = { status: number; message: string; attributes?: boolean; wwwAuth?: string }

/** The official v2 Helm chart's Traefik middleware (charts/opencrvs-services/templates/traefik-middleware.yaml). */
const INGRESS_HEADERS = { Pragma: 'no-cache', 'Cache-Control': 'no-store', 'X-Robots-Tag': 'none' }
/** The edge's Strict-Transport-Security (the v2 Helm ingress: one year, subdomains, preload), as faults change it. */
export function hstsHeader(faults: Set<string>): string | undefined {
  if (faults.has('no-hsts')) return undefined
  if (faults.has('hsts-max-age-0')) return 'max-age=0'
  if (faults.has('hsts-short')) return 'max-age=86400; includeSubDomains'
  return 'max-age=31536000; includeSubDomains; preload'
}

/** Fault gateway-maintenance-page: what an edge serves while the services behind it are down for maintenance. */
const MAINTENANCE_PAGE =
  '<!doctype html><html><head><title>Maintenance</title></head><body><h1>We will be back soon</h1></body></html>'

/** hapi-auth-jwt2 10.x as configured in gateway server.ts, then commons validateFunc. */
function authenticate(request: Hapi.Request, opts: GatewayOptions): { claims: Claims } | Failure {
  const { publicKey, faults } = opts
  const query = request.query as Record<string, unknown>
  const fromQuery = faults.has('gateway-token-in-query') ? query.access_token : undefined
  const urlKey = typeof query.token === 'string' ? query.token : undefined
  const header = request.headers.authorization ?? (typeof fromQuery === 'string' ? `Bearer ${fromQuery}` : urlKey)
  if (!header && faults.has('gateway-allows-anonymous')) return { claims: { scope: [] } }
  if (!header) return { status: 401, message: 'Missing authentication', wwwAuth: 'Token error="token is null"' }
  if (
    faults.has('gateway-bearer-case-sensitive') &&
    request.headers.authorization &&
    !String(header).startsWith('Bearer ')
  )
    return { status: 401, message: 'Missing authentication', wwwAuth: 'Token error="token is null"' }
  const token = String(header).replace(/^bearer\s+/i, '')
  const parts = token.split('.')
  if (parts.length !== 3 && faults.has('gateway-malformed-token-500'))
    return { status: 500, message: 'An internal server error occurred' }
  if (parts.length !== 3)
    return { status: 401, message: 'Missing authentication', wwwAuth: 'Token error="Invalid token format"' }
  const invalid = { status: 401, message: 'Invalid token', attributes: true, wwwAuth: 'Token error="Invalid token"' }
  let claims: Claims
  let alg: unknown
  try {
    alg = (JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()) as Claims).alg
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as Claims
  } catch {
    return invalid
  }
  const input = Buffer.from(`${parts[0]}.${parts[1]}`)
  const signature = Buffer.from(parts[2]!, 'base64url')
  if (alg === 'none' && faults.has('gateway-accepts-alg-none')) {
    // a verifier that honours the header's alg
  } else if (alg === 'HS256' && (faults.has('gateway-accepts-hs256') || faults.has('gateway-accepts-hs256-crlf'))) {
    const secret = faults.has('gateway-accepts-hs256-crlf')
      ? `${opts.publicKeyPem.trimEnd().replace(/\n/g, '\r\n')}\r\n`
      : opts.publicKeyPem
    const mac = createHmac('sha256', secret).update(input).digest()
    if (mac.length !== signature.length || !timingSafeEqual(mac, signature)) return invalid
  } else {
    if (alg !== 'RS256') return invalid
    if (!faults.has('gateway-skips-signature') && !verify('sha256', input, publicKey, signature)) return invalid
  }
  if (claims.iss !== 'opencrvs:auth-service') return invalid
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
  if (!aud.includes('opencrvs:gateway-user') && !faults.has('gateway-ignores-audience')) return invalid
  // jsonwebtoken's verify (under hapi-auth-jwt2) refuses a token before its nbf: "jwt not active"
  if (typeof claims.nbf === 'number' && claims.nbf > Date.now() / 1000) return invalid
  if (!faults.has('gateway-accepts-expired') && typeof claims.exp === 'number' && claims.exp <= Date.now() / 1000) {
    return { status: 401, message: 'Expired token', attributes: true, wwwAuth: 'Token error="Expired token"' }
  }
  // commons validateFunc (CHECK_INVALID_TOKEN=true): request.headers.authorization.replace(...) on a ?token= request
  if (!request.headers.authorization && urlKey) return { status: 500, message: 'An internal server error occurred' }
  return { claims }
}

function scopes(claims: Claims): string[] {
  return Array.isArray(claims.scope) ? claims.scope.map(String) : []
}

const ERROR_NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
}

const GRAPHQL_BAD_INPUT = (value: unknown) => ({
  errors: [
    {
      message: `Variable "$p" got invalid value ${JSON.stringify(value)}; Expected type "AdvancedSearchParametersInput" to be an object.`,
      locations: [{ line: 1, column: 8 }],
      extensions: { code: 'BAD_USER_INPUT' },
    },
  ],
})

/** What every route of the gateway shares: its Boom answers, authentication, and the writes it let through. */
interface Gateway {
  server: Hapi.Server
  boom(
    h: Hapi.ResponseToolkit,
    status: number,
    message: string,
    extra?: Record<string, unknown>,
    order?: 'hapi' | 'h2o2',
  ): Hapi.ResponseObject
  /** The caller's claims, or the gateway's refusal. */
  guard(request: Hapi.Request, h: Hapi.ResponseToolkit): Claims | Hapi.ResponseObject
  /** Every request that got past authentication, scope and validation: a real gateway would have written it. */
  writes: string[]
  requests: { count: number }
}

export async function startGateway(
  opts: GatewayOptions,
): Promise<{ url: string; stop(): Promise<void>; writeAttempts(): string[]; requestCount(): number }> {
  const gw = gatewayServer(opts)
  tokenProxyRoute(gw.server, opts)
  if (opts.line !== '2.0') v1Routes(gw, opts)
  else eventsRoute(gw, opts)
  await gw.server.start()
  return {
    url: `${opts.tls ? 'https' : 'http'}://${gw.server.info.host}:${gw.server.info.port}`,
    stop: () => gw.server.stop({ timeout: 1000 }),
    writeAttempts: () => [...gw.writes],
    requestCount: () => gw.requests.count,
  }
}

/** x-version-newer: what a proxy in front of the gateway says, newer than every release the kit knows. */
const X_VERSION_NEWER = '3.0.0'

/** The hapi server, the requests counted, and the headers on every answer (X-Version, the ingress's, HSTS). */
function gatewayServer(opts: GatewayOptions): Gateway {
  const { faults, line } = opts
  // the real gateway allows its own web apps' origins, hence vary: origin on every answer
  const server = Hapi.server({
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    compression: false,
    routes: { cors: { origin: opts.corsOrigins } },
    ...(opts.tls ? { tls: { key: opts.tls.key, cert: opts.tls.cert } } : {}),
  })
  const requests = { count: 0 }
  server.ext('onRequest', async (request, h) => {
    requests.count++
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs))
    if (faults.has('gateway-maintenance-page') && !request.path.startsWith('/auth/'))
      return h.response(MAINTENANCE_PAGE).code(503).type('text/html').header('Retry-After', '120').takeover()
    return h.continue
  })
  /** Answers that are Boom errors in the real gateway (they get no X-Version). */
  const booms = new WeakSet<object>()
  const boom: Gateway['boom'] = (h, status, message, extra = {}, order = 'hapi') => {
    const body =
      order === 'hapi'
        ? { statusCode: status, error: ERROR_NAMES[status], message, ...extra }
        : { message, statusCode: status, error: ERROR_NAMES[status] }
    const res = h.response(body).code(status)
    booms.add(res)
    return res
  }
  const ingress = line === '2.0' && !faults.has('no-ingress-headers')
  const hsts = opts.tls ? hstsHeader(faults) : undefined
  server.ext('onPreResponse', (request, h) => {
    const r = request.response as Hapi.ResponseObject & {
      isBoom?: boolean
      output?: { headers: Record<string, string> }
    }
    const set = (name: string, value: string) =>
      r.isBoom && r.output ? (r.output.headers[name] = value) : r.header(name, value)
    // gateway server.ts onPreResponse (v1.6+): X-Version on non-Boom responses
    if (!r.isBoom && !booms.has(r))
      r.header('X-Version', faults.has('x-version-newer') ? X_VERSION_NEWER : opts.release).header(
        'access-control-expose-headers',
        'X-Version',
      )
    // the edge in front: Traefik's headers middleware (v2 Helm) and HSTS on HTTPS
    if (ingress) for (const [k, v] of Object.entries(INGRESS_HEADERS)) set(k, v)
    if (hsts) set('Strict-Transport-Security', hsts)
    return h.continue
  })
  const guard: Gateway['guard'] = (request, h) => {
    const auth = authenticate(request, opts)
    if ('claims' in auth) return auth.claims
    const res = boom(h, auth.status, auth.message, auth.attributes ? { attributes: { error: auth.message } } : {})
    return auth.wwwAuth ? res.header('WWW-Authenticate', auth.wwwAuth) : res
  }
  return { server, boom, guard, writes: [], requests }
}

const isResponse = (x: unknown): x is Hapi.ResponseObject => typeof (x as Hapi.ResponseObject)?.code === 'function'

/** The token proxy: h2o2 with payload { output: 'data', parse: false } and no passThrough. */
function tokenProxyRoute(server: Hapi.Server, opts: GatewayOptions): void {
  const { line } = opts
  const minor = Number(/^\d+\.(\d+)/.exec(opts.release)?.[1] ?? 0)
  const proxyToken = (path: string, keepQuery: boolean) => async (request: Hapi.Request, h: Hapi.ResponseToolkit) => {
    const type = request.headers['content-type'] as string | undefined
    const payload = request.payload as Buffer | null
    const answer = await opts.auth({
      url: `${path}${keepQuery ? request.url.search : ''}`,
      headers: type ? { 'content-type': type } : {},
      ...(payload?.length ? { payload } : {}),
    })
    // an upstream stream: chunked, application/octet-stream, hapi's cache-control: no-cache
    const stream = new PassThrough()
    stream.end(answer.payload)
    return h.response(stream).code(answer.status).type('application/octet-stream')
  }
  const options = { payload: { output: 'data' as const, parse: false } }
  if (line === '1.3' && minor < 5) return
  if (line === '1.3')
    server.route({
      method: 'POST',
      path: '/auth/{suffix}',
      options,
      handler: (request, h) => proxyToken(`/${request.params.suffix}`, false)(request, h),
    })
  else server.route({ method: 'POST', path: '/auth/token', options, handler: proxyToken('/token', true) })
}

/** v1.x: POST /notification (the event-notification door) and POST /graphql (record search). */
function v1Routes(gw: Gateway, opts: GatewayOptions): void {
  const { boom, guard, server } = gw
  const scopeChecked = !opts.faults.has('gateway-ignores-scope')
  const allowed =
    opts.line === '1.3'
      ? ['declare', 'notification-api']
      : ['record.declare-birth', 'record.declare-death', 'record.declare-marriage', 'notification-api']
  server.route({
    method: 'POST',
    path: '/notification',
    handler: (request, h) => {
      const claims = guard(request, h)
      if (isResponse(claims)) return claims
      const held = scopes(claims)
      const forbidden = opts.faults.has('gateway-forbids-notification') && held.includes('notification-api')
      if ((scopeChecked && !held.some((s) => allowed.includes(s))) || forbidden)
        return boom(h, 403, 'Insufficient scope')
      const payload = request.payload as Record<string, unknown> | null
      if (!payload || typeof payload !== 'object' || !('resourceType' in payload)) {
        return boom(h, 400, '"resourceType" is required', {
          validation: { source: 'payload', keys: ['resourceType'] },
        })
      }
      gw.writes.push(`POST /notification by ${String(claims.sub)}`)
      return boom(h, 400, 'the emulator accepts no notifications: nothing is ever written')
    },
  })
  server.route({
    method: 'POST',
    path: '/graphql',
    handler: (request, h) => {
      // Apollo 4 coerces variables before any resolver or auth directive runs
      const p = (request.payload as { variables?: Record<string, unknown> } | null)?.variables?.p
      const graphql = (body: object) => h.response(body).header('Cache-Control', 'no-store')
      if (p === null || typeof p !== 'object') return graphql(GRAPHQL_BAD_INPUT(p))
      const claims = authenticate(request, opts)
      const lookup = 'claims' in claims && scopes(claims.claims).includes('recordsearch') ? 'getSystem' : 'getUser'
      // the @auth directive asks user-mgnt about the caller; the emulator runs no user-mgnt, as when recorded
      return graphql({
        errors: [
          {
            message: `FetchError: request to http://127.0.0.1:3032/${lookup} failed, reason: connect ECONNREFUSED 127.0.0.1:3032`,
            locations: [{ line: 1, column: 46 }],
            path: ['searchEvents'],
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
        data: { searchEvents: null },
      })
    },
  })
}

/**
 * Faults gateway-refuses-notification-create and gateway-refuses-search-route: a route rule at the gateway that
 * refuses, with the token's own 401, the one client type the route exists for (its scopes tell the type).
 */
function refusesOnRoute(faults: Set<string>, path: string, held: string[]): boolean {
  if (faults.has('gateway-refuses-notification-create') && path === 'events')
    return held.some((s) => s.includes('record.create'))
  if (faults.has('gateway-refuses-search-route') && path === 'events/search')
    return held.some((s) => s.includes('record.search'))
  return false
}

/** v2.0: /events/{path*}, JWT only, then proxied to the events service (passThrough), which decides scope. */
function eventsRoute(gw: Gateway, opts: GatewayOptions): void {
  const { boom, guard, server } = gw
  const events = opts.events
  server.route({
    method: '*',
    path: '/events/{path*}',
    options: { payload: { output: 'data', parse: false } },
    handler: async (request, h) => {
      const claims = guard(request, h)
      if (isResponse(claims)) return claims
      if (refusesOnRoute(opts.faults, String(request.params.path ?? ''), scopes(claims)))
        return boom(h, 401, 'Invalid token', { attributes: { error: 'Invalid token' } }).header(
          'WWW-Authenticate',
          'Token error="Invalid token"',
        )
      const target = `${events?.url ?? 'http://127.0.0.1:9'}/${request.params.path ?? ''}${request.url.search}`
      const headers: Record<string, string> = {}
      for (const name of ['authorization', 'content-type'])
        if (request.headers[name]) headers[name] = String(request.headers[name])
      const payload = request.payload as Buffer | null
      try {
        const res = await httpRequest(target, {
          method: request.method.toUpperCase() as 'POST',
          headers,
          ...(payload?.length ? { body: payload } : {}),
        })
        const text = await res.body.text()
        const type = String(res.headers['content-type'] ?? 'application/json')
        return h.response(text).code(res.statusCode).type(type)
      } catch (e) {
        const code = (e as { code?: string }).code ?? 'ECONNREFUSED'
        return boom(h, 502, `Client request error: connect ${code} 127.0.0.1:${events?.port ?? 9}`, {}, 'h2o2')
      }
    },
  })
}
