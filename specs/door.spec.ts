/**
 * Bad tokens at the door: the gateway must refuse every one with 401, on a read-only route whose positive
 * control (a valid token) is answered with a validation error, so nothing is ever written. GATEWAY-01 reports
 * that control itself: when the service behind the gateway does not answer it, that is said once, there.
 */
import { createHmac, randomBytes } from 'node:crypto'
import { check, pass, skip, test, violation, type Outcome } from '../fixtures/index.ts'
import { NO_GATEWAY, SEE_TLS_02, tokenFault, type ControlResult, type GatewayStore } from '../fixtures/gateway.ts'
import type { KeyStore } from '../fixtures/keys.ts'
import { decodedPrimary, MissingClient, type TokenStore } from '../fixtures/tokens.ts'
import type { Net } from '../fixtures/kit.ts'
import type { Target } from '../src/config/index.ts'
import { evidence, type HttpExchange } from '../src/http/index.ts'
import { CLIENT_TYPES, type Profile } from '../src/profiles/profiles.ts'
import { registerToken } from '../src/redact/index.ts'
import { req } from '../src/requirements/catalogue.ts'

test.describe.configure({ mode: 'default' })

test(
  ...check(
    req('GATEWAY-01'),
    async ({ target, gateway, tokens, keys, profile }) => {
      if (!target.gatewayUrl) return skip(NO_GATEWAY)
      const routes = gateway.routes()
      const missing = routes.filter((r) => !target.clients[r.client])
      if (missing.length === routes.length) tokens.client(missing[0]!.client) // SKIPPED, naming the variables
      const results = await Promise.all(routes.filter((r) => target.clients[r.client]).map((r) => gateway.control(r)))
      const detail = results
        .map(
          (c) =>
            `${CLIENT_TYPES[c.route.client].label} token at ${c.route.method} ${c.route.path} (expected ${c.route.expected}):\n${c.exchange ? evidence(c.exchange) : `no answer: ${'reason' in c ? c.reason : ''}`}`,
        )
        .join('\n\n')
      const down = results.filter((c): c is Extract<typeof c, { state: 'service' }> => c.state === 'service')
      if (down.length) {
        const [first] = down as [(typeof down)[0]]
        const answers = down
          .map(
            (c) =>
              `${c.route.method} ${c.route.path} got ${c.answer} for the ${CLIENT_TYPES[c.route.client].label} client's valid token`,
          )
          .join('; ')
        return violation(`${first.route.service} ${first.why}: ${answers}`, {
          detail,
          fix: `Bring ${first.route.service.replace(/ \(.*$/, '')} up and check the gateway's route to it (v2.0: the gateway's EVENTS_URL; a proxy in front must not answer for it). Every scope and door probe depends on this answer.`,
        })
      }
      const tls = results.find((c) => c.state === 'tls')
      if (tls) return skip(SEE_TLS_02(tls.reason))
      const refused = results.filter(
        (c): c is Extract<typeof c, { state: 'token-refused' }> => c.state === 'token-refused',
      )
      const wrong = results.filter((c): c is Extract<typeof c, { state: 'unexpected' }> => c.state === 'unexpected')
      if (wrong.length) return refusedOnOwnRoute(wrong, refused, detail)
      // one route's answer says nothing of another's refusal: a valid token of any type refused on its route is FAILED
      if (refused.length)
        return refusedValidToken(refused, results, tokens, keys, profile, target.leewaySeconds, detail)

      // only a token the gateway refuses for its scope (no client of the route's type): the token is accepted, the
      // service behind is never reached, so whether it answers is not known
      if (results.every((c) => c.route.scopeOnly)) {
        const c = results[0]!
        return skip(
          `the gateway accepts the ${CLIENT_TYPES[c.route.client].label} token at ${c.route.method} ${c.route.path} (HTTP ${c.exchange?.status}: refused for its scope after the token was accepted), so the door probes use it; whether ${c.route.service} answers behind the gateway is not known: no ${CLIENT_TYPES[profile.protectedRead.client].label} client configured (OPENCRVS_${profile.protectedRead.client}_CLIENT_ID)`,
        )
      }
      const noted = missing.length
        ? ` (${missing.map((r) => `${r.method} ${r.path} not checked: no ${CLIENT_TYPES[r.client].label} client configured`).join('; ')})`
        : ''
      return pass(
        `${results.map((c) => `${c.route.method} ${c.route.path} answered the ${CLIENT_TYPES[c.route.client].label} token with HTTP ${c.exchange?.status}`).join('; ')}: ${routes[0]!.service} is up and reached through the gateway${noted}`,
        { detail },
      )
    },
    { tag: ['@probe'] },
  ),
)

