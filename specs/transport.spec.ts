/**
 * Transport security of every https origin the kit talks to (the token endpoint, the gateway, the key URL): TLS
 * version, certificate and chain, days left, HSTS; and the token endpoint's plain-HTTP twin. Each verdict names
 * the origin at fault. For an http:// target (allowed with CONFORMANCE_ALLOW_HTTP) these are SKIPPED, saying so.
 */
import { randomUUID } from 'node:crypto'
import { check, pass, skip, violation, type Outcome, test } from '../fixtures/index.ts'
import type { TokenStore } from '../fixtures/tokens.ts'
import type { Net } from '../fixtures/kit.ts'
import type { Target } from '../src/config/index.ts'
import { accessToken, errorCode, evidence, type HttpExchange, runStopped, tokenRequest } from '../src/http/index.ts'
import { certificateProblem, legacyHandshake, tlsFacts, type TlsFacts } from '../src/http/tls.ts'
import type { GatewayStore } from '../fixtures/gateway.ts'
import { registerSecret } from '../src/redact/index.ts'
import { req } from '../src/requirements/catalogue.ts'

const PLAIN = 'the target is plain http:// (allowed by CONFORMANCE_ALLOW_HTTP): TLS checks need an https:// token URL'

/** An https origin the kit talks to, and what it is for (the v2.0 gateway serves the token endpoint too). */
interface Origin {
  url: string
  host: string
  roles: string[]
}

/** Every https origin of the run: the token endpoint, the gateway, the key URL; one entry per origin. */
function origins(target: Target): Origin[] {
  const all: Array<[string, string | undefined]> = [
    ['token endpoint', target.tokenUrl],
    ['gateway', target.gatewayUrl],
    ['key URL', target.publicKey?.kind === 'url' ? target.publicKey.location : undefined],
  ]
  const out = new Map<string, Origin>()
  for (const [role, url] of all) {
    if (!url?.startsWith('https:')) continue
    const u = new URL(url)
    const o = out.get(u.origin) ?? { url: u.origin, host: u.host, roles: [] }
    o.roles.push(role)
    out.set(u.origin, o)
  }
  return [...out.values()]
}
const label = (o: Origin) => `${o.host} (${o.roles.join(', ')})`

/** Each https origin with its handshake facts, or SKIPPED for a plain-http target. */
async function handshakes(
  net: Net,
  target: Target,
): Promise<Array<{ origin: Origin; facts: TlsFacts | { error: string } }> | Outcome> {
  if (!target.tokenUrl.startsWith('https:')) return skip(PLAIN)
  return Promise.all(
    origins(target).map(async (origin) => ({
      origin,
      facts: await net.observe(`tls:facts:${origin.url}`, (http) => tlsFacts(http, origin.url)),
    })),
  )
}
const describe = (o: Origin, f: TlsFacts | { error: string }) =>
  'error' in f
    ? `${label(o)}: no TLS handshake (${f.error})`
    : `${label(o)}: protocol ${f.protocol}, cipher ${f.cipher}\n  certificate: subject ${f.subject}; issuer ${f.issuer}; ${f.subjectAltName || 'no subjectAltName'}; valid to ${f.validTo} (${f.daysLeft} days); SHA-256 ${f.fingerprint256}\n  verification: ${f.authorized ? 'trusted' : `NOT trusted (${f.authorizationError})`}${f.missingIntermediate ? '; the intermediate is not sent' : ''}`
/** A verdict text: one clause per origin. */
const joined = (xs: string[]) => xs.join('; ')

const TLS12_FIX =
  'Set the minimum TLS version to 1.2 at the edge: Traefik tls.options minVersion: VersionTLS12; nginx ssl_protocols TLSv1.2 TLSv1.3;; HAProxy ssl-default-bind-options ssl-min-ver TLSv1.2.'

