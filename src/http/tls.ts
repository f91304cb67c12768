/**
 * TLS facts of a target, from the handshake itself (node:tls, which undici uses underneath): protocol, cipher,
 * certificate, and whether a legacy (TLS 1.0/1.1) handshake completes. Each connection counts against the
 * request budget. Verification is reported, never switched off for the kit's own requests.
 */
import { isIP } from 'node:net'
import { X509Certificate } from 'node:crypto'
import { connect, type ConnectionOptions, type PeerCertificate } from 'node:tls'

/**
 * What the TLS probes need of the kit's HTTP client (src/http/index.ts HttpClient): its private CA, one request from
 * the budget per handshake, and each origin's failure worked out once. Named here so that this module does not
 * import the client that imports it.
 */
export interface TlsClient {
  readonly ca: string | undefined
  spend(): void
  readonly tlsFailures: Map<string, Promise<string>>
}

export interface TlsFacts {
  protocol: string | null
  cipher: string
  authorized: boolean
  authorizationError?: string
  subject: string
  issuer: string
  subjectAltName: string
  validFrom: string
  validTo: string
  daysLeft: number
  /**
   * The server sent only its own certificate, and the certificate that issued it is an intermediate (found in
   * OPENCRVS_CA_FILE, not self-signed): integrators whose trust store holds only the root cannot verify it.
   */
  missingIntermediate: boolean
  fingerprint256: string
}

function options(http: TlsClient, url: string, extra: ConnectionOptions = {}, withCa = true): ConnectionOptions {
  const u = new URL(url)
  const host = u.hostname.replace(/^\[|\]$/g, '')
  const ca = withCa ? http.ca : undefined
  return {
    host,
    port: Number(u.port || 443),
    ...(isIP(host) ? {} : { servername: host }),
    rejectUnauthorized: false,
    ...(ca ? { ca } : {}),
    ...extra,
  }
}

