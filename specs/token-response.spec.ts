/**
 * The successful token response: status, schema, content type, Cache-Control.
 */
import { check, deviation, finding, pass, skip, violation, test, type Outcome } from '../fixtures/index.ts'
import { worstOf } from '../fixtures/check.ts'
import type { TokenAttempt, TokenStore } from '../fixtures/tokens.ts'
import { errorCode, evidence } from '../src/http/index.ts'
import { CLIENT_TYPES } from '../src/profiles/profiles.ts'
import { officialEdgeFix, proxyImposed } from '../src/profiles/proxy.ts'
import { req } from '../src/requirements/catalogue.ts'
import { credentialRefused } from '../src/runtime/runtime.ts'
import { validate } from '../src/schemas/index.ts'

/**
 * A rule about the successful token response holds for every configured client's primary token response: each is
 * judged, and the worst outcome names its client type (a credential refused for one type is noted, and a pass over
 * the others is then SKIPPED pointing at TOKEN-CRED-01).
 */
async function eachResponse(tokens: TokenStore, judge: (a: TokenAttempt) => Promise<Outcome>): Promise<Outcome> {
  const types = tokens.configuredTypes()
  const judged: Array<{ label: string; outcome: Outcome }> = []
  for (const type of types.length ? types : [tokens.firstType()])
    judged.push({ label: `the ${CLIENT_TYPES[type].label} client`, outcome: await judge(await tokens.primary(type)) })
  return worstOf(judged)
}

/** Every check of a successful answer needs TOKEN-RESP-01's 200: without it, SKIPPED pointing there. */
function unsuccessful(a: TokenAttempt) {
  // a credential the release refused is the configuration's finding (TOKEN-CRED-01), not a response to inspect
  const see = credentialRefused(a.exchange) ? 'the credentials were refused; see TOKEN-CRED-01' : 'see TOKEN-RESP-01'
  return skip(`no successful token response to inspect (HTTP ${a.exchange.status}; ${see})`)
}

test(
  ...check(req('TOKEN-CRED-01'), async ({ tokens }) => {
    const types = tokens.configuredTypes()
    if (!types.length)
      return skip(
        'no client configured: set OPENCRVS_NOTIFICATION_CLIENT_ID and _SECRET (and one pair per client type you run)',
      )
    const attempts = await Promise.all(types.map((t) => tokens.primary(t)))
    const refused = attempts.filter((a) => !a.compact)
    const detail = attempts
      .map((a) => `${a.client.type} (${a.format}): ${a.compact ? 'token issued' : evidence(a.exchange)}`)
      .join('\n\n')
    if (refused.length) {
      return violation(
        `${refused.map((a) => `the ${CLIENT_TYPES[a.client.type].label} client (OPENCRVS_${a.client.type}_CLIENT_ID) got HTTP ${a.exchange.status} ${String(errorCode(a.exchange) ?? '')}`.trim()).join('; ')}: a configured client that cannot get a token cannot integrate, and every check that inspects its token is SKIPPED`,
        {
          detail,
          fix: `Check ${refused.map((a) => `OPENCRVS_${a.client.type}_CLIENT_ID and OPENCRVS_${a.client.type}_CLIENT_SECRET`).join(', and ')} against the client in OpenCRVS (the secret is shown once; "Refresh client secret" gives a new one), and that the client is active.`,
        },
      )
    }
    return pass(`${types.map((t) => CLIENT_TYPES[t].label).join(', ')}: each configured client got a token`, { detail })
  }),
)

test(
  ...check(req('TOKEN-RESP-01'), async ({ tokens }) =>
    eachResponse(tokens, async (a) => {
      const ex = a.exchange
      if (credentialRefused(ex)) return unsuccessful(a)
      if (ex.status !== 200)
        return violation(`valid credentials got HTTP ${ex.status}, not 200`, { detail: evidence(ex) })
      if (ex.json === undefined) return violation('the 200 response body is not JSON', { detail: evidence(ex) })
      const problems = validate('token-response', ex.json)
      const members = Object.keys(ex.json as object).join(', ')
      if (problems.length)
        return violation(`the body breaks schemas/token-response.schema.json: ${problems.join('; ')}`, {
          detail: evidence(ex),
        })
      return pass(`HTTP 200 with a valid body (members: ${members}; sent as ${a.format})`)
    }),
  ),
)

test(
  ...check(req('TOKEN-RESP-02'), async ({ tokens, target, profile }) =>
    eachResponse(tokens, async (a) => {
      if (a.exchange.status !== 200) return unsuccessful(a)
      const type = a.exchange.headers['content-type']
      if (type && /^application\/json\b/i.test(type)) return pass(`Content-Type: ${type}`)
      const proxy = proxyImposed(target, profile, 'content-type', type, 'application/json')
      if (proxy)
        return deviation(`the successful token response is not declared as JSON: ${proxy.reason}`, {
          detail: evidence(a.exchange),
          fix: proxy.fix,
        })
      return violation(`Content-Type is ${type ?? '(absent)'}, not application/json`, { detail: evidence(a.exchange) })
    }),
  ),
)