test(
  ...check(req('TLS-01'), async ({ target, net }) => {
    const all = await handshakes(net, target)
    if ('kind' in all) return all
    const bad: string[] = []
    const good: string[] = []
    const details: string[] = []
    for (const { origin, facts } of all) {
      if ('error' in facts) {
        bad.push(`${label(origin)}: no TLS handshake (${facts.error})`)
        details.push(describe(origin, facts))
        continue
      }
      const legacy = await net.observe(`tls:legacy:${origin.url}`, (http) => legacyHandshake(http, origin.url))
      details.push(
        `${describe(origin, facts)}\n  a client offering only TLS 1.0/1.1: ${legacy.completed ? `COMPLETED (${legacy.accepted?.join(' and ') ?? legacy.protocol})` : `refused (${legacy.error})`}`,
      )
      if (facts.protocol !== 'TLSv1.2' && facts.protocol !== 'TLSv1.3')
        bad.push(`${label(origin)} negotiated ${facts.protocol}; TLS 1.2 or later is required`)
      else if (legacy.completed)
        bad.push(
          `${label(origin)} completes a ${(legacy.accepted ?? [legacy.protocol]).join(' and a ')} handshake: TLS 1.0 and 1.1 are deprecated (RFC 8996) and must be refused`,
        )
      else good.push(`${label(origin)}: ${facts.protocol} (${facts.cipher}), TLS 1.0/1.1 refused`)
    }
    const detail = details.join('\n')
    const token = all.find((x) => x.origin.roles.includes('token endpoint'))?.facts
    const observed = token && !('error' in token) ? { 'tls.protocol': token.protocol } : {}
    if (bad.length) return violation(joined(bad), { detail, fix: TLS12_FIX, observed })
    return pass(joined(good), { detail, observed })
  }),
)

test(
  ...check(req('TLS-02'), async ({ target, net }) => {
    const all = await handshakes(net, target)
    if ('kind' in all) return all
    const bad: string[] = []
    const good: string[] = []
    for (const { origin, facts: f } of all) {
      if ('error' in f) {
        bad.push(`${label(origin)}: no TLS handshake (${f.error})`)
        continue
      }
      const u = new URL(origin.url)
      if (f.missingIntermediate) {
        bad.push(
          `${label(origin)} sends only its own certificate, without the intermediate that issued it (${f.issuer})${f.authorized ? ': it verifies here only because OPENCRVS_CA_FILE holds that intermediate, and integrators whose trust store holds only the root fail' : ''}`,
        )
      } else if (!f.authorized) {
        bad.push(
          `${label(origin)}: ${certificateProblem(u, f.authorizationError ?? '', f, target.caFile !== undefined) ?? `the certificate is not trusted for ${u.hostname}: ${f.authorizationError}`}`,
        )
      } else good.push(`${label(origin)}: trusted and valid for ${u.hostname} (issuer ${f.issuer})`)
    }
    const detail = all.map(({ origin, facts }) => describe(origin, facts)).join('\n')
    if (bad.length) {
      return violation(joined(bad), {
        detail,
        fix: `Serve the full chain (the certificate followed by its intermediates: Traefik and nginx a fullchain PEM, HAProxy the chain in the crt file), for this host name, renewed before it expires.${target.caFile ? '' : ' If the deployment uses a private CA, set OPENCRVS_CA_FILE to its PEM certificate.'} The kit never disables verification.`,
      })
    }
    return pass(joined(good), { detail })
  }),
)

test(
  ...check(req('TLS-03'), async ({ target, net }) => {
    const all = await handshakes(net, target)
    if ('kind' in all) return all
    const soon: string[] = []
    const fine: string[] = []
    for (const { origin, facts: f } of all) {
      if ('error' in f) fine.push(`${label(origin)}: no certificate read (see TLS-02)`)
      else if (f.daysLeft < 0) fine.push(`${label(origin)}: expired (see TLS-02)`)
      else if (f.daysLeft < 21)
        soon.push(`${label(origin)}: the certificate expires on ${f.validTo}, ${f.daysLeft} days left`)
      else fine.push(`${label(origin)}: expires on ${f.validTo} (${f.daysLeft} days left)`)
    }
    if (soon.length)
      return violation(`${joined(soon)}. Every integration stops when it does`, {
        detail: fine.join('\n'),
        fix: 'Renew the certificate now (check the ACME/cert-manager renewal job).',
      })
    return pass(joined(fine))
  }),
)