function handshake(
  http: TlsClient,
  url: string,
  extra: ConnectionOptions,
  withCa = true,
): Promise<{ ok: true; socket: ReturnType<typeof connect> } | { ok: false; error: string }> {
  http.spend()
  return new Promise((resolve) => {
    const socket = connect(options(http, url, extra, withCa))
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

/** Did a certificate in OPENCRVS_CA_FILE that is not self-signed (an intermediate) issue this one? */
function issuedByIntermediate(ca: string | undefined, der: Buffer | undefined): boolean {
  if (!der || !ca) return false
  const leaf = new X509Certificate(der)
  return (ca.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).some((pem) => {
    const c = new X509Certificate(pem)
    return leaf.checkIssued(c) && !c.checkIssued(c)
  })
}

const name = (o: PeerCertificate['subject'] | undefined) =>
  o
    ? Object.entries(o)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', ')
    : ''

/** Handshake with this machine's defaults (TLS 1.2+) and report what was negotiated and presented. */
export async function tlsFacts(http: TlsClient, url: string): Promise<TlsFacts | { error: string }> {
  const r = await handshake(http, url, {})
  if (!r.ok) return { error: r.error }
  const s = r.socket
  const cert = s.getPeerCertificate(true)
  const sameName = (a: PeerCertificate['subject'] | undefined, b: PeerCertificate['subject'] | undefined) =>
    name(a) === name(b)
  const facts: TlsFacts = {
    protocol: s.getProtocol(),
    cipher: s.getCipher().name,
    authorized: s.authorized,
    ...(s.authorizationError ? { authorizationError: String(s.authorizationError) } : {}),
    subject: name(cert.subject),
    issuer: name(cert.issuer),
    subjectAltName: cert.subjectaltname ?? '',
    validFrom: cert.valid_from,
    validTo: cert.valid_to,
    daysLeft: Math.floor((Date.parse(cert.valid_to) - Date.now()) / 86_400_000),
    missingIntermediate: false,
    fingerprint256: cert.fingerprint256,
  }
  s.end()
  // node completes the peer's chain from the trust store it was given: what the server itself sent shows only
  // in a handshake that trusts nothing extra (one more connection, and only where OPENCRVS_CA_FILE is set)
  if (!sameName(cert.subject, cert.issuer) && issuedByIntermediate(http.ca, cert.raw)) {
    const bare = await handshake(http, url, {}, false)
    if (bare.ok) {
      const sent = bare.socket.getPeerCertificate(true)
      facts.missingIntermediate = !sent.issuerCertificate || sent.issuerCertificate === sent
      bare.socket.end()
    }
  }
  return facts
}

/**
 * Offer only TLS 1.0/1.1 (with the legacy ciphers they need): does the server complete the handshake? When it
 * completes with 1.1, a second handshake offering 1.0 alone tells whether that is accepted too.
 */
export async function legacyHandshake(
  http: TlsClient,
  url: string,
): Promise<{ completed: boolean; protocol?: string | null; accepted?: string[]; error?: string }> {
  const legacy = { ciphers: 'DEFAULT@SECLEVEL=0' }
  const r = await handshake(http, url, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ...legacy })
  if (!r.ok) return { completed: false, error: r.error }
  const protocol = r.socket.getProtocol()
  r.socket.end()
  const accepted = [protocol === 'TLSv1' ? 'TLS 1.0' : 'TLS 1.1']
  if (protocol === 'TLSv1.1') {
    const v10 = await handshake(http, url, { minVersion: 'TLSv1', maxVersion: 'TLSv1', ...legacy })
    if (v10.ok) {
      accepted.unshift('TLS 1.0')
      v10.socket.end()
    }
  }
  return { completed: true, protocol, accepted }
}

const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME|ERR_SSL|ERR_TLS|EPROTO/
const OLD_PROTOCOL =
  /wrong version number|unsupported protocol|no protocols available|protocol version|version too low/i

/** The error code of a failed request or handshake (undici wraps the socket's error as its cause). */
export function tlsErrorCode(e: unknown): string | undefined {
  const err = e as { code?: string; cause?: { code?: string; message?: string }; message?: string }
  const code = err.cause?.code ?? err.code
  if (code && TLS_CODE.test(code)) return code
  if (OLD_PROTOCOL.test(`${err.cause?.message ?? ''} ${err.message ?? ''}`)) return 'ERR_SSL_PROTOCOL'
  return undefined
}

/**
 * What is wrong with an origin's TLS, in words an operator can act on: expired (with the date), not yet valid,
 * the names the certificate carries, a missing intermediate (with the issuer), an untrusted root, a protocol
 * too old. One unverified handshake (sending nothing) reads the facts; once per origin and run.
 */
export function tlsFailure(http: TlsClient, url: string, e: unknown): Promise<string> {
  const u = new URL(url)
  let p = http.tlsFailures.get(u.origin)
  if (!p) {
    p = describe(http, u, e)
    http.tlsFailures.set(u.origin, p)
  }
  return p
}

async function describe(http: TlsClient, u: URL, e: unknown): Promise<string> {
  const code = tlsErrorCode(e) ?? 'TLS'
  const detail = (e as { cause?: { message?: string }; message?: string }).cause?.message ?? (e as Error).message
  const facts = await tlsFacts(http, u.toString()).catch((x: Error) => ({ error: x.message }))
  if ('error' in facts) {
    if (code === 'ERR_SSL_PROTOCOL' || OLD_PROTOCOL.test(facts.error))
      return `${u.host} offers only TLS versions older than 1.2, which this machine refuses (${facts.error}); set the edge's minimum to TLS 1.2 (${code})`
    return `no TLS handshake with ${u.host}: ${facts.error} (${code})`
  }
  return `${certificateProblem(u, code, facts, http.ca !== undefined) ?? `TLS verification failed for ${u.host}: ${detail}`} (${code})`
}

/**
 * What is wrong with an origin's certificate, from the verification error code and what the server presented:
 * expired (with the date), not yet valid, the names it carries, a missing intermediate (with the issuer), an
 * untrusted root. Null when the code is none of these.
 */
export function certificateProblem(u: URL, code: string, facts: TlsFacts, privateCa: boolean): string | null {
  const host = u.host
  const ca = privateCa ? ' or to the CA in OPENCRVS_CA_FILE' : ''
  if (code === 'CERT_HAS_EXPIRED') {
    const days = Math.floor((Date.now() - Date.parse(facts.validTo)) / 86_400_000)
    return `the certificate of ${host} expired on ${facts.validTo} (${days === 0 ? 'today' : `${days} day${days === 1 ? '' : 's'} ago`}): renew it`
  }
  if (code === 'CERT_NOT_YET_VALID')
    return `the certificate of ${host} is not valid before ${facts.validFrom}: check the clock of the machine that issued it, or of this one`
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `the certificate of ${host} names ${facts.subjectAltName || facts.subject}, not ${u.hostname}: issue one for this name`
  if (facts.missingIntermediate)
    return `${host} sends only its own certificate, without the intermediate that issued it (${facts.issuer}): serve the full chain (the certificate followed by its intermediates)`
  if (/SELF_SIGNED/.test(code))
    return `${host} presents a self-signed certificate or root (${facts.issuer}) that this machine does not trust${ca}: use a certificate from a public CA, or for a private CA set OPENCRVS_CA_FILE`
  if (/UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code))
    return `the certificate chain of ${host} (issuer ${facts.issuer}) does not lead to a CA this machine trusts${ca}: for a private CA set OPENCRVS_CA_FILE to its certificate; if ${facts.issuer} is an intermediate, the server must send it too`
  return null
}
