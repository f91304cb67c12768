/**
 * How the token endpoint refuses: unsupported grant types, client authentication failures, and the error body
 * contract. The checks share one set of probes, so this file runs in one worker, in order.
 */
import { check, deviation, finding, pass, skip, test, violation } from '../fixtures/index.ts'
import {
  errorMismatch,
  NEAR_MISS_IN_URL,
  type ProbeName,
  type ProbeResult,
  type ProbeStore,
} from '../fixtures/probes.ts'
import { MissingClient } from '../fixtures/tokens.ts'
import { accessToken, errorCode, evidence } from '../src/http/index.ts'
import { req } from '../src/requirements/catalogue.ts'
import { proxyImposed } from '../src/profiles/proxy.ts'
import { FRAGMENT, redact, secretFragmentIn } from '../src/redact/index.ts'
import { excerpt } from '../src/redact/neutral.ts'
import { problems } from '../src/schemas/index.ts'

test.describe.configure({ mode: 'default' })

/** Run probes and grade them: the first mismatch is the violation, with every answer as evidence. */
async function expectErrors(probes: ProbeStore, names: ProbeName[], what: string) {
  const results: ProbeResult[] = await Promise.all(names.map((n) => probes.get(n)))
  const detail = results.map((r) => `${r.def.label}:\n${evidence(r.exchange)}`).join('\n\n')
  const wrong = results.map(errorMismatch).filter((m): m is string => m !== null)
  if (wrong.length) return violation(wrong.join('; '), { detail })
  const codes = [...new Set(results.map((r) => `${r.exchange.status} ${r.expected.error}`))].join(', ')
  return pass(`${what}: ${results.length} request(s), each ${codes}, no token`, { detail })
}

// 'docs-url' is grant_type sent twice ("" and client_credentials): no release issues a token for it
test(
  ...check(req('TOKEN-GRANT-01'), async ({ probes }) =>
    expectErrors(
      probes,
      [
        'grant-password',
        'grant-authorization_code',
        'grant-refresh_token',
        'grant-implicit',
        'grant-upper-case',
        'grant-padded',
        'grant-unknown-urn',
        'docs-url',
      ],
      'other, altered and duplicated grant types refused',
    ),
  ),
)

test(
  ...check(req('TOKEN-GRANT-02'), async ({ probes }) =>
    expectErrors(probes, ['grant-missing', 'grant-empty'], 'missing and empty grant_type refused'),
  ),
)

test(
  ...check(req('TOKEN-GRANT-03'), async ({ probes }) => {
    const r = await probes.get('grant-missing')
    const error = errorCode(r.exchange)
    if (error === 'invalid_request') return pass('a missing grant_type gets invalid_request')
    return violation(
      `a missing grant_type gets ${String(error)}; RFC 6749 §5.2 defines invalid_request for a missing parameter (unsupported_grant_type is for a grant type the server does not support)`,
      {
        detail: evidence(r.exchange),
        fix: 'This is how OpenCRVS v1.7+ answers (grant type is checked first); clients should not depend on either code.',
      },
    )
  }),
)

test(
  ...check(req('TOKEN-GRANT-04'), async ({ probes, profile }) => {
    const r = await probes.get('token-exchange-no-subject')
    const mismatch = errorMismatch(r)
    if (mismatch) return violation(mismatch, { detail: evidence(r.exchange) })
    if (!profile.otherGrantTypes.length)
      return pass(`${profile.label} has no token-exchange grant: refused with ${r.expected.error}`)
    return finding(
      'REVIEW',
      `the token-exchange grant is enabled and refused without a subject token (400 invalid_request). Review: it needs no client authentication and turns any valid OpenCRVS token into a 7-day single-record token`,
      {
        detail: `${evidence(r.exchange)}\nurn:opencrvs:oauth:grant-type:token-exchange (v1.7+) accepts any token the auth service signed with aud opencrvs:auth-user, including these 10-minute system tokens, and issues a record token valid for CONFIG_ACTION_CONFIRMATION_TOKEN_EXPIRY_SECONDS (7 days by default). Consider who can reach /token and whether that lifetime suits your country.`,
      },
    )
  }),
)

