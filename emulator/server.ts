/**
 * A reference OpenCRVS auth service on @hapi/hapi (the framework OpenCRVS uses, so repeated query keys,
 * Boom bodies, 404 for GET and 415 for XML come out the same). It models a correctly installed deployment
 * of one release line; named faults turn single behaviours wrong. Not OpenCRVS code: an emulator of it.
 */
import Hapi from '@hapi/hapi'
import {
  createHmac,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign,
  verify,
  type KeyObject,
  type KeyPairKeyObjectResult,
} from 'node:crypto'
import { hstsHeader, startGateway } from './gateway.ts'
import { startEvents } from './events.ts'
import { createServer as createHttpServer } from 'node:http'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { Duplex } from 'node:stream'
import { rmSync } from 'node:fs'
import { dirname } from 'node:path'
import { makeTls, writePrivate, type EmulatorTls } from './tls.ts'
import { EMULATOR_DOMAIN, startEdge } from './edge.ts'
import { FAULTS, validateFaults } from './faults.ts'
import {
  ERROR_URI,
  QUERY_TOKEN_PARAMS,
  TOKEN_EXCHANGE,
  audienceFor,
  convertLegacyScopes,
  descriptions,
  lineOf,
  minorOf,
  scopesFor,
  type Line,
  type SystemType,
} from './releases.ts'

export interface EmulatorClient {
  clientId: string
  secret: string
  type: SystemType
  status: 'active' | 'deactivated'
  /** v1.x: the system's Mongo _id (24 hex), which becomes `sub`. Generated when absent. */
  systemId?: string
  /** Scopes stored for the client; by default those its type gets in the release. */
  scopes?: string[]
}

export interface EmulatorOptions {
  release: string
  host?: string
  port?: number
  faults?: string[]
  clients?: EmulatorClient[]
  /** CONFIG_SYSTEM_TOKEN_EXPIRY_SECONDS (default 600). */
  lifetimeSeconds?: number
  /** Event ids in the country configuration (they appear in v1.9/v2.0 scopes). */
  events?: string[]
  /** Origins on the v1.x CORS whitelist. */
  corsOrigins?: string[]
  /** Serve HTTPS with a certificate from a throwaway CA (written to a file for the kit to trust). */
  tls?: boolean
  /** Delay every request by this many milliseconds, auth and gateway alike (a distant deployment, for the benchmark). */
  latencyMs?: number
  /** The gateway's X-Version, when it should say another release than `release` (a release newer than the kit knows). */
  xVersion?: string
}

export interface RunningEmulator {
  url: string
  /** The CA certificate file to trust, in HTTPS mode. */
  caFile?: string
  /** The emulated gateway: /auth/token, and the read-only probe routes. */
  gatewayUrl: string
  /** The v2.0 events service behind the gateway (not public in a real install), when it runs. */
  eventsUrl?: string
  /** The signing key's PEM in a file, as an operator hands it over (OPENCRVS_PUBLIC_KEY) where /.well-known is not public. */
  publicKeyFile: string
  /** Requests the gateway or the events service let through authentication, scope and validation: a real one would have written them. */
  writeAttempts(): string[]
  /** Requests received by the auth service, the gateway and the edge together. */
  requestCount(): number
  /**
   * The edge for names under the deployment's domain (auth.<domain>, gateway.<domain>): the kit reaches it with
   * CONFORMANCE_CONNECT_TO=*.<domain>=127.0.0.1:<port>.
   */
  edge: { port: number; domain: string }
  /** Emulator controls (not OpenCRVS): what the national system admin does in the UI. */
  admin: {
    /** "Refresh client secret": a new secret; the old one stops working. Returns the new secret. */
    rotate(clientId: string): string
    deactivate(clientId: string): void
    activate(clientId: string): void
    remove(clientId: string): void
  }
  release: string
  line: Line
  faults: string[]
  clients: EmulatorClient[]
  publicKeyPem: string
  stop(): Promise<void>
}

const DEFAULT_EVENTS = ['birth', 'death', 'tennis-club-membership']
const DEFAULT_CORS = [
  'https://login.opencrvs.localhost',
  'https://register.opencrvs.localhost',
  'https://countryconfig.opencrvs.localhost',
]

