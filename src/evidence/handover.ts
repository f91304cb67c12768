/**
 * The collected evidence goes from global setup to the Playwright workers in memory: global setup serves it on
 * a loopback port, at a path no one can guess, until the run ends; each worker (restarted ones too) reads it
 * there. It holds tokens, so it is never written to disk, and it can be larger than an environment variable.
 */
import { randomBytes } from 'node:crypto'
import { createServer, get } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseSnapshot, type EvidenceSnapshot } from './recorder.ts'

export const EVIDENCE_ENV = 'CONFORMANCE_EVIDENCE'

/** Serve the evidence text on 127.0.0.1; returns its URL and how to stop serving it. */
export async function serveEvidence(text: string): Promise<{ url: string; close: () => Promise<void> }> {
  const path = `/${randomBytes(18).toString('base64url')}`
  const body = Buffer.from(text)
  const server = createServer((req, res) => {
    if (req.url !== path || req.method !== 'GET') {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  server.unref()
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}${path}`, close: () => new Promise((r) => server.close(() => r())) }
}

/** The evidence global setup serves (see EVIDENCE_ENV). */
export function fetchEvidence(env: Record<string, string | undefined> = process.env): Promise<EvidenceSnapshot> {
  const url = env[EVIDENCE_ENV]
  if (!url) return Promise.reject(new Error(`${EVIDENCE_ENV} is not set: run the kit with "npm run conformance" (or npx playwright test), whose global setup collects the evidence.`))
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`the run's evidence could not be read (HTTP ${res.statusCode}): global setup has ended`))
        try {
          resolve(parseSnapshot(Buffer.concat(chunks).toString('utf8')))
        } catch (e) {
          reject(e as Error)
        }
      })
      res.on('error', reject)
    }).on('error', reject)
  })
}