test(
  ...check(req('TOKEN-AUTH-01'), async ({ probes }) =>
    expectErrors(probes, ['missing-client-id', 'missing-client-secret'], 'missing client_id or client_secret refused'),
  ),
)
test(
  ...check(req('TOKEN-AUTH-02'), async ({ probes }) => {
    // near misses (case, prefix) where the secret travels in a body; a random wrong secret everywhere
    const near = await Promise.all(
      (['secret-case-swapped', 'secret-truncated', 'secret-extended'] as const).map((n) =>
        probes.get(n).then(
          () => n,
          (e: unknown) =>
            e instanceof MissingClient ? (e.message === NEAR_MISS_IN_URL ? 'url' : null) : Promise.reject(e),
        ),
      ),
    )
    const sent = near.filter((n): n is Exclude<typeof n, 'url' | null> => n !== null && n !== 'url')
    const outcome = await expectErrors(
      probes,
      ['wrong-secret', ...sent],
      sent.length ? 'a wrong secret and near misses of the real one (case, prefix) refused' : 'a wrong secret refused',
    )
    return near.includes('url') && outcome.kind === 'pass'
      ? { ...outcome, reason: `${outcome.reason} (near misses of the real secret ${NEAR_MISS_IN_URL})` }
      : outcome
  }),
)
test(
  ...check(req('TOKEN-AUTH-03'), async ({ probes }) =>
    expectErrors(probes, ['unknown-client-uuid', 'unknown-client-name'], 'unknown client ids refused'),
  ),
)
test(
  ...check(req('TOKEN-AUTH-04'), async ({ probes, target }) => {
    if (!target.deactivated)
      return skip(
        'no deactivated client configured: deactivate a client in OpenCRVS and set OPENCRVS_DEACTIVATED_CLIENT_ID and _SECRET',
      )
    return expectErrors(probes, ['deactivated'], 'the deactivated client refused')
  }),
)
test(
  ...check(req('TOKEN-DUP-01'), async ({ probes }) =>
    expectErrors(probes, ['duplicate-client-id'], 'a duplicated client_id refused'),
  ),
)

test(
  ...check(req('TOKEN-AUTH-05'), async ({ probes }) => {
    const [wrong, unknown, name] = await Promise.all([
      probes.get('wrong-secret'),
      probes.get('unknown-client-uuid'),
      probes.get('unknown-client-name'),
    ])
    const shape = (r: ProbeResult) => `${r.exchange.status} ${r.exchange.bodyText}`
    const differing = [unknown, name].filter((r) => shape(r) !== shape(wrong))
    if (!differing.length)
      return pass(
        `one answer for a wrong secret and an unknown client id: ${wrong.exchange.status} ${excerpt(redact(wrong.exchange.bodyText), 80)}`,
      )
    return violation(
      'a wrong secret and an unknown client_id get different answers, which tells anyone which client ids exist',
      {
        detail: [wrong, ...differing].map((r) => `${r.def.label}:\n${evidence(r.exchange)}`).join('\n\n'),
        fix: 'Answer every credential failure with the same status and body (OpenCRVS: 401 invalid_client "Invalid client id or secret").',
      },
    )
  }),
)

test(
  ...check(req('TOKEN-AUTH-06'), async ({ probes }) => {
    const all = await probes.all()
    // a fragment of a secret is a secret: any run of FRAGMENT (8) or more of its characters, in any encoding
    const echoes = all.filter(
      (r) =>
        r.exchange.status !== 200 &&
        r.sentSecrets.some((s) =>
          [r.exchange.bodyText, ...Object.values(r.exchange.headers)].some((t) => secretFragmentIn(t, s) !== null),
        ),
    )
    if (!echoes.length)
      return pass(
        `none of ${all.length} error answers echoes a submitted secret, nor any ${FRAGMENT} or more of its characters`,
      )
    return violation(
      `${echoes.length} error answer(s) echo a submitted client secret, or a run of ${FRAGMENT} or more of its characters: ${echoes.map((r) => r.def.label).join('; ')}. Error bodies end up in client logs and monitoring`,
      {
        detail: echoes.map((r) => `${r.def.label}:\n${evidence(r.exchange)}`).join('\n\n'),
        fix: 'Never put request parameters in error descriptions.',
      },
    )
  }),
)

test(
  ...check(req('TOKEN-AUTH-07'), async ({ probes }) => {
    const all = await probes.all()
    const unauthorized = all.filter((r) => r.exchange.status === 401)
    if (!unauthorized.length) return skip('no 401 answer among the probes')
    const missing = unauthorized.filter((r) => !r.exchange.headers['www-authenticate'])
    if (!missing.length)
      return pass(
        `every 401 (${unauthorized.length}) carries WWW-Authenticate: ${unauthorized[0]!.exchange.headers['www-authenticate']}`,
      )
    return violation(
      `${missing.length} of ${unauthorized.length} 401 answers lack WWW-Authenticate (RFC 9110 §15.5.2: a 401 MUST send it); OpenCRVS sends none`,
      {
        detail: evidence(missing[0]!.exchange),
      },
    )
  }),
)

test(
  ...check(req('TOKEN-AUTH-08'), async ({ probes }) => {
    const r = await probes.get('basic-auth')
    if (r.exchange.status === 200 && accessToken(r.exchange))
      return pass('client_secret_basic works: Authorization: Basic issued a token')
    return violation(
      `HTTP Basic client authentication is not supported (HTTP ${r.exchange.status} ${String(errorCode(r.exchange) ?? '')}): RFC 6749 §2.3.1 says servers MUST support it; OpenCRVS reads credentials only from parameters`,
      {
        detail: evidence(r.exchange),
      },
    )
  }),
)

