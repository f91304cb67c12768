/**
 * A hostile or broken target for the kit's self-tests: a raw node:net server (not the emulator, which models
 * OpenCRVS) with one named behaviour per failure class. It counts the requests it receives, so a test can show
 * the kit sends no more to a broken target than the failure needs.
 *   silent    accepts the connection, reads, never answers
 *   drip      sends a 200 status line and headers, then the body one byte a second, forever
 *   huge      answers 200 application/json with an endless body, as fast as the socket takes it
 *   html-502  answers every request 502 with an HTML error page, as a proxy in front of a dead service does
 *   maintenance-503  answers every request 503 with Retry-After: 120 and an HTML maintenance page, as a deployment
 *             taken down for maintenance behind its edge does (a service unavailable, not a rate limit)
 *   html-200  answers every request 200 with an HTML page, as a web app's catch-all route does
 *   deep-jwt  answers every request 200 with a "token" whose claims nest 20 000 levels deep, as an OpenCRVS
 *             gateway would say it is (X-Version), so the checks, not the identification, meet the token
 *   generic-oauth  a standards-following RFC 6749 server that is not OpenCRVS: form body only, expires_in,
 *             an at+jwt token with its own iss and aud, OAuth errors without an OpenCRVS error_uri
 */
import { createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { forward } from '../emulator/edge.ts'

export type Behaviour =
  | 'silent'
  | 'drip'
  | 'huge'
  | 'html-502'
  | 'maintenance-503'
  | 'html-200'
  | 'deep-jwt'
  | 'generic-oauth'
  | 'inject'
  | 'header-flood'
  | 'reset-mid-body'
  | 'bad-status-line'

/**
 * What an injecting target puts in every text the kit may quote: an ANSI clear-screen, an OSC 8 hyperlink, a carriage
 * return, a right-to-left override, a Markdown image, an HTML <img>, a Markdown link, and a line that would be a
 * GitHub workflow command if it started a line.
 */
export const INJECTION =
  '\u001b[2J\u001b]8;;https://evil.example/osc\u0007click\u001b]8;;\u0007\rX\u202eevil ![pixel](https://evil.example/p.png) <img src=https://evil.example/i.png> [link](https://evil.example/l) `x` ``` \n::error::forged workflow command'

export interface HostileTarget {
  url: string
  /** Requests received (request lines seen), and bytes sent. */
  requests(): number
  bytesSent(): number
  stop(): Promise<void>
}

const HTML_200 =
  '<!doctype html><html><head><title>OpenCRVS</title></head><body><div id="root"></div><script src="/main.js"></script></body></html>\n'
const HTML_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n'

export async function startHostile(behaviour: Behaviour): Promise<HostileTarget> {
  let requests = 0
  let sent = 0
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  const write = (socket: Socket, data: string | Buffer) => {
    if (socket.destroyed) return false
    sent += data.length
    return socket.write(data)
  }
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    // HTTP/1.1 framing: a head up to the blank line, then content-length bytes of body; one answer per request
    let pending = Buffer.alloc(0)
    socket.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d])
      for (;;) {
        const end = pending.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = pending.subarray(0, end).toString('latin1')
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0)
        if (pending.length < end + 4 + length) return
        const body = pending.subarray(end + 4, end + 4 + length).toString('utf8')
        pending = pending.subarray(end + 4 + length)
        requests++
        if (behaviour === 'generic-oauth') genericOAuth(socket, head, body)
        else if (behaviour === 'inject') inject(socket, head.startsWith('HEAD '))
        else answer(socket, head.startsWith('HEAD '))
      }
    })
  })
  const genericOAuth = (socket: Socket, head: string, body: string) => {
    const json = (status: string, value: object) => {
      const text = JSON.stringify(value)
      write(
        socket,
        `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncache-control: no-store\r\npragma: no-cache\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
      )
    }
    const form = /content-type:\s*application\/x-www-form-urlencoded/i.test(head)
      ? new URLSearchParams(body)
      : new URLSearchParams()
    if (!head.startsWith('POST '))
      return json('405 Method Not Allowed', { error: 'invalid_request', error_description: 'POST only' })
    if (!form.get('grant_type'))
      return json('400 Bad Request', { error: 'invalid_request', error_description: 'missing grant_type' })
    if (form.get('grant_type') !== 'client_credentials')
      return json('400 Bad Request', { error: 'unsupported_grant_type', error_description: 'unsupported grant_type' })
    if (!form.get('client_id') || !form.get('client_secret'))
      return json('401 Unauthorized', { error: 'invalid_client', error_description: 'client authentication failed' })
    const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url')
    const now = Math.floor(Date.now() / 1000)
    const token = `${b64({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' })}.${b64({ iss: 'https://idp.example.org', aud: 'https://api.example.org', sub: form.get('client_id'), client_id: form.get('client_id'), iat: now, exp: now + 3600, jti: String(now), scope: 'api:read' })}.${'s'.repeat(342)}`
    json('200 OK', { access_token: token, token_type: 'Bearer', expires_in: 3600, scope: 'api:read' })
  }
  // an OpenCRVS-looking auth service (its error_uri) that refuses everything, quoting the injection everywhere it can
  const inject = (socket: Socket, head: boolean) => {
    const text = JSON.stringify({
      error: 'invalid_client',
      error_description: INJECTION,
      error_uri: `Refer to https://documentation.opencrvs.org/ ${INJECTION}`,
      message: INJECTION,
    })
    write(
      socket,
      `HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\nlocation: https://evil.example/loc\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${head ? '' : text}`,
    )
  }
  const answer = (socket: Socket, head: boolean) => {
    if (behaviour === 'silent') return
    // 2 MB of response headers
    if (behaviour === 'header-flood') {
      write(
        socket,
        `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n${Array.from({ length: 2048 }, (_, i) => `x-flood-${i}: ${'a'.repeat(1000)}\r\n`).join('')}content-length: 2\r\n\r\n{}`,
      )
      return
    }
    // a head promising 100 bytes, 10 of them, then the connection reset
    if (behaviour === 'reset-mid-body') {
      write(socket, 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"access_t')
      setTimeout(() => socket.resetAndDestroy(), 50)
      return
    }
    if (behaviour === 'bad-status-line') {
      write(socket, 'HTTP/1.1 2OO SURE\r\ncontent-length: 2\r\n\r\n{}')
      return
    }
    if (behaviour === 'maintenance-503') {
      const page = '<!doctype html><html><body><h1>Down for maintenance</h1><p>Back soon.</p></body></html>'
      write(
        socket,
        `HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/html\r\nretry-after: 120\r\ncontent-length: ${Buffer.byteLength(page)}\r\n\r\n${head ? '' : page}`,
      )
      return
    }
    if (behaviour === 'html-502' || behaviour === 'html-200') {
      const [status, page] = behaviour === 'html-502' ? ['502 Bad Gateway', HTML_502] : ['200 OK', HTML_200]
      write(
        socket,
        `HTTP/1.1 ${status}\r\ncontent-type: text/html\r\ncontent-length: ${Buffer.byteLength(page)}\r\n\r\n${head ? '' : page}`,
      )
      return
    }
    if (behaviour === 'deep-jwt') {
      const b64 = (t: string) => Buffer.from(t).toString('base64url')
      const body = JSON.stringify({
        access_token: `${b64('{"alg":"RS256","typ":"JWT"}')}.${b64(`${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`)}.c2lnbmF0dXJlc2lnbmF0dXJl`,
        token_type: 'Bearer',
      })
      write(
        socket,
        `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncache-control: no-store\r\nx-version: 2.0.0\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${head ? '' : body}`,
      )
      return
    }
    write(socket, 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n')
    if (behaviour === 'drip') {
      write(socket, '1\r\n{\r\n')
      const t = setInterval(() => {
        if (!write(socket, '1\r\n \r\n') && socket.destroyed) clearInterval(t)
      }, 1000)
      timers.add(t)
      socket.on('close', () => clearInterval(t))
      return
    }
    // huge: 64 kB chunks of one endless JSON string, written as fast as the socket drains
    const chunk = Buffer.from(`10000\r\n${'a'.repeat(0x10000)}\r\n`)
    write(socket, '11\r\n{"access_token":"\r\n')
    const pump = () => {
      while (!socket.destroyed && write(socket, chunk)) {
        if (sent > 8 * 1024 ** 3) return socket.destroy() // 8 GB: the self-test is over long before
      }
    }
    socket.on('drain', pump)
    pump()
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    bytesSent: () => sent,
    stop: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearInterval(t)
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}

/**
 * A rate-limiting edge (Traefik's ratelimit middleware, nginx limit_req, a cloud WAF) in front of a sound target:
 * a token bucket of `perSecond` requests a second (as many in a burst); over it, 429 Too Many Requests with
 * Retry-After: 1, the request never forwarded. perSecond 0: every request refused.
 */
export async function startRateLimiter(
  upstream: string,
  perSecond: number,
): Promise<{ url: string; refused(): number; forwarded(): number; stop(): Promise<void> }> {
  const { createServer: createHttp } = await import('node:http')
  let tokens = perSecond
  let last = Date.now()
  let refused = 0
  let forwarded = 0
  const server = createHttp((req, res) => {
    const now = Date.now()
    tokens = Math.min(perSecond, tokens + ((now - last) / 1000) * perSecond)
    last = now
    if (tokens < 1) {
      refused++
      req.resume()
      res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '1' }).end('Too Many Requests\n')
      return
    }
    tokens -= 1
    forwarded++
    forward(req, res, `${upstream}${req.url ?? '/'}`)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refused: () => refused,
    forwarded: () => forwarded,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

/**
 * A proxy in front of a sound target whose upstream fails: the first `times` token requests that carry a form body
 * (every request, with `every`) get its own `status` page (HTML; a 503 with Retry-After: 120, as a maintenance
 * page), the rest are forwarded. Every URL it was sent is kept, to show where the secrets went.
 */
export async function startFailingProxy(
  upstream: string,
  status: number,
  opts: { times?: number; every?: boolean } = {},
): Promise<{ url: string; urls(): string[]; stop(): Promise<void> }> {
  const { createServer: createHttp } = await import('node:http')
  const urls: string[] = []
  let left = opts.times ?? 1
  const server = createHttp((req, res) => {
    urls.push(req.url ?? '/')
    const form = /x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')
    if (opts.every || (left > 0 && form && /\/token$/.test((req.url ?? '/').split('?')[0]!))) {
      left--
      req.resume()
      const headers = { 'content-type': 'text/html', ...(status === 503 ? { 'retry-after': '120' } : {}) }
      res.writeHead(status, headers).end(`<html><body>${status}: the upstream failed</body></html>`)
      return
    }
    forward(req, res, `${upstream}${req.url ?? '/'}`)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    urls: () => [...urls],
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