/**
 * The gateway refused a valid token on its route (all of them, or one client type's while the others answered).
 * When the token is sound (it verifies against the published key, with the right iss, aud and exp), the integrations
 * of that type cannot call the gateway: GATEWAY-01 FAILED, naming the type and the route. When a token is at fault,
 * the token check that shows it is the root cause, and this points there. With no key to verify against, the
 * deployment's own token endpoint still issues tokens its own gateway refuses: FAILED all the same (the key, when
 * given, only says which side is wrong).
 */
async function refusedValidToken(
  refused: Array<Extract<ControlResult, { state: 'token-refused' }>>,
  all: ControlResult[],
  tokens: TokenStore,
  keys: KeyStore,
  profile: Profile,
  leeway: number,
  detail: string,
): Promise<Outcome> {
  const unverified: string[] = []
  for (const c of refused) {
    // the token the control sent (the client's primary, decoded when it was issued)
    const why = await tokenFault(await decodedPrimary(tokens, c.route.client), keys, profile, leeway)
    if (why && 'fault' in why)
      return skip(
        `${c.reason}, and the token is at fault: ${why.fault} (see ${why.see}); the service behind the gateway was never reached`,
      )
    if (why) unverified.push(why.unverified)
  }
  const answered = all.filter((c) => c.state !== 'token-refused')
  const types = [...new Set(refused.map((c) => CLIENT_TYPES[c.route.client].label))].join(' and ')
  const what = answered.length
    ? `${refused.map((c) => c.reason).join('; ')}, while ${answered.map((c) => `${c.route.method} ${c.route.path} answered the ${CLIENT_TYPES[c.route.client].label} token`).join('; ')}: the ${types} integrations cannot call the gateway on their route`
    : `${refused.map((c) => c.reason).join('; ')}: every valid token is refused at the gateway, so no integration can call it`
  const causes =
    'The likely causes: the gateway verifies with another public key than the auth service signs with (a key rotated on one side only: every service must mount the same CERT_PUBLIC_KEY_PATH as auth), its clock is behind, its configuration (iss, audience) differs, or a rule at the gateway or its edge refuses that client type on that route.'
  if (unverified.length) {
    return violation(
      `${what}. The deployment's own token endpoint issued these tokens, with the right iss, aud and exp, and its own gateway refuses them; the signature could not be verified here (${unverified[0]}), so which side is wrong is not known: set OPENCRVS_PUBLIC_KEY to tell`,
      { detail, fix: causes },
    )
  }
  return violation(`${what}, though each token verifies against the published key, with the right iss, aud and exp`, {
    detail,
    fix: causes,
  })
}

/**
 * A valid token of a client type answered on its own route with anything but the route's in-scope answer (a 403
 * "Insufficient scope" / FORBIDDEN, or another status): the integrations of that type cannot do what they exist
 * for. GATEWAY-01 FAILED, naming each type, route and answer; the probes that needed the control point here.
 */