/** Demo clients with fresh random ids and secrets: notification, search, and a deactivated notification client. */
export function demoClients(): EmulatorClient[] {
  return [
    { clientId: randomUUID(), secret: randomUUID(), type: 'HEALTH', status: 'active' },
    { clientId: randomUUID(), secret: randomUUID(), type: 'RECORD_SEARCH', status: 'active' },
    { clientId: randomUUID(), secret: randomUUID(), type: 'HEALTH', status: 'deactivated' },
  ]
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url')
}

/**
 * RSA key pairs, generated once per process: a 2048-bit key costs about 0.2 s of CPU, and the self-tests
 * start a hundred emulators. A deployment's signing key survives restarts too.
 */
const keys = new Map<string, KeyPairKeyObjectResult>()
function signingKey(name: 'signing' | 'other' | 'weak-1024'): KeyPairKeyObjectResult {
  let k = keys.get(name)
  if (!k) keys.set(name, (k = generateKeyPairSync('rsa', { modulusLength: name === 'weak-1024' ? 1024 : 2048 })))
  return k
}

export async function startEmulator(opts: EmulatorOptions): Promise<RunningEmulator> {
  const line = lineOf(opts.release)
  const preview21 = minorOf(opts.release) === '2.1'
  const faults = new Set(opts.faults ?? [])
  validateFaults([...faults], line, minorOf(opts.release))
  const events = opts.events ?? DEFAULT_EVENTS
  const lifetime = opts.lifetimeSeconds ?? 600
  const clients = (opts.clients ?? demoClients()).map((c) => ({
    ...c,
    systemId: c.systemId ?? randomBytes(12).toString('hex'),
    scopes: c.scopes ?? scopesFor(line, c.type, events),
  }))
  const { privateKey, publicKey } = signingKey(faults.has('weak-key-1024') ? 'weak-1024' : 'signing')
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const otherKey = faults.has('wrong-signing-key') ? signingKey('other').privateKey : privateKey
  const reused = new Map<string, string>()

  const tls: EmulatorTls | undefined = opts.tls
    ? await makeTls({
        ...(faults.has('cert-expiring') ? { days: 10 } : {}),
        ...(faults.has('cert-wrong-host') ? { hostnames: ['auth.another-country.example'] } : {}),
        ...(faults.has('cert-expired') ? { expired: true } : {}),
      })
    : undefined
  const legacy = faults.has('tls-legacy') ? { minVersion: 'TLSv1' as const, ciphers: 'DEFAULT@SECLEVEL=0' } : {}
  const listener: HttpsServer | undefined = tls
    ? createHttpsServer({ key: tls.key, cert: tls.cert, ...legacy })
    : undefined
  const server = Hapi.server({
    // in HTTPS mode the front server below owns the port and hands connections to this listener
    // (hapi tracks sockets for a clean stop only on a listener it started itself)
    ...(listener
      ? { listener, tls: true, autoListen: false, operations: { cleanStop: false } }
      : { host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 }),
    // v1.x: cors with a whitelist (auth server.ts); v2.0: cors:false (hapi's default). v1.x runs hapi 20,
    // whose preflight answers 204; hapi 21 (ours) defaults to 200, so the v1 status is set explicitly.
    routes: line === '2.0' ? {} : { cors: { origin: opts.corsOrigins ?? DEFAULT_CORS, preflightStatusCode: 204 } },
  })

  const desc = descriptions(line)
  const oauthError = (
    h: Hapi.ResponseToolkit,
    code: 'invalid_request' | 'unsupported_grant_type' | 'invalid_client',
    status: number,
    description: string = desc[code],
  ) => {
    const body = {
      error: code,
      error_description: description,
      error_uri: faults.has('error-uri-valid') ? ERROR_URI.replace('Refer to ', '') : ERROR_URI,
    }
    let res = h.response(body).code(status).header('Cache-Control', 'no-store')
    if (faults.has('error-content-type-html')) res = res.type('text/html')
    if (status === 401 && faults.has('www-authenticate')) res = res.header('WWW-Authenticate', 'Basic realm="opencrvs"')
    return res
  }

  let authRequests = 0
  const latency = opts.latencyMs ?? 0
  server.ext('onRequest', async (request, h) => {
    // a request the gateway forwarded is counted, and delayed, by the gateway
    if (!(request.plugins as { proxied?: boolean }).proxied) {
      authRequests++
      if (latency) await new Promise((r) => setTimeout(r, latency))
    }
    // a strict body parser in front: a JSON content type with an empty body is an invalid JSON document
    if (
      faults.has('empty-json-body-400') &&
      request.path === '/token' &&
      /application\/json/.test(String(request.headers['content-type'] ?? '')) &&
      (request.headers['content-length'] ?? '0') === '0'
    ) {
      return h
        .response({ statusCode: 400, error: 'Bad Request', message: 'Invalid request payload JSON format' })
        .code(400)
        .takeover()
    }
    return h.continue
  })
  const hsts = tls ? hstsHeader(faults) : undefined
  if (hsts) {
    // the official v2 Helm ingress (sts-and-basic-response-headers) sets HSTS on every response
    server.ext('onPreResponse', (request, h) => {
      const r = request.response as Hapi.ResponseObject & {
        isBoom?: boolean
        output?: { headers: Record<string, string> }
      }
      if (r.isBoom && r.output) r.output.headers['strict-transport-security'] = hsts
      else if (typeof r.header === 'function') r.header('Strict-Transport-Security', hsts)
      return h.continue
    })
  }

  const signToken = (payload: Record<string, unknown>, subject: string, expiresIn: number): string => {
    const alg = faults.has('alg-none') ? 'none' : faults.has('alg-hs256') ? 'HS256' : 'RS256'
    const header = b64url(JSON.stringify(faults.has('typ-missing') ? { alg } : { alg, typ: 'JWT' }))
    const unit = faults.has('iat-milliseconds') ? 1000 : 1
    const now = Date.now() / 1000 + (faults.has('clock-ahead') ? 300 : 0)
    const iat = Math.floor(now) * unit
    const lifetime = faults.has('lifetime-3600') ? 3600 : expiresIn
    // jsonwebtoken's claim order: payload, iat, exp, aud, iss, sub
    const { aud, ...rest } = payload
    const docs = faults.has('docs-example-claims')
    const iss = faults.has('iss-docs-style') || docs ? 'opencrvs.auth' : 'opencrvs:auth-service'
    const sub = faults.has('sub-per-token') ? randomBytes(12).toString('hex') : subject
    const audience = docs
      ? ['opencrvs.auth']
      : faults.has('aud-missing-gateway')
        ? (aud as string[]).filter((a) => a !== 'opencrvs:gateway-user')
        : aud
    // huge-claim-arrays: 3 000 more audiences and scopes each (about 100 kB), a valid token all the same
    const many = (prefix: string) => Array.from({ length: 3000 }, (_, i) => `${prefix}${i}`)
    const huge = faults.has('huge-claim-arrays')
    const claims = huge
      ? { ...rest, scope: [...((rest.scope as string[] | undefined) ?? []), ...many('x.scope.')] }
      : rest
    const body = b64url(
      JSON.stringify({
        ...claims,
        iat,
        exp: iat + lifetime * unit,
        aud: huge ? [...(audience as string[]), ...many('x:aud-')] : audience,
        iss,
        sub,
      }),
    )
    const input = Buffer.from(`${header}.${body}`)
    const signature =
      alg === 'none'
        ? ''
        : alg === 'HS256'
          ? createHmac('sha256', publicKeyPem).update(input).digest('base64url')
          : sign('sha256', input, otherKey as KeyObject).toString('base64url')
    return `${header}.${body}.${signature}`
  }

  const success = (h: Hapi.ResponseToolkit, accessToken: string) => {
    const body: Record<string, unknown> = faults.has('no-token-type')
      ? { access_token: accessToken }
      : { access_token: accessToken, token_type: 'Bearer' }
    if (faults.has('expires-in')) body.expires_in = lifetime
    if (faults.has('expires-in-86400')) body.expires_in = 86400
    let res = h.response(body)
    if (faults.has('content-type-octet-stream'))
      res = h.response(Buffer.from(JSON.stringify(body))).type('application/octet-stream')
    if (!faults.has('no-cache-control'))
      res = res.header(
        'Cache-Control',
        faults.has('cache-control-contradiction') ? 'no-store, public, max-age=3600' : 'no-store',
      )
    if (faults.has('pragma-no-cache')) res = res.header('Pragma', 'no-cache')
    return res
  }

  const getParam = (request: Hapi.Request, key: string): unknown => {
    const v = readParam(request, key)
    if (Array.isArray(v) && key === 'grant_type' && faults.has('duplicate-grant-type-last-wins')) return v[v.length - 1]
    if (Array.isArray(v) && key === 'client_id' && faults.has('duplicate-client-id-first-wins')) return v[0]
    if (key === 'grant_type' && typeof v === 'string' && faults.has('grant-type-case-insensitive'))
      return v.trim().toLowerCase()
    return v
  }

  const readParam = (request: Hapi.Request, key: string): unknown => {
    const query = faults.has('query-ignored') ? {} : (request.query as Record<string, unknown>)
    if (line !== '2.0') return query[key]
    // v2.0 oauthToken/utils.ts: (req.payload as any)?.[key] || req.query[key]
    const type = String(request.headers['content-type'] ?? '')
    const bodyIgnored =
      (faults.has('json-body-ignored') && type.includes('json')) ||
      (faults.has('form-body-ignored') && type.includes('x-www-form-urlencoded'))
    const payload = bodyIgnored ? undefined : (request.payload as Record<string, unknown> | null | undefined)
    return (payload as Record<string, unknown> | undefined)?.[key] || query[key]
  }

  // Lifecycle as the OpenCRVS UI does it (contract §8): refresh secret, deactivate, activate, delete.
  const retiredSecrets = new Map<string, string>() // client id -> old secret, for the rotation fault
  const find = (clientId: string) => {
    const c = clients.find((x) => x.clientId === clientId)
    if (!c) throw new Error(`emulator: no client ${clientId}`)
    return c
  }
  const admin = {
    rotate(clientId: string): string {
      const c = find(clientId)
      retiredSecrets.set(c.clientId, c.secret)
      c.secret = randomUUID()
      return c.secret
    },
    deactivate(clientId: string) {
      find(clientId).status = 'deactivated'
    },
    activate(clientId: string) {
      if (!faults.has('reenabled-still-refused')) find(clientId).status = 'active'
    },
    remove(clientId: string) {
      const i = clients.findIndex((x) => x.clientId === clientId)
      if (i < 0) throw new Error(`emulator: no client ${clientId}`)
      if (!faults.has('deleted-client-served')) clients.splice(i, 1)
    },
  }

  const lookup = (clientId: unknown, secret: unknown) => {
    // user-mgnt /verifySystem (Joi string) or events integrations.authenticate (zod UUID): arrays fail
    if (typeof clientId !== 'string' || typeof secret !== 'string') return null
    const c = clients.find((x) => x.clientId === clientId)
    if (!c) return null
    const oldStillWorks = faults.has('rotation-keeps-old-secret') && retiredSecrets.get(c.clientId) === secret
    // a comparison that ignores case, or stops at the shorter of the two (a prefix either way)
    const near =
      (faults.has('secret-case-insensitive') && c.secret.toLowerCase() === secret.toLowerCase()) ||
      (faults.has('secret-prefix-match') &&
        secret.length > 0 &&
        (c.secret.startsWith(secret) || secret.startsWith(c.secret)))
    if (c.secret !== secret && !oldStillWorks && !near && !faults.has('wrong-secret-accepted')) return null
    return c
  }

  const clientCredentials = (h: Hapi.ResponseToolkit, clientId: unknown, secret: unknown) => {
    const c =
      faults.has('missing-secret-accepted') && !secret
        ? clients.find((x) => x.clientId === clientId)
        : lookup(clientId, secret)
    if (!c || (c.status !== 'active' && !faults.has('deactivated-accepted'))) {
      const known = clients.some((x) => x.clientId === clientId)
      if (typeof clientId === 'string' && !known && faults.has('unknown-client-400'))
        return oauthError(h, 'invalid_request', 400)
      const description = faults.has('echo-secret')
        ? `Invalid client id or secret: ${String(secret)}`
        : faults.has('unknown-client-distinct-body') && !known
          ? 'Unknown client id'
          : undefined
      return oauthError(h, 'invalid_client', 401, description)
    }
    const stored =
      faults.has('search-gets-notification-scopes') && c.type === 'RECORD_SEARCH'
        ? [...c.scopes, ...scopesFor(line, 'HEALTH', events)]
        : faults.has('docs-scope-names') && c.type === 'HEALTH'
          ? ['health']
          : faults.has('scope-extra') && c.type === 'HEALTH'
            ? [...c.scopes, ...scopesFor(line, 'RECORD_SEARCH', events)]
            : c.scopes
    const scope = line === '2.0' ? convertLegacyScopes(stored) : stored
    const payload: Record<string, unknown> = { scope }
    if ((line === '1.9' || line === '2.0') && !faults.has('usertype-missing')) payload.userType = 'system'
    payload.aud = audienceFor(line, scope)
    // v1.9 client-credentials.ts: temporary = !scope.includes('record.import') -> CONFIG_TOKEN_EXPIRY_SECONDS (7 days)
    const expiresIn = line === '1.9' && scope.includes('record.import') ? 604800 : lifetime
    const subject = line === '2.0' ? c.clientId : c.systemId
    if (faults.has('secret-in-claims')) payload.client_secret = c.secret
    if (faults.has('token-reuse') && reused.has(c.clientId)) return success(h, reused.get(c.clientId)!)
    const token = faults.has('opaque-token') ? randomBytes(32).toString('hex') : signToken(payload, subject, expiresIn)
    reused.set(c.clientId, token)
    return success(h, token)
  }

  const verifySubjectToken = (token: string): Record<string, unknown> | null => {
    const [h, p, s] = token.split('.')
    if (!h || !p || !s) return null
    if (!verify('sha256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, 'base64url'))) return null
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>
    if (claims.iss !== 'opencrvs:auth-service' || !(claims.aud as string[]).includes('opencrvs:auth-user')) return null
    if (typeof claims.exp === 'number' && claims.exp < Date.now() / 1000) return null
    return claims
  }

  const tokenExchange = (request: Hapi.Request, h: Hapi.ResponseToolkit) => {
    const p = (k: string) => getParam(request, k)
    const subjectToken = p('subject_token')
    const recordIds =
      line === '1.7'
        ? [p('record_id')]
        : line === '1.9'
          ? p('record_id')
            ? [p('record_id')]
            : [p('event_id'), p('action_id')]
          : [p('event_id'), p('action_id')]
    if (
      !subjectToken ||
      p('subject_token_type') !== 'urn:ietf:params:oauth:token-type:access_token' ||
      p('requested_token_type') !== 'urn:opencrvs:oauth:token-type:single_record_token' ||
      recordIds.some((v) => !v)
    ) {
      return oauthError(h, 'invalid_request', 400)
    }
    const subject = verifySubjectToken(String(subjectToken))
    if (!subject)
      return h
        .response({ error: 'unauthorized_client', error_description: 'Invalid subject token' })
        .code(401)
        .header('Cache-Control', 'no-store')
    const scope = ['record.confirm-registration', 'record.reject-registration']
    return success(h, signToken({ scope, aud: audienceFor(line, []) }, String(subject.sub), 604800))
  }

  server.route({
    method: 'POST',
    path: '/token',
    handler: (request, h) => {
      if (preview21 && faults.has('node-env-development')) {
        // PR #13626: before anything else; the key counts even when empty or also in the body. The exact
        // description was not found (no post-v2.0 responses.ts): this one names the parameters, as the PR says
        const inQuery = QUERY_TOKEN_PARAMS.filter((k) => k in (request.query as object))
        if (inQuery.length)
          return oauthError(
            h,
            'invalid_request',
            400,
            `OAuth parameters in the query string are not accepted: ${inQuery.join(', ')}. Send them in the request body.`,
          )
      }
      const grantType = getParam(request, 'grant_type')
      let clientId = getParam(request, 'client_id')
      let secret = getParam(request, 'client_secret')
      const basic = /^basic\s+(.+)$/i.exec(String(request.headers.authorization ?? ''))
      if (basic && faults.has('basic-auth') && !clientId && !secret) {
        const [id, ...rest] = Buffer.from(basic[1]!, 'base64').toString().split(':')
        clientId = decodeURIComponent(id ?? '')
        secret = decodeURIComponent(rest.join(':'))
      }
      if (faults.has('missing-grant-type-invalid-request') && !grantType) return oauthError(h, 'invalid_request', 400)
      if (faults.has('any-grant-type') && grantType && grantType !== TOKEN_EXCHANGE)
        return clientId && secret ? clientCredentials(h, clientId, secret) : oauthError(h, 'invalid_request', 400)
      if (line === '1.3') {
        // system/handler.ts: all three required, then grant type, then lookup
        if (!clientId || (!secret && !faults.has('missing-secret-accepted')) || !grantType)
          return oauthError(h, 'invalid_request', 400)
        if (grantType !== 'client_credentials') return oauthError(h, 'unsupported_grant_type', 400)
        return clientCredentials(h, clientId, secret)
      }
      // oauthToken/handler.ts: grant type first
      if (grantType === 'client_credentials') {
        if (!clientId || (!secret && !faults.has('missing-secret-accepted')))
          return oauthError(h, 'invalid_request', 400)
        return clientCredentials(h, clientId, secret)
      }
      if (grantType === TOKEN_EXCHANGE && preview21) return oauthError(h, 'unsupported_grant_type', 400) // PR #13644: removed
      if (grantType === TOKEN_EXCHANGE && faults.has('token-exchange-open'))
        return success(
          h,
          signToken({ scope: ['record.confirm-registration'], aud: audienceFor(line, []) }, 'anonymous', 604800),
        )
      if (grantType === TOKEN_EXCHANGE) return tokenExchange(request, h)
      return oauthError(h, 'unsupported_grant_type', 400)
    },
  })
  if (faults.has('get-issues-token')) {
    server.route({
      method: 'GET',
      path: '/token',
      handler: (request, h) => clientCredentials(h, request.query.client_id, request.query.client_secret),
    })
  }
  if (line !== '2.0') {
    // v1.x auth GET /anonymous-token: genuinely signed, for services, without opencrvs:gateway-user
    // (contract §9; the response shape {token} is inferred, not recorded)
    server.route({
      method: 'GET',
      path: '/anonymous-token',
      handler: () => ({
        token: signToken({ scope: [], aud: ['opencrvs:user-mgnt-user', 'opencrvs:metrics-user'] }, 'anonymous', 600),
      }),
    })
  }
  server.route({ method: 'GET', path: '/.well-known', handler: (_r, h) => h.response(Buffer.from(publicKeyPem)) })
  server.route({ method: 'GET', path: '/ping', handler: () => ({ success: true }) })
  // Emulator control, not part of OpenCRVS: loopback callers only.
  server.route({
    method: 'POST',
    path: '/__emulator/clients/{id}/{action}',
    handler: (request, h) => {
      if (!['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(request.info.remoteAddress))
        return h.response({ error: 'emulator control is loopback-only' }).code(403)
      const { id, action } = request.params as { id: string; action: string }
      try {
        if (action === 'rotate') return { client_id: id, client_secret: admin.rotate(id) }
        if (action === 'deactivate' || action === 'activate' || action === 'delete') {
          ;(action === 'delete' ? admin.remove : admin[action])(id)
          return { client_id: id, done: action }
        }
        return h.response({ error: `unknown action ${action}: rotate, deactivate, activate or delete` }).code(404)
      } catch (e) {
        return h.response({ error: (e as Error).message }).code(404)
      }
    },
  })

  await server.start()
  let url = `http://${server.info.host}:${server.info.port}`
  let front: ReturnType<typeof createNetServer> | undefined
  if (listener) {
    // One port, two protocols: a TLS handshake goes to HTTPS; plain HTTP gets the answer a TLS-only edge
    // gives (400, not OAuth), or with the plain-http-token-endpoint fault, the token endpoint itself.
    const plain = createHttpServer((req, res) => {
      if (faults.has('plain-http-token-endpoint')) listener.emit('request', req, res)
      else if (faults.has('plain-http-html-errors')) {
        // the token endpoint behind an edge whose error_page replaces every 4xx body with its own HTML page
        const chunks: Buffer[] = []
        req.on('data', (c: Buffer) => chunks.push(c))
        req.on('end', async () => {
          const headers = Object.fromEntries(
            Object.entries(req.headers).filter(([k]) => k === 'content-type'),
          ) as Record<string, string>
          const answer = await server.inject({
            method: req.method ?? 'GET',
            url: req.url ?? '/',
            headers,
            ...(chunks.length ? { payload: Buffer.concat(chunks) } : {}),
          })
          const page = `<html><head><title>${answer.statusCode}</title></head><body><center><h1>${answer.statusCode}</h1></center><hr><center>nginx</center></body></html>\n`
          if (answer.statusCode >= 400) res.writeHead(answer.statusCode, { 'content-type': 'text/html' }).end(page)
          else
            res
              .writeHead(answer.statusCode, {
                'content-type': String(answer.headers['content-type'] ?? 'application/json'),
              })
              .end(answer.rawPayload)
        })
      } else {
        authRequests++ // answered here, by the TLS-only edge, not by hapi
        res.writeHead(400, { 'content-type': 'text/plain' }).end('The plain HTTP request was sent to HTTPS port\n')
      }
    })
    const frontServer = createNetServer((socket) => {
      socket.once('data', (first) => {
        // The TLS server reads a net.Socket's native handle, which no longer holds the peeked bytes: give it a
        // stream that replays them instead.
        const stream = new Duplex({
          read() {},
          write(chunk, _enc, cb) {
            socket.write(chunk, cb)
          },
          final(cb) {
            socket.end(cb)
          },
          destroy(err, cb) {
            socket.destroy(err ?? undefined)
            cb(err)
          },
        })
        stream.push(first)
        socket.on('data', (d) => stream.push(d))
        socket.on('end', () => stream.push(null))
        socket.on('error', (e) => stream.destroy(e))
        socket.on('close', () => stream.destroy())
        ;(first[0] === 0x16 ? listener : plain).emit('connection', stream)
      })
    })
    front = frontServer
    await new Promise<void>((resolve) => frontServer.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve))
    url = `https://127.0.0.1:${(frontServer.address() as AddressInfo).port}`
  }
  // v2.0: the events service behind the gateway; with events-down its port is closed, as when recorded
  // gateway-other-key: the key was rotated on auth only, so the gateway (and the events service) verify with the old one
  const gatewayKey = faults.has('gateway-other-key') ? signingKey('other').publicKey : publicKey
  const eventsService = line === '2.0' ? await startEvents({ publicKey: gatewayKey, faults }) : undefined
  if (eventsService && faults.has('events-down')) await eventsService.stop()
  const eventsUp = eventsService && !faults.has('events-down') ? eventsService : undefined
  const gateway = await startGateway({
    line,
    release: opts.xVersion ?? opts.release,
    publicKey: gatewayKey,
    publicKeyPem: gatewayKey.export({ type: 'spki', format: 'pem' }).toString(),
    faults,
    latencyMs: latency,
    corsOrigins: opts.corsOrigins ?? DEFAULT_CORS,
    auth: async (req) => {
      const res = await server.inject({
        method: 'POST',
        url: req.url,
        headers: req.headers,
        ...(req.payload ? { payload: req.payload } : {}),
        plugins: { proxied: true } as object,
      })
      return { status: res.statusCode, payload: res.rawPayload }
    },
    ...(eventsService ? { events: { url: eventsService.url, port: eventsService.port } } : {}),
    ...(opts.host ? { host: opts.host } : {}),
    ...(tls ? { tls: faults.has('gateway-cert-expired') ? tls.expired : tls } : {}),
  })
  const edge = await startEdge({
    line,
    faults,
    authUrl: url,
    gatewayUrl: gateway.url,
    ...(opts.host ? { host: opts.host } : {}),
    ...(tls ? { tls: { key: tls.key, cert: tls.cert, ca: tls.caCert } } : {}),
  })
  const publicKeyFile = writePrivate('opencrvs-emulator-key-', 'public-key.pem', publicKeyPem)
  return {
    url,
    edge: { port: edge.port, domain: EMULATOR_DOMAIN },
    ...(tls ? { caFile: tls.caFile } : {}),
    gatewayUrl: gateway.url,
    ...(eventsUp ? { eventsUrl: eventsUp.url } : {}),
    publicKeyFile,
    writeAttempts: () => [...gateway.writeAttempts(), ...(eventsUp?.writeAttempts() ?? [])],
    requestCount: () => authRequests + gateway.requestCount() + edge.requestCount(),
    admin,
    release: opts.release,
    line,
    faults: [...faults],
    clients,
    publicKeyPem,
    async stop() {
      await Promise.all([
        server.stop({ timeout: 1000 }),
        gateway.stop(),
        edge.stop(),
        eventsUp?.stop(),
        new Promise<void>((r) => (front ? front.close(() => r()) : r())),
      ])
      for (const file of [publicKeyFile, ...(tls ? [tls.caFile] : [])])
        rmSync(dirname(file), { recursive: true, force: true })
    },
  }
}

export { FAULTS }
