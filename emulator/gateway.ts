/**
 * A reference OpenCRVS gateway, reduced to what the kit's read-only probes call. From
 * ../shared/reference/real-gateway-transcripts.md (v1.9.15 recorded) and opencrvs-token-contract.md §7.3, §9
 * (v2.0 events decisions are from the code reading: the real events service was not recorded).
 *   v1.x  POST /notification       hapi-auth-jwt2 (RS256, iss, aud gateway-user, exp) -> 401; route scope -> 403;
 *                                  Joi fhirBundleSchema -> 400 "resourceType" is required. Nothing is written.
 *   v2.0  POST /events/events      JWT -> 401; record.create scope -> 403 before input parsing; input -> 400.
 *         POST /events/events/search  record.search scope -> 403; input -> 400.
 */
import Hapi from '@hapi/hapi'
import { createHmac, timingSafeEqual, verify, type KeyObject } from 'node:crypto'
import type { Line } from './releases.ts'

export interface GatewayOptions {
  line: Line
  release: string
  publicKey: KeyObject
  publicKeyPem: string
  faults: Set<string>
  host?: string
  port?: number
  /** Serve HTTPS with this key and certificate. */
  tls?: { key: string; cert: string }
  /** Delay every request by this many milliseconds. */
  latencyMs?: number
}

type Claims = Record<string, unknown>

const boom = (h: Hapi.ResponseToolkit, status: number, error: string, message: string, extra: Record<string, unknown> = {}) =>
  h.response({ statusCode: status, error, message, ...extra }).code(status)

/** hapi-auth-jwt2 10.x as configured in gateway server.ts: the header's token, RS256 only, issuer, audience, exp. */
function authenticate(request: Hapi.Request, opts: GatewayOptions): { claims: Claims } | { status: 401; message: string; attributes?: boolean; wwwAuth: string } {
  const { publicKey, faults } = opts
  const fromQuery = faults.has('gateway-token-in-query') ? (request.query as Record<string, unknown>).access_token : undefined
  const header = request.headers.authorization ?? (typeof fromQuery === 'string' ? `Bearer ${fromQuery}` : undefined)
  if (!header && faults.has('gateway-allows-anonymous')) return { claims: { scope: [] } }
  if (!header) return { status: 401, message: 'Missing authentication', wwwAuth: 'Token error="token is null"' }
  if (faults.has('gateway-bearer-case-sensitive') && !String(header).startsWith('Bearer ')) return { status: 401, message: 'Missing authentication', wwwAuth: 'Token error="token is null"' }
  const token = String(header).replace(/^bearer\s+/i, '')
  const parts = token.split('.')
  if (parts.length !== 3 && faults.has('gateway-malformed-token-500')) throw new Error('cannot split token')
  if (parts.length !== 3) return { status: 401, message: 'Missing authentication', wwwAuth: 'Token error="Invalid token format"' }
  const invalid = { status: 401 as const, message: 'Invalid token', attributes: true, wwwAuth: 'Token error="Invalid token"' }
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
  } else if (alg === 'HS256' && faults.has('gateway-accepts-hs256')) {
    const mac = createHmac('sha256', opts.publicKeyPem).update(input).digest()
    if (mac.length !== signature.length || !timingSafeEqual(mac, signature)) return invalid
  } else {
    if (alg !== 'RS256') return invalid
    if (!faults.has('gateway-skips-signature') && !verify('sha256', input, publicKey, signature)) return invalid
  }
  if (claims.iss !== 'opencrvs:auth-service') return invalid
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
  if (!aud.includes('opencrvs:gateway-user') && !faults.has('gateway-ignores-audience')) return invalid
  if (!faults.has('gateway-accepts-expired') && typeof claims.exp === 'number' && claims.exp <= Date.now() / 1000) {
    return { status: 401, message: 'Expired token', attributes: true, wwwAuth: 'Token error="Expired token"' }
  }
  return { claims }
}

function scopes(claims: Claims): string[] {
  return Array.isArray(claims.scope) ? claims.scope.map(String) : []
}

