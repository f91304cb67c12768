/**
 * Which request formats issue a token: the query string (every release), a JSON body and a form body
 * (read from v2.0 on; v1.x parses the body and ignores it).
 */
import { check, deviation, finding, pass, skip, test, violation, type Outcome } from '../fixtures/index.ts'
import { formatRead, refusedCredential, type TokenStore } from '../fixtures/tokens.ts'
import { accessToken, errorCode, evidence, type TokenFormat } from '../src/http/index.ts'
import type { Profile } from '../src/profiles/profiles.ts'
import { req } from '../src/requirements/catalogue.ts'

// one worker for this file: TOKEN-FMT-04 reports the support matrix from the attempts the others made
test.describe.configure({ mode: 'default' })

const NAMES: Record<TokenFormat, string> = {
  query: 'query string',
  json: 'JSON body',
  form: 'form body (application/x-www-form-urlencoded)',
}

async function formatCheck(tokens: TokenStore, profile: Profile, format: TokenFormat): Promise<Outcome> {
  const type = tokens.firstType()
  // a real credential the release refused says nothing of the formats; the query's dummy secret does not need it
  const refused = format === 'query' && tokens.dummyInUrl() ? undefined : await refusedCredential(tokens, type)
  if (refused) return skip(refused)
  const a = await tokens.attempt(type, format)
  const issued = a.compact !== undefined
  const supported = profile.requestFormats[format]
  const outcome = issued ? 'token issued' : `HTTP ${a.exchange.status} ${String(errorCode(a.exchange) ?? '')}`.trim()
  const detail = evidence(a.exchange)
  if (supported && profile.queryDeprecation && format === 'query' && errorCode(a.exchange) === 'invalid_request') {
    return deviation(
      `the query string is refused (HTTP ${a.exchange.status} invalid_request): ${profile.label} refuses OAuth parameters in the URL where NODE_ENV is not production (a production deployment still reads them, with a log line). Integrators who still send credentials in the URL get this answer`,
      {
        detail,
        fix: 'Integrators: send client_id, client_secret and grant_type in a form body (application/x-www-form-urlencoded) or a JSON body, never in the URL. A later release is planned to refuse the query string everywhere.',
      },
    )
  }
  if (supported && a.dummySecret) {
    return formatRead(a)
      ? pass(
          `the ${NAMES[format]} is read: a request with a dummy secret there got ${outcome} from the credential check (${profile.label} reads the body, so the kit sends no real secret in a URL)`,
          { detail },
        )
      : violation(
          `a ${NAMES[format]} request got ${outcome}; ${profile.label} reads it, so a dummy secret there must get 401 invalid_client`,
          {
            detail,
            fix: 'Check that no proxy strips the query string on the token route.',
          },
        )
  }
  if (!issued && a.exchange.status >= 500) return unavailable(format, a.exchange.status, detail, profile)
  if (supported) {
    return issued
      ? pass(`a ${NAMES[format]} request issued a token (${profile.label} reads it)`)
      : violation(
          `a ${NAMES[format]} request with valid credentials got ${outcome}; ${profile.label} issues a token for it`,
          {
            detail,
            fix:
              format === 'query'
                ? 'Check that no proxy strips the query string on the token route.'
                : 'Check that no proxy rewrites or drops the request body or its Content-Type on the token route.',
          },
        )
  }
  return issued
    ? finding(
        'INFO',
        `a ${NAMES[format]} request issued a token, which genuine ${profile.label} does not do (it reads only the query string)`,
        { detail },
      )
    : finding(
        'INFO',
        `${profile.label} reads only the query string, as released: a ${NAMES[format]} request got ${outcome}`,
        { detail },
      )
}

/**
 * A 5xx to a valid token request is the deployment failing or unavailable (sent twice where it was the first
 * token): it says nothing of whether the format is read, so that is not what the verdict says.
 */
