/**
 * Transport security of the token endpoint: TLS version, certificate, HSTS, and the plain-HTTP twin.
 * For an http:// target (allowed with CONFORMANCE_ALLOW_HTTP) these are SKIPPED, saying so.
 */
import { randomUUID } from 'node:crypto'
import { check, pass, skip, violation, type Outcome, test } from '../fixtures/index.ts'
import type { Target } from '../src/config/index.ts'
import { accessToken, BudgetExceeded, errorCode, evidence, send, tokenRequest } from '../src/http/index.ts'
import { legacyHandshake, tlsFacts, type TlsFacts } from '../src/http/tls.ts'
import { registerSecret } from '../src/redact/index.ts'
import { req } from '../src/requirements/catalogue.ts'

const PLAIN = 'the target is plain http:// (allowed by CONFORMANCE_ALLOW_HTTP): TLS checks need an https:// token URL'

let facts: Promise<TlsFacts | { error: string }> | undefined
async function handshake(target: Target): Promise<TlsFacts | Outcome> {
  if (!target.tokenUrl.startsWith('https:')) return skip(PLAIN)
  facts ??= tlsFacts(target.tokenUrl)
  const f = await facts
  if ('error' in f) return violation(`no TLS handshake with ${new URL(target.tokenUrl).host}: ${f.error}`)
  return f
}
const isOutcome = (x: TlsFacts | Outcome): x is Outcome => 'kind' in x
const describe = (f: TlsFacts) =>
  `protocol ${f.protocol}, cipher ${f.cipher}\ncertificate: subject ${f.subject}; issuer ${f.issuer}; ${f.subjectAltName || 'no subjectAltName'}; valid to ${f.validTo} (${f.daysLeft} days); SHA-256 ${f.fingerprint256}\nverification: ${f.authorized ? 'trusted' : `NOT trusted (${f.authorizationError})`}`

test(...check(req('TLS-01'), async ({ target }) => {
  const f = await handshake(target)
  if (isOutcome(f)) return f
  const legacy = await legacyHandshake(target.tokenUrl)
  const detail = `${describe(f)}\nlegacy handshake offering only TLS 1.0/1.1: ${legacy.completed ? `COMPLETED (${legacy.protocol})` : `refused (${legacy.error})`}`
  if (f.protocol !== 'TLSv1.2' && f.protocol !== 'TLSv1.3') return violation(`negotiated ${f.protocol}; TLS 1.2 or later is required`, { detail })
  if (legacy.completed) {
    return violation(`the server completes a ${legacy.protocol} handshake: TLS 1.0 and 1.1 are deprecated (RFC 8996) and must be refused`, {
      detail,
      fix: 'Set the minimum TLS version to 1.2 at the edge (Traefik tls.options minVersion: VersionTLS12).',
    })
  }
  return pass(`${f.protocol} (${f.cipher}); a TLS 1.0/1.1-only client is refused`, { detail, observed: { 'tls.protocol': f.protocol } })
}))

test(...check(req('TLS-02'), async ({ target }) => {
  const f = await handshake(target)
  if (isOutcome(f)) return f
  if (f.authorized) return pass(`certificate trusted and valid for ${new URL(target.tokenUrl).hostname} (issuer ${f.issuer})`, { detail: describe(f) })
  return violation(`the certificate is not trusted for ${new URL(target.tokenUrl).hostname}: ${f.authorizationError}`, {
    detail: describe(f),
    fix: target.caFile
      ? 'Check the certificate names this host and is signed by the CA in OPENCRVS_CA_FILE.'
      : 'If the deployment uses a private CA, set OPENCRVS_CA_FILE to its PEM certificate; otherwise fix the certificate (name, chain, expiry). The kit never disables verification.',
  })
}))

test(...check(req('TLS-03'), async ({ target }) => {
  const f = await handshake(target)
  if (isOutcome(f)) return f
  if (f.daysLeft >= 21) return pass(`the certificate expires on ${f.validTo} (${f.daysLeft} days left)`)
  return violation(`the certificate expires on ${f.validTo}: ${f.daysLeft} days left. Every integration stops when it does`, {
    detail: describe(f),
    fix: 'Renew the certificate now (check the ACME/cert-manager renewal job).',
  })
}))

test(...check(req('TLS-04'), async ({ target, tokens }) => {
  if (!target.tokenUrl.startsWith('https:')) return skip(PLAIN)
  const a = await tokens.primary(tokens.firstType())
  const hsts = a.exchange.headers['strict-transport-security']
  if (hsts && /max-age=\d+/i.test(hsts)) return pass(`Strict-Transport-Security: ${hsts}`)
  return violation(`no Strict-Transport-Security header on the token response: a client that once follows an http:// link can be downgraded and send its secret in clear`, {
    fix: 'The official v2 Helm ingress sets it (sts-and-basic-response-headers); on docker-swarm add a Traefik headers middleware with stsSeconds.',
  })
}))

test(...check(req('TLS-05'), async ({ target }) => {
  if (!target.tokenUrl.startsWith('https:')) return skip(PLAIN)
  const twin = new URL(target.tokenUrl)
  twin.protocol = 'http:'
  const dummy = randomUUID()
  registerSecret(dummy, 'dummy secret for the plain-HTTP probe')
  const request = tokenRequest(twin.toString(), 'query', { client_id: randomUUID(), client_secret: dummy, grant_type: 'client_credentials' })
  let ex
  try {
    ex = await send(request, 10_000)
  } catch (e) {
    if (e instanceof BudgetExceeded) throw e // never a pass: the twin was not probed
    return pass(`${twin.origin} refuses plain HTTP (${(e as Error).message})`)
  }
  const oauth = typeof errorCode(ex) === 'string' || accessToken(ex) !== undefined
  const location = ex.headers.location ?? ''
  if (ex.status >= 300 && ex.status < 400 && location.startsWith('https:')) return pass(`plain HTTP is redirected to HTTPS (${ex.status} to ${location}); not followed`, { detail: evidence(ex, { headers: ['location'] }) })
  if (!oauth) return pass(`plain HTTP does not reach the token endpoint (HTTP ${ex.status}, no OAuth answer)`, { detail: evidence(ex) })
  return violation(`the token endpoint answers over plain HTTP at ${twin.origin} (HTTP ${ex.status} with an OAuth body): a client sending its real secret there would get a token, with the secret readable on the wire`, {
    detail: evidence(ex),
    fix: 'Serve /token only over HTTPS: redirect port 80 to 443 (Traefik web entrypoint redirection) or close it.',
  })
}))