export async function startGateway(opts: GatewayOptions): Promise<{ url: string; stop(): Promise<void>; writeAttempts(): string[]; requestCount(): number }> {
  const server = Hapi.server({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0, ...(opts.tls ? { tls: { key: opts.tls.key, cert: opts.tls.cert } } : {}) })
  let requests = 0
  server.ext('onRequest', async (_request, h) => {
    requests++
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs))
    return h.continue
  })
  // every request that got past authentication, scope and validation: a real gateway would have written it
  const writes: string[] = []
  const scopeChecked = !opts.faults.has('gateway-ignores-scope')
  // gateway server.ts onPreResponse (v1.6+): X-Version on non-Boom responses
  server.ext('onPreResponse', (request, h) => {
    const r = request.response as Hapi.ResponseObject & { isBoom?: boolean }
    if (!r.isBoom && typeof r.header === 'function') r.header('X-Version', opts.release).header('access-control-expose-headers', 'X-Version')
    return h.continue
  })

  const guard = (request: Hapi.Request, h: Hapi.ResponseToolkit): Claims | Hapi.ResponseObject => {
    const auth = authenticate(request, opts)
    if ('claims' in auth) return auth.claims
    return boom(h, 401, 'Unauthorized', auth.message, auth.attributes ? { attributes: { error: auth.message } } : {}).header('WWW-Authenticate', auth.wwwAuth)
  }
  const isResponse = (x: unknown): x is Hapi.ResponseObject => typeof (x as Hapi.ResponseObject)?.code === 'function'

  if (opts.line !== '2.0') {
    const allowed = opts.line === '1.3' ? ['declare', 'notification-api'] : ['record.declare-birth', 'record.declare-death', 'record.declare-marriage', 'notification-api']
    server.route({
      method: 'POST',
      path: '/notification',
      handler: (request, h) => {
        const claims = guard(request, h)
        if (isResponse(claims)) return claims
        if (scopeChecked && !scopes(claims).some((s) => allowed.includes(s))) return boom(h, 403, 'Forbidden', 'Insufficient scope')
        const payload = request.payload as Record<string, unknown> | null
        if (!payload || typeof payload !== 'object' || !('resourceType' in payload)) {
          return boom(h, 400, 'Bad Request', '"resourceType" is required', { validation: { source: 'payload', keys: ['resourceType'] } })
        }
        writes.push(`POST /notification by ${String(claims.sub)}`)
        return boom(h, 400, 'Bad Request', 'the emulator accepts no notifications: nothing is ever written')
      },
    })
  } else {
    const events = (needed: string) => (request: Hapi.Request, h: Hapi.ResponseToolkit) => {
      const claims = guard(request, h)
      if (isResponse(claims)) return claims
      if (scopeChecked && !scopes(claims).some((s) => s.startsWith(`type=${needed}`))) return h.response({ message: 'FORBIDDEN', code: 'FORBIDDEN' }).code(403)
      const payload = request.payload as Record<string, unknown> | null
      // a create needs {type, transactionId}; a search needs an object: anything else fails input validation
      const valid = payload !== null && typeof payload === 'object' && !Array.isArray(payload) && (needed === 'record.search' || ('type' in payload && 'transactionId' in payload))
      if (!valid) return h.response({ message: 'Input validation failed', code: 'BAD_REQUEST' }).code(400)
      writes.push(`POST ${request.path} by ${String(claims.sub)}`)
      return h.response({ message: 'the emulator stores nothing', code: 'BAD_REQUEST' }).code(400)
    }
    server.route({ method: 'POST', path: '/events/events', handler: events('record.create') })
    server.route({ method: 'POST', path: '/events/events/search', handler: events('record.search') })
  }
  await server.start()
  return { url: `${opts.tls ? 'https' : 'http'}://${server.info.host}:${server.info.port}`, stop: () => server.stop({ timeout: 1000 }), writeAttempts: () => [...writes], requestCount: () => requests }
}