function unavailable(format: TokenFormat, status: number, detail: string, profile: Profile): Outcome {
  return violation(
    `a ${NAMES[format]} request with valid credentials got HTTP ${status}: the token endpoint failed or is unavailable (a server error), so whether ${profile.label} here reads the ${NAMES[format]} is not known`,
    {
      detail,
      fix: 'Find why the token route answers a server error (the auth service down or restarting, a proxy in front of it failing) and run the kit again.',
    },
  )
}

test(...check(req('TOKEN-FMT-01'), async ({ tokens, profile }) => formatCheck(tokens, profile, 'query')))
test(...check(req('TOKEN-FMT-02'), async ({ tokens, profile }) => formatCheck(tokens, profile, 'json')))
test(...check(req('TOKEN-FMT-03'), async ({ tokens, profile }) => formatCheck(tokens, profile, 'form')))

test(
  ...check(req('TOKEN-FMT-04'), async ({ tokens, profile }) => {
    const type = tokens.firstType()
    const refused = await refusedCredential(tokens, type)
    if (refused) return skip(refused)
    const formats = ['query', 'json', 'form'] as const
    const attempts = await Promise.all(formats.map((f) => tokens.attempt(type, f)))
    const matrix = attempts.map(
      (x, i) =>
        `${NAMES[formats[i]!].padEnd(46)} ${x.compact ? 'token' : `HTTP ${x.exchange.status} ${String(errorCode(x.exchange) ?? '')}`}${x.dummySecret ? ` (a dummy secret: ${formatRead(x) ? 'read' : 'not read'})` : ''}`,
    )
    const a = attempts[2]!
    const support = `Request formats on this deployment (${profile.label}):\n${matrix.join('\n')}`
    if (a.compact)
      return pass('a form body issues a token: integrators can keep client secrets out of URLs', { detail: support })
    if (a.exchange.status >= 500) return unavailable('form', a.exchange.status, support, profile)
    return violation(
      `${profile.label} reads client credentials only from the query string, so every integration puts its client_secret in the URL, where gateway and proxy access logs record it (CWE-598). RFC 6749 §2.3.1 says they MUST NOT be in the request URI`,
      {
        detail: `${support}\n\n${evidence(a.exchange)}\nThe v1.6 and v1.7 docs tell integrators to send "POST parameters", which this release ignores. OpenCRVS reads a form body from v2.0, and is deprecating query parameters in favour of it.`,
        fix: 'Upgrade to v2.0 and send a form body; until then, keep the token route out of access logs that record query strings.',
      },
    )
  }),
)

test(
  ...check(req('TOKEN-FMT-05'), async ({ tokens, target, net }) => {
    // credentials only in the body, so no secret rides in the URL; the two sources disagree on grant_type
    const client = tokens.client(tokens.firstType())
    const ex = await net.send('TOKEN-FMT-05', {
      method: 'POST',
      url: `${target.tokenUrl}?grant_type=client_credentials`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: client.id, client_secret: client.secret, grant_type: 'password' }),
    })
    const error = errorCode(ex)
    const token = accessToken(ex) !== undefined
    const detail = `query: grant_type=client_credentials; JSON body: client_id, client_secret, grant_type=password\n${evidence(ex)}`
    if (error === 'unsupported_grant_type') {
      return finding(
        'INFO',
        "the body wins: its grant_type=password overrode the query's client_credentials (as in v2.0, where each parameter is read from the body when it is non-empty there, else from the query). Send every parameter in one place",
        { detail, observed: { 'request.precedence': 'body' } },
      )
    }
    if (error === 'invalid_request') {
      return finding(
        'INFO',
        "the body is ignored: the query's grant_type was read and the body's credentials were not (as in v1.x, which reads only the query string)",
        { detail, observed: { 'request.precedence': 'query only' } },
      )
    }
    if (token)
      return finding(
        'INFO',
        'the query wins for grant_type while the body supplies the credentials: the two sources are merged',
        { detail, observed: { 'request.precedence': 'query, merged' } },
      )
    return finding('INFO', `the answer (HTTP ${ex.status} ${String(error ?? '')}) does not tell which source wins`, {
      detail,
    })
  }),
)
