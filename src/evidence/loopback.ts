/**
 * Hand-overs between the kit's own processes, in memory: served on 127.0.0.1 under a path of 18 random bytes that no
 * one can guess, read once by the process it is for. What goes this way holds tokens or secrets, so it is never
 * written to disk, and it can be larger than an environment variable. Node's built-ins only: the wrapper serves
 * before it loads anything else.
 */
import { randomBytes } from 'node:crypto'
import { createServer, get } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Serve: GET <url><sub> answers what `answer(sub)` gives (null: 404). Returns the URL and how to stop serving. */
export async function serveSecretly(
  answer: (sub: string) => Promise<string | null> | string | null,
): Promise<{ url: string; close: () => Promise<void> }> {
  const path = `/${randomBytes(18).toString('base64url')}`
  const server = createServer((req, res) => {
    const url = req.url ?? ''
    if (req.method !== 'GET' || !url.startsWith(path)) {
      res.writeHead(404).end()
      return
    }
    Promise.resolve(answer(url.slice(path.length))).then(
      (text) => {
        if (text === null) return res.writeHead(404).end()
        const body = Buffer.from(text)
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body)
      },
      () => res.writeHead(500).end(),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  server.unref()
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}${path}`, close: () => new Promise((r) => server.close(() => r())) }
}

/** What serveSecretly serves at `url`; `what` names it in the error when it cannot be read. */
export function fetchText(url: string, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(Buffer.concat(chunks).toString('utf8'))
          : reject(new Error(`${what} could not be read (HTTP ${res.statusCode}): the run that held it has ended`)),
      )
      res.on('error', reject)
    }).on('error', (e) => reject(new Error(`${what} could not be read: ${e.message}`)))
  })
}
