/**
 * Bad tokens at the door: the gateway must refuse every one with 401, on a read-only route whose positive
 * control (a valid token) is answered with a validation error, so nothing is ever written.
 */
import { createHmac } from 'node:crypto'
import { check, pass, skip, test, violation } from '../fixtures/index.ts'
import type { KeyStore } from '../fixtures/keys.ts'
import { decodedPrimary, MissingClient, type TokenStore } from '../fixtures/tokens.ts'
import type { Target } from '../src/config/index.ts'
import { evidence, send, type HttpExchange } from '../src/http/index.ts'
import type { Profile } from '../src/profiles/profiles.ts'
import { registerToken } from '../src/redact/index.ts'
import { req } from '../src/requirements/catalogue.ts'

test.describe.configure({ mode: 'default' })

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

/** The read-only protected call, with the given Authorization header (or none) and query. */
function call(target: Target, profile: Profile, authorization?: string, query = ''): Promise<HttpExchange> {
  const r = profile.protectedRead
  return send({ method: r.method, url: `${target.gatewayUrl}${r.path}${query}`, headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: r.body })
}

let control: Promise<HttpExchange> | undefined
/** The positive control: a valid token reaches validation. Without it a 401 proves nothing. */
async function doorReady(target: Target, profile: Profile, tokens: TokenStore) {
  if (!target.gatewayUrl) throw new MissingClient('no gateway configured: set OPENCRVS_GATEWAY_URL (https://gateway.<domain>) to check how the gateway treats bad tokens')
  const valid = await decodedPrimary(tokens, profile.protectedRead.client)
  control ??= call(target, profile, `Bearer ${valid.compact}`)
  const c = await control
  if (c.status !== profile.protectedRead.acceptedStatus) {
    throw new MissingClient(`the positive control failed: a valid token got HTTP ${c.status} at ${profile.protectedRead.method} ${profile.protectedRead.path} (expected ${profile.protectedRead.acceptedStatus}), so a refusal would prove nothing`)
  }
  return valid
}

function refused(what: string, ex: HttpExchange, profile: Profile) {
  if (ex.status === 401) return pass(`${what}: 401 ${String((ex.json as { message?: unknown } | undefined)?.message ?? '')}`.trim(), { detail: evidence(ex) })
  const accepted = ex.status === profile.protectedRead.acceptedStatus
  return violation(`${what}: HTTP ${ex.status}${accepted ? ', the same answer a valid token gets: the gateway accepted it' : ''}; it must be 401`, { detail: evidence(ex) })
}

check(req('DOOR-01'), async ({ target, profile, tokens }) => {
  await doorReady(target, profile, tokens)
  return refused('no Authorization header', await call(target, profile), profile)
}, { tag: ['@probe'] })

check(req('DOOR-02'), async ({ target, profile, tokens }) => {
  await doorReady(target, profile, tokens)
  return refused('the malformed bearer token "foobar"', await call(target, profile, 'Bearer foobar'), profile)
}, { tag: ['@probe'] })

check(req('DOOR-03'), async ({ target, profile, tokens }) => {
  const valid = await doorReady(target, profile, tokens)
  const none = `${b64({ alg: 'none', typ: 'JWT' })}.${valid.compact.split('.')[1]}.`
  registerToken(none, 'unsigned token')
  return refused('a real token re-headed alg "none", signature removed', await call(target, profile, `Bearer ${none}`), profile)
}, { tag: ['@probe'] })

async function publicPem(keys: KeyStore): Promise<string> {
  const k = await keys.get()
  if ('unavailable' in k) throw new MissingClient(`no public key to forge with: ${k.unavailable}`)
  return k.key.pem ?? k.key.key.export({ type: 'spki', format: 'pem' }).toString()
}

check(req('DOOR-04'), async ({ target, profile, tokens, keys }) => {
  const valid = await doorReady(target, profile, tokens)
  const pem = await publicPem(keys)
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${valid.compact.split('.')[1]}`
  const forged = `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`
  registerToken(forged, 'forged HS256 token')
  return refused('a real payload HS256-signed with the published public key as the secret', await call(target, profile, `Bearer ${forged}`), profile)
}, { tag: ['@probe'] })

check(req('DOOR-05'), async ({ target, profile, tokens }) => {
  const valid = await doorReady(target, profile, tokens)
  const [h, p, sig] = valid.compact.split('.') as [string, string, string]
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>
  const widened = { ...claims, scope: [...(Array.isArray(claims.scope) ? claims.scope : []), 'recordsearch', 'type=record.search', 'natlsysadmin'] }
  const edited = `${h}.${b64(widened)}.${sig}`
  registerToken(edited, 'edited token')
  return refused('a real token with its scope widened and its signature kept', await call(target, profile, `Bearer ${edited}`), profile)
}, { tag: ['@probe'] })

check(req('DOOR-06'), async ({ target, profile, tokens }) => {
  await doorReady(target, profile, tokens)
  if (!profile.otherAudienceTokenRoute) return skip(`${profile.label} has no public route to a genuinely signed token for another audience (v2.0 moved /anonymous-token behind /internal)`)
  if (!target.authUrl) return skip('no auth URL configured: set OPENCRVS_AUTH_URL to fetch a token for another audience from /anonymous-token')
  const got = await send({ method: 'GET', url: `${target.authUrl}${profile.otherAudienceTokenRoute}` })
  const json = got.json as { token?: unknown; access_token?: unknown } | undefined
  const other = typeof json?.token === 'string' ? json.token : typeof json?.access_token === 'string' ? json.access_token : undefined
  if (!other) return skip(`${profile.otherAudienceTokenRoute} gave no token (HTTP ${got.status}); nothing to try at the door`)
  registerToken(other, 'other-audience token')
  const aud = JSON.parse(Buffer.from(other.split('.')[1] ?? '', 'base64url').toString() || '{}') as { aud?: unknown }
  if (Array.isArray(aud.aud) && aud.aud.includes('opencrvs:gateway-user')) return skip(`${profile.otherAudienceTokenRoute} issued a token that includes opencrvs:gateway-user: not a wrong-audience token`)
  return refused(`a genuinely signed token from ${profile.otherAudienceTokenRoute}, without opencrvs:gateway-user in aud`, await call(target, profile, `Bearer ${other}`), profile)
}, { tag: ['@probe'] })

check(req('DOOR-07'), async ({ target, profile, tokens }) => {
  const valid = await doorReady(target, profile, tokens)
  const ex = await call(target, profile, `bearer ${valid.compact}`)
  if (ex.status === profile.protectedRead.acceptedStatus) return pass(`"bearer" in lower case is accepted (HTTP ${ex.status}, as with "Bearer")`)
  return violation(`"bearer" in lower case is refused (HTTP ${ex.status}); RFC 9110 §11.1 makes scheme names case-insensitive, and some HTTP clients send it so`, { detail: evidence(ex) })
}, { tag: ['@probe'] })

check(req('DOOR-08'), async ({ target, profile, tokens }) => {
  const valid = await doorReady(target, profile, tokens)
  const ex = await call(target, profile, undefined, `?access_token=${valid.compact}`)
  if (ex.status !== profile.protectedRead.acceptedStatus) return pass(`a token in ?access_token= is not accepted (HTTP ${ex.status}; a valid token in the header gets ${profile.protectedRead.acceptedStatus})`)
  return violation(`a token in ?access_token= is accepted (HTTP ${ex.status}, as with a valid token in the header): tokens in URLs end up in access logs and browser history (RFC 6750 §2.3, §5.3)`, { detail: evidence(ex) })
}, { tag: ['@probe'] })
