/**
 * HTTPS mode: one port, two protocols, as a TLS edge has it. A TLS handshake goes to the auth service's HTTPS
 * listener; plain HTTP gets the answer a TLS-only edge gives (400, not OAuth), or, with a fault, the token endpoint
 * itself (plain-http-token-endpoint), or through an edge that replaces error bodies with HTML (plain-http-html-errors).
 */
import type Hapi from '@hapi/hapi'
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net'
import { Duplex } from 'node:stream'

export interface Front {
  url: string
  close(): Promise<void>
}

/** The token endpoint behind an edge whose error_page replaces every 4xx body with its own HTML page. */
function htmlErrors(server: Hapi.Server) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k === 'content-type')) as Record<
        string,
        string
      >
      const answer = await server.inject({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers,
        ...(chunks.length ? { payload: Buffer.concat(chunks) } : {}),
      })
      const status = answer.statusCode
      const page = `<html><head><title>${status}</title></head><body><center><h1>${status}</h1></center><hr><center>nginx</center></body></html>\n`
      if (status >= 400) res.writeHead(status, { 'content-type': 'text/html' }).end(page)
      else
        res
          .writeHead(status, { 'content-type': String(answer.headers['content-type'] ?? 'application/json') })
          .end(answer.rawPayload)
    })
  }
}

/**
 * The TLS server reads a net.Socket's native handle, which no longer holds the peeked bytes: give it a stream that
 * replays them instead.
 */
function replaying(socket: Socket, first: Buffer): Duplex {
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
  return stream
}

export async function startFront(opts: {
  listener: HttpsServer
  server: Hapi.Server
  faults: Set<string>
  host?: string
  port?: number
  /** Counts a request the edge answers itself (the auth service counts the others). */
  answeredHere(): void
}): Promise<Front> {
  const { listener, faults } = opts
  const plain = createHttpServer(
    faults.has('plain-http-token-endpoint')
      ? (req, res) => listener.emit('request', req, res)
      : faults.has('plain-http-html-errors')
        ? htmlErrors(opts.server)
        : (_req, res) => {
            opts.answeredHere()
            res.writeHead(400, { 'content-type': 'text/plain' }).end('The plain HTTP request was sent to HTTPS port\n')
          },
  )
  const front = createNetServer((socket) => {
    socket.once('data', (first) => {
      ;(first[0] === 0x16 ? listener : plain).emit('connection', replaying(socket, first))
    })
  })
  await new Promise<void>((resolve) => front.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve))
  return {
    url: `https://127.0.0.1:${(front.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => front.close(() => r())),
  }
}