test(
  ...check(req('TOKEN-DOCS-01'), async ({ probes }) => {
    const r = await probes.get('docs-url')
    if (r.exchange.status === 200 && accessToken(r.exchange))
      return pass("the docs' example URL, with grant_type twice, issues a token on this deployment")
    if (r.dummyInUrl && errorCode(r.exchange) === 'invalid_client') {
      return pass(
        "the docs' example URL gets past the grant type here: only the dummy secret was refused (401 invalid_client), so with real credentials it would issue a token. The kit sends no real secret in a URL where the release reads the body",
        { detail: evidence(r.exchange) },
      )
    }
    return violation(
      `the docs' example URL "...&grant_type=&grant_type=client_credentials" is refused (HTTP ${r.exchange.status} ${String(errorCode(r.exchange) ?? '')}): a repeated key becomes an array, so it can never work. Send grant_type=client_credentials once`,
      {
        detail: evidence(r.exchange),
        fix: 'Tell integrators to send a single grant_type=client_credentials (as the countryconfig Postman collection does).',
      },
    )
  }),
)

test(
  ...check(req('TOKEN-ERR-01'), async ({ probes, target, profile }) => {
    const all = await probes.all()
    const broken: string[] = []
    const proxied: ProbeResult[] = []
    let proxy: ReturnType<typeof proxyImposed> = null
    for (const r of all) {
      const ex = r.exchange
      const isToken = accessToken(ex) !== undefined
      if (isToken) continue // the check that owns that probe reports the token
      if (ex.status === 200) {
        broken.push(`${r.def.label}: an error answered with HTTP 200`)
        continue
      }
      const type = ex.headers['content-type']
      if (!type || !/^application\/json\b/i.test(type)) {
        const note = proxyImposed(target, profile, 'content-type', type, 'application/json')
        if (note) {
          proxied.push(r)
          proxy ??= note
        } else broken.push(`${r.def.label}: Content-Type ${type ?? '(none)'}, not application/json`)
      }
      if (ex.json === undefined) {
        broken.push(`${r.def.label}: the body is not JSON (${excerpt(redact(ex.bodyText), 40)})`)
        continue
      }
      const schema = problems('oauth-error', ex.json).filter(
        (p) => !(p.field === 'error_description' && p.keyword === 'pattern'),
      ) // charset: TOKEN-ERR-03
      if (schema.length) broken.push(`${r.def.label}: ${schema.map((p) => p.message).join(', ')}`)
      const error = errorCode(ex)
      if (typeof error === 'string' && ex.status !== r.expected.status && error === r.expected.error)
        broken.push(`${r.def.label}: ${error} with HTTP ${ex.status}, not ${r.expected.status}`)
    }
    const alsoProxy = proxy
      ? ` (besides: ${proxied.length} answer(s) declared ${proxied[0]!.exchange.headers['content-type']} by the gateway proxy)`
      : ''
    if (broken.length)
      return violation(broken.join('; ') + alsoProxy, {
        detail: evidence(all.find((r) => broken[0]!.startsWith(r.def.label))!.exchange),
      })
    if (proxy) {
      return deviation(
        `all ${all.length} error answers are valid OAuth JSON with the release's status, but ${proxied.length} are not declared as JSON: ${proxy.reason}`,
        {
          detail: evidence(proxied[0]!.exchange),
          fix: proxy.fix,
        },
      )
    }
    return pass(
      `all ${all.length} error answers are JSON, valid against schemas/oauth-error.schema.json, with the release's status`,
    )
  }),
)

test(
  ...check(req('TOKEN-ERR-02'), async ({ probes }) => {
    const all = await probes.all()
    const uris = [
      ...new Set(
        all
          .map((r) => (r.exchange.json as { error_uri?: unknown } | undefined)?.error_uri)
          .filter((u) => u !== undefined)
          .map(String),
      ),
    ]
    if (!uris.length) return pass('no error_uri is sent')
    const invalid = uris.filter((u) => {
      if (/[\s"\\]/.test(u)) return true
      try {
        new URL(u)
        return false
      } catch {
        return true
      }
    })
    if (!invalid.length) return pass(`error_uri is a URI: ${uris.join(', ')}`)
    return violation(
      `error_uri is not a URI: ${JSON.stringify(invalid[0])} (RFC 6749 §5.2: a URI-reference, no spaces); clients that follow it get nowhere`,
      {
        fix: 'OpenCRVS sends "Refer to https://..."; the URI alone would be valid.',
      },
    )
  }),
)

test(
  ...check(req('TOKEN-ERR-03'), async ({ probes }) => {
    const all = await probes.all()
    const bad = all.filter(
      (r) =>
        r.exchange.json !== undefined &&
        problems('oauth-error', r.exchange.json).some(
          (p) => p.field === 'error_description' && p.keyword === 'pattern',
        ),
    )
    if (!bad.length) return pass('every error_description keeps to the RFC 6749 charset')
    const example = String(errorCode(bad[0]!.exchange))
    return violation(
      `${bad.length} error_description(s) use characters RFC 6749 §5.2 excludes (double quote or backslash), e.g. in ${example}; strict clients may fail to parse or display them`,
      {
        detail: evidence(bad[0]!.exchange),
      },
    )
  }),
)