/** RFC 6797 §6.1: directives separated by ';', max-age required (delta-seconds, optionally quoted), each at most once. */
export function parseHsts(
  value: string,
): { maxAge: number; includeSubDomains: boolean; preload: boolean } | { invalid: string } {
  const seen = new Map<string, string | undefined>()
  for (const part of value
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
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

type Hsts = { where: string; value: string | undefined; parsed: ReturnType<typeof parseHsts> | undefined }

/**
 * The HSTS header of each answering https origin: the token response, and the gateway's answer to the positive
 * control where the gateway is an origin of its own. A gateway that could not be reached is left to GATEWAY-01 or TLS-02.
 */
async function hstsOf(target: Target, tokens: TokenStore, gateway: GatewayStore): Promise<Hsts[]> {
  const a = await tokens.primary(tokens.firstType())
  const of = (where: string, value: string | undefined): Hsts => ({
    where,
    value,
    parsed: value === undefined ? undefined : parseHsts(value),
  })
  const out = [
    of(`the token response (${new URL(target.tokenUrl).host})`, a.exchange.headers['strict-transport-security']),
  ]
  const gw = target.gatewayUrl?.startsWith('https:') ? new URL(target.gatewayUrl) : undefined
  if (gw && gw.origin !== new URL(target.tokenUrl).origin && target.clients[gateway.routes()[0]!.client]) {
    const c = await gateway.control(gateway.routes()[0]!).catch(() => undefined)
    if (c?.exchange) out.push(of(`the gateway (${gw.host})`, c.exchange.headers['strict-transport-security']))
  }
  return out
}
const show = (h: Hsts) =>
  `${h.where}: ${h.value === undefined ? 'no Strict-Transport-Security' : `Strict-Transport-Security: ${h.value}`}`

test(
  ...check(req('TLS-04'), async ({ target, tokens, gateway }) => {
    if (!target.tokenUrl.startsWith('https:')) return skip(PLAIN)
    const all = await hstsOf(target, tokens, gateway)
    const graded = all.filter((h) => !h.parsed || (!('invalid' in h.parsed) && h.parsed.maxAge > 0))
    if (!graded.length) return skip(`${all.map(show).join('; ')}: HSTS is not kept on (see TLS-06)`)
    const missing = graded.filter((h) => !h.parsed)
    if (missing.length) {
      return violation(
        `${missing.map((h) => h.where).join(' and ')} carries no Strict-Transport-Security header: a client that once follows an http:// link can be downgraded and send its secret in clear`,
        { detail: all.map(show).join('\n'), fix: HSTS_FIX },
      )
    }
    const flags = (h: Hsts) =>
      h.parsed && !('invalid' in h.parsed)
        ? `max-age ${Math.round(h.parsed.maxAge / 86_400)} days; includeSubDomains ${h.parsed.includeSubDomains ? 'yes' : 'no'}, preload ${h.parsed.preload ? 'yes' : 'no'}`
        : ''
    const short = graded.filter((h) => h.parsed && !('invalid' in h.parsed) && h.parsed.maxAge < SIX_MONTHS)
    if (short.length)
      return violation(
        `${short.map((h) => `${h.where}: Strict-Transport-Security max-age is ${Math.round((h.parsed as { maxAge: number }).maxAge / 86_400)} days (${flags(h)})`).join('; ')}, under six months: browsers forget it between visits`,
        { detail: all.map(show).join('\n'), fix: HSTS_FIX },
      )
    return pass(graded.map((h) => `${h.where}: Strict-Transport-Security: ${h.value} (${flags(h)})`).join('; '))
  }),
)

test(
  ...check(req('TLS-06'), async ({ target, tokens, gateway }) => {
    if (!target.tokenUrl.startsWith('https:')) return skip(PLAIN)
    const all = await hstsOf(target, tokens, gateway)
    const sent = all.filter((h) => h.parsed)
    if (!sent.length) return skip('no Strict-Transport-Security header (see TLS-04)')
    const off = sent.flatMap((h) => {
      const p = h.parsed!
      if ('invalid' in p)
        return [
          `${h.where}: Strict-Transport-Security: ${h.value} does not parse (${p.invalid}): browsers ignore it, so HSTS is off`,
        ]
      if (p.maxAge === 0)
        return [
          `${h.where}: Strict-Transport-Security: ${h.value} tells browsers to forget HSTS for this host (RFC 6797 §6.1.1): it turns HSTS off`,
        ]
      return []
    })
    if (off.length) return violation(off.join('; '), { fix: HSTS_FIX })
    return pass(
      `Strict-Transport-Security keeps HSTS on: ${sent.map((h) => `${h.where} max-age ${(h.parsed as { maxAge: number }).maxAge} s`).join('; ')}`,
    )
  }),
)

test(
  ...check(req('TLS-05'), async ({ target, net }) => {
    if (!target.tokenUrl.startsWith('https:')) return skip(PLAIN)
    const twin = new URL(target.tokenUrl)
    twin.protocol = 'http:'
    const dummy = randomUUID()
    registerSecret(dummy, 'dummy secret for the plain-HTTP probe')
    const params = { client_id: randomUUID(), client_secret: dummy, grant_type: 'client_credentials' }
    let ex: HttpExchange
    try {
      ex = await net.send('TLS-05:plain-http', tokenRequest(twin.toString(), 'query', params), 10_000)
    } catch (e) {
      if (runStopped(e)) throw e // never a pass: the twin was not probed
      return pass(`${twin.origin} refuses plain HTTP (${(e as Error).message})`)
    }
    const location = ex.headers.location ?? ''
    if (ex.status >= 300 && ex.status < 400 && location.startsWith('https:'))
      return pass(`plain HTTP is redirected to HTTPS (${ex.status} to ${location}); not followed`, {
        detail: evidence(ex, { headers: ['location'] }),
      })
    // what reached the twin, judged against what the HTTPS token endpoint answers the same dummy request: an
    // edge that replaces error bodies with HTML pages still passes the 401 of the credential check through
    const ref = await net.send('TLS-05:https', tokenRequest(target.tokenUrl, 'query', params))
    const oauth = typeof errorCode(ex) === 'string' || accessToken(ex) !== undefined
    const sameStatus = ex.status === 401 && ref.status === 401
    const sameBody = ex.bodyText.trim() !== '' && ex.bodyText === ref.bodyText
    const detail = `plain HTTP:\n${evidence(ex)}\n\nHTTPS, the same dummy request:\n${evidence(ref)}`
    if (!oauth && !sameStatus && !sameBody)
      return pass(
        `plain HTTP does not reach the token endpoint (HTTP ${ex.status}, where HTTPS answers the same dummy request ${ref.status}; no OAuth answer)`,
        { detail },
      )
    const why = oauth
      ? `an OAuth body (HTTP ${ex.status})`
      : sameStatus
        ? `HTTP 401, the credential check's answer, as over HTTPS (its body replaced: ${ex.headers['content-type'] ?? 'no content type'})`
        : `the very answer HTTPS gives (HTTP ${ex.status})`
    return violation(
      `the token endpoint answers over plain HTTP at ${twin.origin}: ${why}. A client sending its real secret there would get a token, with the secret readable on the wire`,
      {
        detail,
        fix: 'Serve /token only over HTTPS: redirect port 80 to 443 (Traefik: web entrypoint redirections.entryPoint.to=websecure; nginx: return 301 https://$host$request_uri; HAProxy: http-request redirect scheme https) or close port 80.',
      },
    )
  }),
)
