/**
 * A reference OpenCRVS v2.0 events service, reduced to the routes the gateway's /events/* proxy reaches for the
 * kit's probes. From ../shared/reference/real-events-transcripts.md (the real v2.0.0 events service, recorded):
 *   POST /events         event.create: any record.create scope, else 403 FORBIDDEN, before any input parsing;
 *                        then the authorisation middleware parses the input itself: a bare 400 BAD_REQUEST.
 *   POST /events/search  event.search: a record.search scope, else 403; then input validation (query required).
 *   POST /events/notify  event.actions.createAndNotify.request: input validation first (400 with issues).
 * Token checks (direct calls): RS256 only, iss opencrvs:auth-service, aud gateway-user or events-user; 401
 * "Authorization token is missing" / "Authentication failed", with no WWW-Authenticate.
 * Plain node:http, as the real service (tRPC standalone): Content-Type: application/json without a charset, no
 * Cache-Control. Every request that passed authorisation and input validation would have written or searched:
 * it is recorded, and the kit's probes must never cause one.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { verify, type KeyObject } from 'node:crypto'

export interface EventsOptions {
  publicKey: KeyObject
  faults: Set<string>
}

export interface RunningEvents {
  url: string
  port: number
  writeAttempts(): string[]
  stop(): Promise<void>
}

type Json = Record<string, unknown>

const trpcError = (code: string, httpStatus: number, path: string, message = code, issues?: Json[]) => ({
  message,
  code,
  data: { code, httpStatus, path },
  ...(issues ? { issues } : {}),
})

const missing = (field: string, expected: string) => ({
  expected,
  code: 'invalid_type',
  path: [field],
  message: `Invalid input: expected ${expected}, received undefined`,
})

/** tRPC's token check (packages/events getUser/verifyToken): the claims, or why the token is refused. */
function authenticate(header: string | undefined, publicKey: KeyObject): Json | string {
  if (!header) return 'Authorization token is missing'
  const token = header.replace(/^Bearer\s+/i, '')
  const [h, p, s] = token.split('.')
  if (!h || !p || s === undefined) return 'Authentication failed'
  try {
    const alg = (JSON.parse(Buffer.from(h, 'base64url').toString()) as Json).alg
    if (alg !== 'RS256' || !verify('sha256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, 'base64url')))
      return 'Authentication failed'
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Json
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
    if (
      claims.iss !== 'opencrvs:auth-service' ||
      !(aud.includes('opencrvs:gateway-user') || aud.includes('opencrvs:events-user'))
    )
      return 'Authentication failed'
    if (typeof claims.exp === 'number' && claims.exp <= Date.now() / 1000) return 'Authentication failed'
    return claims
  } catch {
    return 'Authentication failed'
  }
}

const scopes = (claims: Json): string[] => (Array.isArray(claims.scope) ? claims.scope.map(String) : [])

/** trpc-to-openapi 3.2.0 copies the parsed body into a fresh object with the path parameters: a string becomes an object of its characters. */
function input(raw: string): Json | undefined {
  if (!raw) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    return undefined
  }
  return parsed !== null && typeof parsed === 'object'
    ? { ...(parsed as Json) }
    : typeof parsed === 'string'
      ? { ...parsed.split('') }
      : {}
}

export async function startEvents(opts: EventsOptions): Promise<RunningEvents> {
  const writes: string[] = []
  const scopeChecked = !opts.faults.has('gateway-ignores-scope')
  const send = (res: ServerResponse, status: number, body: Json) => {
    const text = JSON.stringify(body)
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text)
  }
  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const path = (req.url ?? '/').split('?')[0]
    const route =
      req.method === 'POST'
        ? (
            {
              '/events': 'event.create',
              '/events/search': 'event.search',
              '/events/notify': 'event.actions.createAndNotify.request',
            } as Record<string, string>
          )[path!]
        : undefined
    if (!route) return send(res, 404, trpcError('NOT_FOUND', 404, '', 'Not found'))
    const claims = authenticate(req.headers.authorization, opts.publicKey)
    if (typeof claims === 'string') return send(res, 401, trpcError('UNAUTHORIZED', 401, route, claims))
    const body = input(raw)
    const has = (prefix: string) => !scopeChecked || scopes(claims).some((s) => s.startsWith(`type=${prefix}`))
    if (route === 'event.create') {
      const forbidden =
        opts.faults.has('events-forbids-notification-create') && scopes(claims).some((s) => s.includes('record.create'))
      if (!has('record.create') || forbidden) return send(res, 403, trpcError('FORBIDDEN', 403, route))
      if (!body || typeof body.type !== 'string' || typeof body.transactionId !== 'string')
        return send(res, 400, trpcError('BAD_REQUEST', 400, route))
    } else if (route === 'event.search') {
      if (!has('record.search')) return send(res, 403, trpcError('FORBIDDEN', 403, route))
      if (!body || body.query === null || typeof body.query !== 'object')
        return send(
          res,
          400,
          trpcError('BAD_REQUEST', 400, route, 'Input validation failed', [missing('query', 'object')]),
        )
    } else {
      const issues = ['transactionId', 'createdAtLocation', 'eventType']
        .filter((k) => typeof body?.[k] !== 'string')
        .map((k) => missing(k, 'string'))
      if (issues.length) return send(res, 400, trpcError('BAD_REQUEST', 400, route, 'Input validation failed', issues))
      if (!has('record.create') || !has('record.notify')) return send(res, 403, trpcError('FORBIDDEN', 403, route))
    }
    writes.push(`${req.method} ${path} (${route}) by ${String(claims.sub)}`)
    return send(res, 400, trpcError('BAD_REQUEST', 400, route, 'the emulator stores and searches nothing'))
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size <= 1_000_000) chunks.push(c)
    })
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    writeAttempts: () => [...writes],
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
