/**
 * Transport security of the token endpoint: TLS version, certificate, HSTS, and the plain-HTTP twin.
 * For an http:// target (allowed with CONFORMANCE_ALLOW_HTTP) these are SKIPPED, saying so.
 */
import { randomUUID } from 'node:crypto'
import { check, pass, skip, violation, type Outcome, test } from '../fixtures/index.ts'
import type { TokenStore } from '../fixtures/tokens.ts'
import type { Net } from '../fixtures/kit.ts'
import type { Target } from '../src/config/index.ts'
import { accessToken, BudgetExceeded, errorCode, evidence, tokenRequest } from '../src/http/index.ts'
import { legacyHandshake, tlsFacts, type TlsFacts } from '../src/http/tls.ts'
import { registerSecret } from '../src/redact/index.ts'
import { req } from '../src/requirements/catalogue.ts'

const PLAIN = 'the target is plain http:// (allowed by CONFORMANCE_ALLOW_HTTP): TLS checks need an https:// token URL'

async function handshake(net: Net, target: Target): Promise<TlsFacts | Outcome> {
  if (!target.tokenUrl.startsWith('https:')) return skip(PLAIN)
  const f = await net.observe('tls:facts', (http) => tlsFacts(http, target.tokenUrl))
  if ('error' in f) return violation(`no TLS handshake with ${new URL(target.tokenUrl).host}: ${f.error}`)
  return f
}
const isOutcome = (x: TlsFacts | Outcome): x is Outcome => 'kind' in x
const describe = (f: TlsFacts) =>
  `protocol ${f.protocol}, cipher ${f.cipher}\ncertificate: subject ${f.subject}; issuer ${f.issuer}; ${f.subjectAltName || 'no subjectAltName'}; valid to ${f.validTo} (${f.daysLeft} days); SHA-256 ${f.fingerprint256}\nverification: ${f.authorized ? 'trusted' : `NOT trusted (${f.authorizationError})`}`

test(...check(req('TLS-01'), async ({ target, net }) => {
  const f = await handshake(net, target)
  if (isOutcome(f)) return f
  const legacy = await net.observe('tls:legacy', (http) => legacyHandshake(http, target.tokenUrl))
  const detail = `${describe(f)}\nlegacy handshake offering only TLS 1.0/1.1: ${legacy.completed ? `COMPLETED (${legacy.protocol})` : `refused (${legacy.error})`}`
  if (f.protocol !== 'TLSv1.2' && f.protocol !== 'TLSv1.3') return violation(`negotiated ${f.protocol}; TLS 1.2 or later is required`, { detail })
  if (legacy.completed) {
    return violation(`the server completes a ${legacy.protocol} handshake: TLS 1.0 and 1.1 are deprecated (RFC 8996) and must be refused`, {
      detail,
      fix: 'Set the minimum TLS version to 1.2 at the edge: Traefik tls.options minVersion: VersionTLS12; nginx ssl_protocols TLSv1.2 TLSv1.3;; HAProxy ssl-default-bind-options ssl-min-ver TLSv1.2.',
    })
  }
  return pass(`${f.protocol} (${f.cipher}); a TLS 1.0/1.1-only client is refused`, { detail, observed: { 'tls.protocol': f.protocol } })
}))

test(...check(req('TLS-02'), async ({ target, net }) => {
  const f = await handshake(net, target)
  if (isOutcome(f)) return f
  if (f.missingIntermediate) {
    return violation(`${new URL(target.tokenUrl).host} sends only its own certificate, without the intermediate that issued it (${f.issuer})${f.authorized ? ': it verifies here only because OPENCRVS_CA_FILE holds that intermediate, and integrators whose trust store holds only the root fail' : ''}`, {
      detail: describe(f),
      fix: 'Serve the full chain: the certificate followed by its intermediates (Traefik and nginx: a fullchain PEM; HAProxy: the chain in the crt file).',
    })
  }
  if (f.authorized) return pass(`certificate trusted and valid for ${new URL(target.tokenUrl).hostname} (issuer ${f.issuer})`, { detail: describe(f) })
  return violation(`the certificate is not trusted for ${new URL(target.tokenUrl).hostname}: ${f.authorizationError}`, {
    detail: describe(f),
    fix: target.caFile
      ? 'Check the certificate names this host and is signed by the CA in OPENCRVS_CA_FILE.'
      : 'If the deployment uses a private CA, set OPENCRVS_CA_FILE to its PEM certificate; otherwise fix the certificate (name, chain, expiry). The kit never disables verification.',
  })
}))

test(...check(req('TLS-03'), async ({ target, net }) => {
  const f = await handshake(net, target)
  if (isOutcome(f)) return f
  if (f.daysLeft >= 21) return pass(`the certificate expires on ${f.validTo} (${f.daysLeft} days left)`)
  return violation(`the certificate expires on ${f.validTo}: ${f.daysLeft} days left. Every integration stops when it does`, {
    detail: describe(f),
    fix: 'Renew the certificate now (check the ACME/cert-manager renewal job).',
  })
}))

/** RFC 6797 §6.1: directives separated by ';', max-age required (delta-seconds, optionally quoted), each at most once. */
export function parseHsts(value: string): { maxAge: number; includeSubDomains: boolean; preload: boolean } | { invalid: string } {
  const seen = new Map<string, string | undefined>()
  for (const part of value.split(';').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([A-Za-z-]+)\s*(?:=\s*(.*))?$/.exec(part)
    if (!m) return { invalid: `"${part}" is not a directive` }
    const name = m[1]!.toLowerCase()
    if (seen.has(name)) return { invalid: `${name} appears twice` }
    seen.set(name, m[2]?.replace(/^"(.*)"$/, '$1'))
  }
  const maxAge = seen.get('max-age')
  if (maxAge === undefined || !/^\d+$/.test(maxAge)) return { invalid: 'no max-age with a number of seconds' }
  return { maxAge: Number(maxAge), includeSubDomains: seen.has('includesubdomains'), preload: seen.has('preload') }
}