function refusedOnOwnRoute(
  wrong: Array<Extract<ControlResult, { state: 'unexpected' }>>,
  refused: Array<Extract<ControlResult, { state: 'token-refused' }>>,
  detail: string,
): Outcome {
  const types = [...new Set(wrong.map((c) => CLIENT_TYPES[c.route.client].label))].join(' and ')
  const also = refused.length ? `; and ${refused.map((c) => c.reason).join('; ')}` : ''
  return violation(
    `${wrong.map((c) => c.reason).join('; ')}${also}: the ${types} integrations cannot call their own route`,
    {
      detail,
      fix: "Give the client type the scope its route requires (v1.x: the gateway route's scopes, e.g. notification-api for POST /notification; v2.0: record.create for POST /events/events, record.search for POST /events/events/search, checked by the events service), or remove the rule at the gateway or its edge that refuses it.",
    },
  )
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

/** The read-only protected call for a check, with the given Authorization header (or none) and query. */
function call(
  net: Net,
  key: string,
  target: Target,
  profile: Profile,
  authorization?: string,
  query = '',
): Promise<HttpExchange> {
  const r = profile.protectedRead
  return net.send(key, {
    method: r.method,
    url: `${target.gatewayUrl}${r.path}${query}`,
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: r.body,
  })
}

/** The positive control: a valid token reaches validation. Without it a 401 proves nothing. Returns the valid token. */
async function doorReady(gateway: GatewayStore): Promise<{ compact: string }> {
  const c = await gateway.ready(gateway.routes()[0]!)
  return { compact: c.token }
}

function refused(what: string, ex: HttpExchange, gateway: GatewayStore) {
  if (ex.status === 401)
    return pass(`${what}: 401 ${String((ex.json as { message?: unknown } | undefined)?.message ?? '')}`.trim(), {
      detail: evidence(ex),
    })
  const accepted = ex.status === gateway.doorAccepted()
  return violation(
    `${what}: HTTP ${ex.status}${accepted ? ', the same answer a valid token gets: the gateway accepted it' : ''}; it must be 401`,
    { detail: evidence(ex) },
  )
}

test(
  ...check(
    req('DOOR-01'),
    async ({ target, profile, gateway, net }) => {
      await doorReady(gateway)
      return refused('no Authorization header', await call(net, 'DOOR-01', target, profile), gateway)
    },
    { tag: ['@probe'] },
  ),
)

test(
  ...check(
    req('DOOR-02'),
    async ({ target, profile, gateway, net }) => {
      await doorReady(gateway)
      return refused(
        'the malformed bearer token "foobar"',
        await call(net, 'DOOR-02', target, profile, 'Bearer foobar'),
        gateway,
      )
    },
    { tag: ['@probe'] },
  ),
)

test(
  ...check(
    req('DOOR-03'),
    async ({ target, profile, gateway, net }) => {
      const valid = await doorReady(gateway)
      const none = `${b64({ alg: 'none', typ: 'JWT' })}.${valid.compact.split('.')[1]}.`
      registerToken(none, 'unsigned token')
      return refused(
        'a real token re-headed alg "none", signature removed',
        await call(net, 'DOOR-03', target, profile, `Bearer ${none}`),
        gateway,
      )
    },
    { tag: ['@probe'] },
  ),
)

async function publicPem(keys: KeyStore): Promise<string> {
  const k = await keys.get()
  if ('unavailable' in k) throw new MissingClient(`no public key to forge with: ${k.unavailable}`)
  return k.key.pem ?? k.key.key.export({ type: 'spki', format: 'pem' }).toString()
}

/**
 * The key texts a gateway confused into HS256 may use as the secret: the PEM as published, without its final new
 * line (a trimmed file or secret), and with CRLF line ends (a file written on Windows, a Kubernetes secret from it).
 */
function pemVariants(pem: string): Array<[string, string]> {
  const lf = pem.replace(/\r\n/g, '\n')
  const all: Array<[string, string]> = [
    ['as published', pem],
    ['without its final new line', lf.trimEnd()],
    ['with CRLF line ends', `${lf.trimEnd().replace(/\n/g, '\r\n')}\r\n`],
  ]
  return all.filter(([, text], i) => all.findIndex(([, t]) => t === text) === i)
}

test(
  ...check(
    req('DOOR-04'),
    async ({ target, profile, gateway, keys, net }) => {
      const valid = await doorReady(gateway)
      const pem = await publicPem(keys)
      const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${valid.compact.split('.')[1]}`
      const tried = await Promise.all(
        pemVariants(pem).map(async ([how, secret], i) => {
          const forged = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
          registerToken(forged, 'forged HS256 token')
          return { how, ex: await call(net, i ? `DOOR-04:${how}` : 'DOOR-04', target, profile, `Bearer ${forged}`) }
        }),
      )
      const accepted = tried.find((t) => t.ex.status !== 401)
      if (accepted)
        return refused(
          `a real payload HS256-signed with the published public key (${accepted.how}) as the secret`,
          accepted.ex,
          gateway,
        )
      return pass(
        `a real payload HS256-signed with the published public key as the secret is refused (401), the key text ${tried.map((t) => t.how).join(', ')}`,
      )
    },
    { tag: ['@probe'] },
  ),
)

/** A real token with its scope widened and its signature kept: no gateway that verifies signatures accepts it. */
function edited(valid: { compact: string }): string {
  const [h, p, sig] = valid.compact.split('.') as [string, string, string]
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>
  const widened = {
    ...claims,
    scope: [...(Array.isArray(claims.scope) ? claims.scope : []), 'recordsearch', 'type=record.search', 'natlsysadmin'],
  }
  const token = `${h}.${b64(widened)}.${sig}`
  registerToken(token, 'edited token')
  return token
}

test(
  ...check(
    req('DOOR-05'),
    async ({ target, profile, gateway, net }) => {
      const valid = await doorReady(gateway)
      return refused(
        'a real token with its scope widened and its signature kept',
        await call(net, 'DOOR-05', target, profile, `Bearer ${edited(valid)}`),
        gateway,
      )
    },
    { tag: ['@probe'] },
  ),
)

test(
  ...check(
    req('DOOR-06'),
    async ({ target, profile, gateway, net }) => {
      await doorReady(gateway)
      if (!profile.otherAudienceTokenRoute)
        return skip(
          `${profile.label} has no public route to a genuinely signed token for another audience (v2.0 moved /anonymous-token behind /internal)`,
        )
      if (!target.authUrl)
        return skip(
          'no auth URL configured: set OPENCRVS_AUTH_URL to fetch a token for another audience from /anonymous-token',
        )
      const got = await net.send('DOOR-06:other-audience-token', {
        method: 'GET',
        url: `${target.authUrl}${profile.otherAudienceTokenRoute}`,
      })
      const json = got.json as { token?: unknown; access_token?: unknown } | undefined
      const other =
        typeof json?.token === 'string'
          ? json.token
          : typeof json?.access_token === 'string'
            ? json.access_token
            : undefined
      if (!other)
        return skip(`${profile.otherAudienceTokenRoute} gave no token (HTTP ${got.status}); nothing to try at the door`)
      registerToken(other, 'other-audience token')
      const aud = JSON.parse(Buffer.from(other.split('.')[1] ?? '', 'base64url').toString() || '{}') as {
        aud?: unknown
      }
      if (Array.isArray(aud.aud) && aud.aud.includes('opencrvs:gateway-user'))
        return skip(
          `${profile.otherAudienceTokenRoute} issued a token that includes opencrvs:gateway-user: not a wrong-audience token`,
        )
      return refused(
        `a genuinely signed token from ${profile.otherAudienceTokenRoute}, without opencrvs:gateway-user in aud`,
        await call(net, 'DOOR-06', target, profile, `Bearer ${other}`),
        gateway,
      )
    },
    { tag: ['@probe'] },
  ),
)

test(
  ...check(
    req('DOOR-07'),
    async ({ target, profile, gateway, net }) => {
      const valid = await doorReady(gateway)
      const ex = await call(net, 'DOOR-07', target, profile, `bearer ${valid.compact}`)
      if (ex.status === gateway.doorAccepted())
        return pass(`"bearer" in lower case is accepted (HTTP ${ex.status}, as with "Bearer")`)
      return violation(
        `"bearer" in lower case is refused (HTTP ${ex.status}); RFC 9110 §11.1 makes scheme names case-insensitive, and some HTTP clients send it so`,
        { detail: evidence(ex) },
      )
    },
    { tag: ['@probe'] },
  ),
)

/**
 * The token DOOR-08 puts in a URL: the valid token's claims with its scope widened (so its header and payload are no
 * issued token's), under a signature of random bytes that never belonged to any token. Nothing in it rebuilds a live
 * token, whoever reads the gateway's or the edge's access log; no verifier accepts it.
 */
function urlToken(valid: { compact: string }): string {
  const [h, p] = edited(valid).split('.') as [string, string]
  const token = `${h}.${p}.${randomBytes(256).toString('base64url')}`
  registerToken(token, 'URL probe token')
  return token
}

/** An answer as a gateway tells its cases apart: status, WWW-Authenticate and body. */
const answerOf = (ex: HttpExchange) => `${ex.status} ${ex.headers['www-authenticate'] ?? ''} ${ex.bodyText}`

/** What tells two answers apart, in words: "HTTP 401, not 400", or "both HTTP 401; the bodies differ". */
function howTheyDiffer(a: HttpExchange, b: HttpExchange): string {
  if (a.status !== b.status) return `HTTP ${a.status}, not ${b.status}`
  const parts = [
    (a.headers['www-authenticate'] ?? '') !== (b.headers['www-authenticate'] ?? '')
      ? 'the WWW-Authenticate headers'
      : '',
    a.bodyText !== b.bodyText ? 'the bodies' : '',
  ].filter(Boolean)
  return `both HTTP ${a.status}; ${parts.join(' and ')} differ`
}

/**
 * Does the gateway read a token from ?access_token=? Proved without a live token in any URL, nor anything one can be
 * rebuilt from (gateways and proxies log URLs): a token under a signature that never belonged to a live token goes in
 * the URL (urlToken), and the answer is held against the same request with no token (DOOR-01's) and with an invalid
 * token in the header (DOOR-05's edited token: the header is not logged).
 */
test(
  ...check(
    req('DOOR-08'),
    async ({ target, profile, gateway, net }) => {
      const valid = await doorReady(gateway)
      const [none, inHeader, inUrl] = await Promise.all([
        call(net, 'DOOR-01', target, profile),
        call(net, 'DOOR-05', target, profile, `Bearer ${edited(valid)}`),
        call(net, 'DOOR-08', target, profile, undefined, `?access_token=${urlToken(valid)}`),
      ])
      const detail = [
        `no token:\n${evidence(none)}`,
        `an invalid token (edited, its signature kept) in the header:\n${evidence(inHeader)}`,
        `a token under a signature no live token had, in ?access_token=:\n${evidence(inUrl)}`,
      ].join('\n\n')
      const rfc = 'tokens in URLs end up in access logs and browser history (RFC 6750 §2.3, §5.3)'
      const accepted = inUrl.status === gateway.doorAccepted()
      if (!accepted && answerOf(inUrl) === answerOf(none)) {
        if (answerOf(inHeader) === answerOf(none))
          return skip(
            'the gateway answers a missing token and an invalid one alike, so only a live token in the URL could tell whether it reads ?access_token=, and the kit never puts a live token in a URL',
          )
        return pass(
          `?access_token= is not read: with a token there the gateway answers as with no token at all (HTTP ${inUrl.status}), where an invalid token in the header gets another answer (${howTheyDiffer(inHeader, none)})`,
          { detail },
        )
      }
      const how = accepted
        ? `, the answer a valid token gets: a token with a broken signature is accepted from the URL`
        : answerOf(inUrl) === answerOf(inHeader)
          ? ', the answer an invalid token gets in the header'
          : ''
      return violation(
        `the gateway reads ?access_token=: a token there changes its answer (HTTP ${inUrl.status}${how}, where no token gets HTTP ${none.status}); ${rfc}`,
        { detail },
      )
    },
    { tag: ['@probe'] },
  ),
)
