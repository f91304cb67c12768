/**
 * The deployment's edge for host names under its domain, as Traefik routes them (integration-clients.md §2):
 *   v1.x  Host(auth.<domain>) -> the auth service (countryconfig docker-compose.deploy.yml)
 *   v2.0  no router for auth.<domain>: Traefik's answer for an unmatched host, 404 text/plain "404 page not found"
 * Clients that build https://auth.<domain>/token reach it here; the kit connects to it through
 * CONFORMANCE_CONNECT_TO (*.<domain> -> this port), so the names never leave the machine.
 * Faults: auth-host-maintenance (v1.9: auth.<domain> behind a maintenance page), auth-host-not-routed (v1.x without the router), auth-host-to-gateway (v2.0 with the documented fix: a
 * router for auth.<domain>/token to the gateway's /auth/token), auth-host-to-gateway-root (v2.0: auth.<domain> routed
 * to the gateway as it is, which answers /token with its own JSON 404).
 */
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Line } from './releases.ts'

export const EMULATOR_DOMAIN = 'opencrvs.test'

export interface EdgeOptions {
  line: Line
  faults: Set<string>
  /** The auth service's and the gateway's own URLs (what the routers forward to). */
  authUrl: string
  gatewayUrl: string
  tls?: { key: string; cert: string; ca: string }
  host?: string
}

/** Traefik's answer when no router matches. */
function unmatched(res: ServerResponse): void {
  res
    .writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' })
    .end('404 page not found\n')
}

/** Forward a request as it came (method, path and query, headers, body) and its answer as it comes back. */
export function forward(req: IncomingMessage, res: ServerResponse, to: string, ca?: string): void {
  const url = new URL(to)
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  const headers = { ...req.headers, host: url.host }
  // a connection per request (agent: false): no idle upstream socket the service may close under a reused request
  const up = send(
    {
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      method: req.method,
      headers: { ...headers, connection: 'close' },
      agent: false,
      ...(ca ? { ca } : {}),
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    },
  )
  up.on('error', () =>
    res.headersSent ? res.destroy() : res.writeHead(502, { 'content-type': 'text/plain' }).end('Bad Gateway\n'),
  )
  req.pipe(up)
}

export async function startEdge(
  opts: EdgeOptions,
): Promise<{ port: number; requestCount(): number; stop(): Promise<void> }> {
  const { faults, line } = opts
  let requests = 0
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase()
    const path = req.url ?? '/'
    if (host === `auth.${EMULATOR_DOMAIN}`) {
      if (faults.has('auth-host-maintenance')) {
        requests++
        return void res
          .writeHead(503, { 'content-type': 'text/html', 'retry-after': '120' })
          .end('<!doctype html><html><body><h1>Down for maintenance</h1></body></html>\n')
      }
      if (line !== '2.0' && !faults.has('auth-host-not-routed'))
        return forward(req, res, `${opts.authUrl}${path}`, opts.tls?.ca)
      if (line === '2.0' && faults.has('auth-host-to-gateway') && /^\/token(\?|$)/.test(path))
        return forward(req, res, `${opts.gatewayUrl}/auth${path}`, opts.tls?.ca)
      if (line === '2.0' && faults.has('auth-host-to-gateway-root'))
        return forward(req, res, `${opts.gatewayUrl}${path}`, opts.tls?.ca)
    }
    if (host === `gateway.${EMULATOR_DOMAIN}`) return forward(req, res, `${opts.gatewayUrl}${path}`, opts.tls?.ca)
    requests++ // answered here; a forwarded request is counted where it lands
    unmatched(res)
  }
  const server = opts.tls
    ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, handler)
    : createHttpServer(handler)
  await new Promise<void>((resolve) => server.listen(0, opts.host ?? '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    /** Requests the edge answered itself (no router matched). */
    requestCount: () => requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.()
        server.close(() => resolve())
      }),
  }
}