const SIX_MONTHS = 180 * 86_400
const HSTS_FIX =
  'Set Strict-Transport-Security: max-age=31536000; includeSubDomains at the edge: Traefik headers middleware stsSeconds: 31536000 (the v2 Helm chart does), nginx add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;, HAProxy http-response set-header Strict-Transport-Security "max-age=31536000; includeSubDomains".'

async function hstsOf(tokens: TokenStore) {
  const a = await tokens.primary(tokens.firstType())
  const value = a.exchange.headers['strict-transport-security']
  return { value, parsed: value === undefined ? undefined : parseHsts(value) }
}

test(...check(req('TLS-04'), async ({ target, tokens }) => {
  if (!target.tokenUrl.startsWith('https:')) return skip(PLAIN)
  const { value, parsed } = await hstsOf(tokens)
  if (!parsed) {
    return violation(`no Strict-Transport-Security header on the token response: a client that once follows an http:// link can be downgraded and send its secret in clear`, { fix: HSTS_FIX })
  }
  if ('invalid' in parsed || parsed.maxAge === 0) return skip(`Strict-Transport-Security: ${value} does not keep HSTS on (see TLS-06)`)
  const flags = `includeSubDomains ${parsed.includeSubDomains ? 'yes' : 'no'}, preload ${parsed.preload ? 'yes' : 'no'}`
  if (parsed.maxAge < SIX_MONTHS) return violation(`Strict-Transport-Security max-age is ${parsed.maxAge} s (${Math.round(parsed.maxAge / 86_400)} days), under six months: browsers forget it between visits (${flags})`, { fix: HSTS_FIX })
  return pass(`Strict-Transport-Security: ${value} (max-age ${Math.round(parsed.maxAge / 86_400)} days; ${flags})`)
}))

test(...check(req('TLS-06'), async ({ target, tokens }) => {
  if (!target.tokenUrl.startsWith('https:')) return skip(PLAIN)
  const { value, parsed } = await hstsOf(tokens)
  if (!parsed) return skip('no Strict-Transport-Security header (see TLS-04)')
  if ('invalid' in parsed) return violation(`Strict-Transport-Security: ${value} does not parse (${parsed.invalid}): browsers ignore it, so HSTS is off`, { fix: HSTS_FIX })
  if (parsed.maxAge === 0) return violation(`Strict-Transport-Security: ${value} tells browsers to forget HSTS for this host (RFC 6797 §6.1.1): it turns HSTS off`, { fix: HSTS_FIX })
  return pass(`Strict-Transport-Security keeps HSTS on: max-age ${parsed.maxAge} s`)
}))

test(...check(req('TLS-05'), async ({ target, net }) => {
  if (!target.tokenUrl.startsWith('https:')) return skip(PLAIN)
  const twin = new URL(target.tokenUrl)
  twin.protocol = 'http:'
  const dummy = randomUUID()
  registerSecret(dummy, 'dummy secret for the plain-HTTP probe')
  const params = { client_id: randomUUID(), client_secret: dummy, grant_type: 'client_credentials' }
  let ex
  try {
    ex = await net.send('TLS-05:plain-http', tokenRequest(twin.toString(), 'query', params), 10_000)
  } catch (e) {
    if (e instanceof BudgetExceeded) throw e // never a pass: the twin was not probed
    return pass(`${twin.origin} refuses plain HTTP (${(e as Error).message})`)
  }
  const location = ex.headers.location ?? ''
  if (ex.status >= 300 && ex.status < 400 && location.startsWith('https:')) return pass(`plain HTTP is redirected to HTTPS (${ex.status} to ${location}); not followed`, { detail: evidence(ex, { headers: ['location'] }) })
  // what reached the twin, judged against what the HTTPS token endpoint answers the same dummy request: an
  // edge that replaces error bodies with HTML pages still passes the 401 of the credential check through
  const ref = await net.send('TLS-05:https', tokenRequest(target.tokenUrl, 'query', params))
  const oauth = typeof errorCode(ex) === 'string' || accessToken(ex) !== undefined
  const sameStatus = ex.status === 401 && ref.status === 401
  const sameBody = ex.bodyText.trim() !== '' && ex.bodyText === ref.bodyText
  const detail = `plain HTTP:\n${evidence(ex)}\n\nHTTPS, the same dummy request:\n${evidence(ref)}`
  if (!oauth && !sameStatus && !sameBody) return pass(`plain HTTP does not reach the token endpoint (HTTP ${ex.status}, where HTTPS answers the same dummy request ${ref.status}; no OAuth answer)`, { detail })
  const why = oauth ? `an OAuth body (HTTP ${ex.status})` : sameStatus ? `HTTP 401, the credential check's answer, as over HTTPS (its body replaced: ${ex.headers['content-type'] ?? 'no content type'})` : `the very answer HTTPS gives (HTTP ${ex.status})`
  return violation(`the token endpoint answers over plain HTTP at ${twin.origin}: ${why}. A client sending its real secret there would get a token, with the secret readable on the wire`, {
    detail,
    fix: 'Serve /token only over HTTPS: redirect port 80 to 443 (Traefik: web entrypoint redirections.entryPoint.to=websecure; nginx: return 301 https://$host$request_uri; HAProxy: http-request redirect scheme https) or close port 80.',
  })
}))
