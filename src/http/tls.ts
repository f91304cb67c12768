/**
 * TLS facts of a target, from the handshake itself (node:tls, which undici uses underneath): protocol, cipher,
 * certificate, and whether a legacy (TLS 1.0/1.1) handshake completes. Each connection counts against the
 * request budget. Verification is reported, never switched off for the kit's own requests.
 */
import { isIP } from 'node:net'
import { connect, type ConnectionOptions, type PeerCertificate } from 'node:tls'
import { spend, trustedCa } from './index.ts'

export interface TlsFacts {
  protocol: string | null
  cipher: string
  authorized: boolean
  authorizationError?: string
  subject: string
  issuer: string
  subjectAltName: string
  validTo: string
  daysLeft: number
  fingerprint256: string
}

function options(url: string, extra: ConnectionOptions = {}): ConnectionOptions {
  const u = new URL(url)
  const host = u.hostname.replace(/^\[|\]$/g, '')
  const ca = trustedCa()
  return { host, port: Number(u.port || 443), ...(isIP(host) ? {} : { servername: host }), rejectUnauthorized: false, ...(ca ? { ca } : {}), ...extra }
}

function handshake(url: string, extra: ConnectionOptions): Promise<{ ok: true; socket: ReturnType<typeof connect> } | { ok: false; error: string }> {
  spend()
  return new Promise((resolve) => {
    const socket = connect(options(url, extra))
    const timer = setTimeout(() => {
      socket.destroy()
      resolve({ ok: false, error: 'timed out' })
    }, 10_000)
    socket.once('secureConnect', () => {
      clearTimeout(timer)
      resolve({ ok: true, socket })
    })
    socket.once('error', (e) => {
      clearTimeout(timer)
      resolve({ ok: false, error: e.message })
    })
  })
}

const name = (o: PeerCertificate['subject'] | undefined) => (o ? Object.entries(o).map(([k, v]) => `${k}=${String(v)}`).join(', ') : '')

/** Handshake with this machine's defaults (TLS 1.2+) and report what was negotiated and presented. */
export async function tlsFacts(url: string): Promise<TlsFacts | { error: string }> {
  const r = await handshake(url, {})
  if (!r.ok) return { error: r.error }
  const s = r.socket
  const cert = s.getPeerCertificate()
  const facts: TlsFacts = {
    protocol: s.getProtocol(),
    cipher: s.getCipher().name,
    authorized: s.authorized,
    ...(s.authorizationError ? { authorizationError: String(s.authorizationError) } : {}),
    subject: name(cert.subject),
    issuer: name(cert.issuer),
    subjectAltName: cert.subjectaltname ?? '',
    validTo: cert.valid_to,
    daysLeft: Math.floor((Date.parse(cert.valid_to) - Date.now()) / 86_400_000),
    fingerprint256: cert.fingerprint256,
  }
  s.end()
  return facts
}

/** Offer only TLS 1.0/1.1 (with the legacy ciphers they need): does the server complete the handshake? */
export async function legacyHandshake(url: string): Promise<{ completed: boolean; protocol?: string | null; error?: string }> {
  const r = await handshake(url, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })
  if (!r.ok) return { completed: false, error: r.error }
  const protocol = r.socket.getProtocol()
  r.socket.end()
  return { completed: true, protocol }
}