test(
  ...check(req('TOKEN-RESP-03'), async ({ tokens, target, profile }) =>
    eachResponse(tokens, async (a) => {
      if (a.exchange.status !== 200) return unsuccessful(a)
      const cc = a.exchange.headers['cache-control']
      const directives = (cc ?? '').split(',').map((d) => d.trim().toLowerCase())
      // a proxy that adds public or a max-age beside no-store: RFC 9111 caches obey no-store, some CDNs obey max-age
      const contradicting = directives.filter((d) => d === 'public' || /^(s-)?max-age\s*=\s*[1-9]/.test(d))
      if (directives.includes('no-store') && contradicting.length) {
        return violation(
          `Cache-Control: ${cc}: no-store together with ${contradicting.join(', ')}, which a proxy added (the auth service sends no-store alone). Caches that follow the other directive may keep the token`,
          {
            detail: evidence(a.exchange),
            fix: 'Remove the added directives at the proxy for the token route, so that it sends Cache-Control: no-store alone.',
          },
        )
      }
      if (directives.includes('no-store')) return pass(`Cache-Control: ${cc}`)
      const missing = `Cache-Control is ${cc ? `"${cc}"` : 'absent'}: a response carrying a token must say no-store (RFC 6749 §5.1), or caches may keep it`
      const proxy = proxyImposed(target, profile, 'cache-control', cc, 'no-store')
      if (proxy) return deviation(`${missing}. ${proxy.reason}`, { detail: evidence(a.exchange), fix: proxy.fix })
      const fix =
        officialEdgeFix(target, profile, 'cache-control') ??
        'The auth service sets Cache-Control: no-store itself; a proxy in front of it is removing or overriding the header. Let it pass through, or set Cache-Control: no-store on the token route.'
      return violation(missing, { detail: evidence(a.exchange), fix })
    }),
  ),
)

test(
  ...check(req('TOKEN-RESP-04'), async ({ tokens }) =>
    eachResponse(tokens, async (a) => {
      if (a.exchange.status !== 200) return unsuccessful(a)
      const pragma = a.exchange.headers.pragma
      if (pragma && /\bno-cache\b/i.test(pragma)) return pass(`Pragma: ${pragma}`)
      return violation(
        `Pragma is ${pragma ? `"${pragma}"` : 'absent'}: RFC 6749 §5.1 asks for Pragma: no-cache beside Cache-Control: no-store, for HTTP/1.0 caches (RFC 9111 §5.4 has since deprecated Pragma)`,
        {
          fix: 'The official v2 Helm chart adds it with the Traefik middleware sts-and-basic-response-headers; a docker-swarm deployment can attach the same headers middleware.',
        },
      )
    }),
  ),
)

test(
  ...check(req('TOKEN-RESP-05'), async ({ tokens, target }) =>
    eachResponse(tokens, async (a) => {
      if (a.exchange.status !== 200 || a.exchange.json === undefined) return unsuccessful(a)
      const expiresIn = (a.exchange.json as { expires_in?: unknown }).expires_in
      if (expiresIn !== undefined) {
        if (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn <= 0)
          return skip(`expires_in is not a positive whole number of seconds (see TOKEN-RESP-01, the response schema)`)
        const { iat, exp } = a.decoded?.claims ?? {}
        if (typeof iat !== 'number' || typeof exp !== 'number')
          return skip(
            `expires_in ${expiresIn}, but the token has no numeric iat and exp to hold it against (see JWT-CLM-06)`,
          )
        const life = exp - iat
        if (Math.abs(expiresIn - life) > target.leewaySeconds) {
          return violation(
            `expires_in says ${expiresIn} s, but the token lives ${life} s (exp - iat): clients that trust expires_in, as RFC 6749 lets them, ${expiresIn > life ? 'reuse dead tokens' : 'renew too early'}`,
            {
              detail: evidence(a.exchange),
              fix: "Send the token's real lifetime in expires_in (exp - iat), or leave expires_in out as OpenCRVS does.",
            },
          )
        }
        return pass(`expires_in ${expiresIn} s, the token's lifetime (exp - iat = ${life} s)`)
      }
      return deviation(
        "no expires_in: RFC 6749 §5.1 recommends it, and OpenCRVS never sends it. Clients must read the lifetime from the token's exp claim (600 s by default) and refresh before it",
        {
          fix: 'Integrators: decode exp from the token, or assume 10 minutes.',
        },
      )
    }),
  ),
)

test(
  ...check(req('TOKEN-RESP-06'), async ({ tokens }) =>
    eachResponse(tokens, async (a) => {
      if (a.exchange.status !== 200 || a.exchange.json === undefined) return unsuccessful(a)
      const scope = (a.exchange.json as { scope?: unknown }).scope
      if (scope !== undefined) return pass(`scope member: ${JSON.stringify(scope)}`)
      return finding(
        'INFO',
        "no scope member in the response: the granted scopes are only in the token's scope claim (RFC 6749 §3.3 requires the member only when the grant differs from the request, and the client requests none)",
      )
    }),
  ),
)
