/**
 * The requirement catalogue: every check the kit makes, with a stable id, a title, its sources and the
 * verdict a violation gets in each mode. Specs import from here; a self-test fails when a requirement has
 * no test or a test names no requirement.
 */
export type Verdict = 'PASSED' | 'FAILED' | 'WARNING' | 'REVIEW' | 'INFO' | 'SKIPPED'
export const VERDICTS: Verdict[] = ['FAILED', 'WARNING', 'REVIEW', 'INFO', 'SKIPPED', 'PASSED']

export interface Source {
  label: string
  url: string
}

export interface Requirement {
  id: string
  title: string
  area: Area
  sources: Source[]
  /** The verdict when the deployment does not meet the requirement, per mode. */
  severity: { opencrvs: Verdict; strict: Verdict }
  /**
   * The verdict when the shortfall is OpenCRVS's own, as the release's official installation behaves (named in
   * the reason, e.g. what the gateway's /auth/token proxy does to every answer), not this deployment's.
   */
  deviation?: { opencrvs: Verdict; strict: Verdict }
  /**
   * The RFC MUST (or MUST NOT) the requirement holds a deployment to, quoted: strict mode makes every departure
   * from it FAILED, the release's own included (a self-test holds it; docs/requirements.md prints it).
   */
  must?: string
}

const DOCS = {
  label: 'OpenCRVS docs: Authenticate a client',
  url: 'https://documentation.opencrvs.org/technology/interoperability/authenticate-a-client',
}
const rfc = (n: number, section: string): Source => ({
  label: `RFC ${n} §${section}`,
  url: `https://www.rfc-editor.org/rfc/rfc${n}#section-${section}`,
})
const release = (what: string): Source => ({
  label: `Observed release behaviour: ${what}`,
  url: 'https://github.com/opencrvs/opencrvs-core/tree/develop/packages/auth/src/features/oauthToken',
})

/** The Allure epic of each area: what a reader of the sign-off report looks for first. */
export const EPIC_OF_AREA = {
  'Release profile': 'Release and documentation',
  'Documentation errata': 'Release and documentation',
  'Token request formats': 'Token endpoint',
  'Token response': 'Token endpoint',
  'Grant types': 'Token endpoint',
  'Client authentication': 'Token endpoint',
  'Error responses': 'Token endpoint',
  'Methods and paths': 'Token endpoint',
  'Access token': 'Access token',
  'Token claims': 'Access token',
  'Token lifetime': 'Access token',
  'Scope separation': 'Scope separation',
  'Tokens at the door': 'Scope separation',
  'Transport security': 'Transport security',
  'Client lifecycle': 'Client lifecycle',
  'Integration clients': 'Integration clients',
} as const satisfies Record<string, string>
export type Area = keyof typeof EPIC_OF_AREA

const FAIL = { opencrvs: 'FAILED', strict: 'FAILED' } as const
const INFO = { opencrvs: 'INFO', strict: 'INFO' } as const
/** Worth knowing in every mode, never a failure: documentation errata and SHOULDs. */
const WARN = { opencrvs: 'WARNING', strict: 'WARNING' } as const
/** An RFC MUST that OpenCRVS itself departs from: a named WARNING in opencrvs mode, FAILED in strict. */
const RFC_MUST = { opencrvs: 'WARNING', strict: 'FAILED' } as const

const list: Requirement[] = [
  {
    id: 'PROFILE-01',
    title: 'The release line is identified, and agrees with OPENCRVS_VERSION when one is declared',
    area: 'Release profile',
    sources: [release('token claims, error codes and X-Version differ per release line')],
    severity: WARN,
  },
  {
    id: 'TOKEN-FMT-01',
    title: 'A token request with its parameters in the query string issues a token',
    area: 'Token request formats',
    sources: [
      DOCS,
      release('v1.3-v2.0 read client_id, client_secret and grant_type from the query string'),
      {
        label: 'OpenCRVS PR #13626: query-string parameters refused outside production (after v2.0.0)',
        url: 'https://github.com/opencrvs/opencrvs-core/pull/13626',
      },
    ],
    severity: FAIL,
    // v2.1 (preview) refuses them where NODE_ENV is not production: the release's own, named for integrators
    deviation: WARN,
  },
  {
    id: 'TOKEN-FMT-02',
    title: 'A token request with a JSON body issues a token where the release reads the body',
    area: 'Token request formats',
    sources: [DOCS, release('v2.0 reads a JSON body first, then the query (oauthToken/utils.ts getParam)')],
    severity: FAIL,
  },
  {
    id: 'TOKEN-FMT-03',
    title: 'A token request with a form body issues a token where the release reads the body',
    area: 'Token request formats',
    sources: [rfc(6749, '4.4.2'), release('v2.0 reads an application/x-www-form-urlencoded body (PR #11590)')],
    severity: FAIL,
  },
  {
    id: 'TOKEN-FMT-04',
    title: 'Client credentials can travel in a form body, not the URL (RFC 6749 §2.3.1, §4.4.2)',
    area: 'Token request formats',
    sources: [
      rfc(6749, '2.3.1'),
      rfc(6749, '4.4.2'),
      { label: 'CWE-598: sensitive query strings', url: 'https://cwe.mitre.org/data/definitions/598.html' },
      DOCS,
    ],
    severity: RFC_MUST,
    must: 'RFC 6749 §2.3.1: the client credential parameters can only be transmitted in the request-body and MUST NOT be included in the request URI',
  },
  {
    id: 'TOKEN-FMT-05',
    title: 'Which source wins when the body and the query string disagree (informational)',
    area: 'Token request formats',
    sources: [release('v2.0 getParam: payload[key] || query[key]; v1.x reads the query only')],
    severity: INFO,
  },
  {
    id: 'TOKEN-DOCS-01',
    title: 'Documentation erratum: the docs\' example URL "...&grant_type=&grant_type=client_credentials"',
    area: 'Documentation errata',
    sources: [DOCS, release('hapi turns a repeated key into an array: 400 unsupported_grant_type in every release')],
    severity: WARN,
  },
  {
    id: 'TOKEN-DUP-01',
    title: 'A duplicated client_id never yields a token (401 invalid_client)',
    area: 'Client authentication',
    sources: [rfc(6749, '3.2'), release('a repeated client_id becomes an array, which the credential look-up rejects')],
    severity: FAIL,
  },
  {
    id: 'TOKEN-CRED-01',
    title: "Every configured client's credentials get a token (a go-live sign-off needs clients that can log in)",
    area: 'Client authentication',
    sources: [DOCS, rfc(6749, '4.4.3')],
    severity: FAIL,
  },
  {
    id: 'TOKEN-RESP-01',
    title: 'A successful token response is HTTP 200 with a body valid against schemas/token-response.schema.json',
    area: 'Token response',
    sources: [rfc(6749, '5.1'), rfc(6749, 'A.12'), DOCS],
    severity: FAIL,
  },
  {
    id: 'TOKEN-RESP-02',
    title: 'A successful token response is declared as JSON (Content-Type: application/json)',
    area: 'Token response',
    sources: [
      rfc(6749, '5.1'),
      release('the gateway /auth/token proxy answers application/octet-stream in every release'),
    ],
    severity: FAIL,
    deviation: RFC_MUST,
  },
  {
    id: 'TOKEN-RESP-03',
    title: 'A successful token response carries Cache-Control: no-store',
    area: 'Token response',
    sources: [
      rfc(6749, '5.1'),
      release('auth sets Cache-Control: no-store; the v2 Helm ingress restores it on the gateway'),
    ],
    severity: FAIL,
    deviation: RFC_MUST,
    must: 'RFC 6749 §5.1: the authorization server MUST include the Cache-Control response header field with a value of no-store',
  },
  {
    id: 'TOKEN-RESP-04',
    title: 'A successful token response carries Pragma: no-cache',
    area: 'Token response',
    sources: [
      rfc(6749, '5.1'),
      { label: 'RFC 9111 §5.4 (Pragma is deprecated)', url: 'https://www.rfc-editor.org/rfc/rfc9111#section-5.4' },
      release('auth sets no Pragma; the v2 Helm ingress adds Pragma: no-cache'),
    ],
    severity: RFC_MUST,
    must: 'RFC 6749 §5.1: the authorization server MUST include ..., as well as the Pragma response header field with a value of no-cache',
  },
  {
    id: 'TOKEN-RESP-05',
    title: "A successful token response states its lifetime in expires_in, and states it truly (the token's exp - iat)",
    area: 'Token response',
    sources: [rfc(6749, '5.1'), release("OpenCRVS never sends expires_in; the token's exp claim says it")],
    // a wrong expires_in makes clients that trust it (as RFC 6749 lets them) reuse dead tokens: FAILED; its
    // absence is OpenCRVS's own, in every release
    severity: FAIL,
    deviation: WARN,
  },
  {
    id: 'TOKEN-RESP-06',
    title: 'The scope member of the token response (informational)',
    area: 'Token response',
    sources: [rfc(6749, '3.3'), release("OpenCRVS sends no scope member; scopes are in the token's scope claim")],
    severity: INFO,
  },
  {
    id: 'TOKEN-GRANT-01',
    title:
      "Every grant type but client_credentials (and the release's token exchange) is refused: 400 unsupported_grant_type, never a token",
    area: 'Grant types',
    sources: [DOCS, rfc(6749, '5.2')],
    severity: FAIL,
  },
  {
    id: 'TOKEN-GRANT-02',
    title: "A missing or empty grant_type is refused with the release's error code, never a token",
    area: 'Grant types',
    sources: [release('v1.3-v1.6: invalid_request; v1.7+: unsupported_grant_type'), rfc(6749, '5.2')],
    severity: FAIL,
  },
  {
    id: 'TOKEN-GRANT-03',
    title: 'A missing grant_type is invalid_request, as RFC 6749 §5.2 defines',
    area: 'Grant types',
    sources: [rfc(6749, '5.2'), release('v1.7+ answers unsupported_grant_type')],
    severity: RFC_MUST,
    must: 'RFC 6749 §5.2: error is REQUIRED, and a request missing a required parameter is invalid_request',
  },
  {
    id: 'TOKEN-GRANT-04',
    title: 'The token-exchange grant is refused without a subject token (read-only probe)',
    area: 'Grant types',
    sources: [release('oauthToken/token-exchange.ts: v1.7+, no client authentication, 7-day record tokens')],
    severity: FAIL,
  },
  {
    id: 'TOKEN-AUTH-01',
    title: 'A missing client_id or client_secret gets 400 invalid_request, never a token',
    area: 'Client authentication',
    sources: [rfc(6749, '5.2'), DOCS],
    severity: FAIL,
  },
  {
    id: 'TOKEN-AUTH-02',
    title: 'A wrong client_secret gets 401 invalid_client, never a token',
    area: 'Client authentication',
    sources: [rfc(6749, '5.2'), DOCS],
    severity: FAIL,
  },
  {
    id: 'TOKEN-AUTH-03',
    title: 'An unknown client_id (UUID or not) gets 401 invalid_client, never a token',
    area: 'Client authentication',
    sources: [rfc(6749, '5.2')],
    severity: FAIL,
  },
  {
    id: 'TOKEN-AUTH-04',
    title: 'A deactivated client gets 401 invalid_client, never a token',
    area: 'Client authentication',
    sources: [DOCS, release('the credential look-up refuses any status but active (v1: deactivated, v2.0: disabled)')],
    severity: FAIL,
  },
  {
    id: 'TOKEN-AUTH-05',
    title: 'An unknown client_id and a wrong secret get identical error bodies (no client-id oracle)',
    area: 'Client authentication',
    sources: [
      {
        label: 'RFC 6819 §4.4.1.11 (credential guessing)',
        url: 'https://www.rfc-editor.org/rfc/rfc6819#section-4.4.1.11',
      },
      release('one invalid_client body for every credential failure'),
    ],
    severity: FAIL,
  },
  {
    id: 'TOKEN-AUTH-06',
    title: 'No error body, header or description echoes a submitted client secret, nor any 8 or more of its characters',
    area: 'Client authentication',
    sources: [rfc(6749, '10.3'), { label: 'CWE-209', url: 'https://cwe.mitre.org/data/definitions/209.html' }],
    severity: FAIL,
  },
  {
    id: 'TOKEN-AUTH-07',
    title: 'A 401 carries WWW-Authenticate',
    area: 'Client authentication',
    sources: [
      { label: 'RFC 9110 §15.5.2', url: 'https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2' },
      rfc(6749, '5.2'),
    ],
    severity: RFC_MUST,
    must: 'RFC 9110 §15.5.2: the server generating a 401 response MUST send a WWW-Authenticate header field',
  },
  {
    id: 'TOKEN-AUTH-08',
    title: 'HTTP Basic client authentication (client_secret_basic) is supported',
    area: 'Client authentication',
    sources: [rfc(6749, '2.3.1'), release('no release reads the Authorization header at /token')],
    severity: RFC_MUST,
    must: 'RFC 6749 §2.3.1: the authorization server MUST support the HTTP Basic authentication scheme',
  },
  {
    id: 'TOKEN-ERR-01',
    title:
      "Every OAuth error is JSON, valid against schemas/oauth-error.schema.json, with the release's status (never 200, never HTML)",
    area: 'Error responses',
    sources: [rfc(6749, '5.2')],
    severity: FAIL,
    deviation: RFC_MUST,
  },
  {
    id: 'TOKEN-ERR-02',
    title: 'error_uri, when present, is a URI',
    area: 'Error responses',
    sources: [rfc(6749, '5.2'), release('every release sends "Refer to https://documentation.opencrvs.org/..."')],
    severity: RFC_MUST,
    must: 'RFC 6749 §5.2: values for the error_uri parameter MUST conform to the URI-reference syntax',
  },
  {
    id: 'TOKEN-ERR-03',
    title: 'error_description keeps to the RFC 6749 charset (no double quote or backslash)',
    area: 'Error responses',
    sources: [rfc(6749, '5.2'), release('v1.7+ unsupported_grant_type description quotes "client_credentials"')],
    severity: RFC_MUST,
    must: 'RFC 6749 §5.2: values for the error_description parameter MUST NOT include characters outside the set %x20-21 / %x23-5B / %x5D-7E',
  },
  {
    id: 'TOKEN-METHOD-01',
    title: 'GET, HEAD and PUT on the token route never issue a token (404 or 405)',
    area: 'Methods and paths',
    sources: [rfc(6749, '3.2'), release('hapi answers an unrouted method with 404')],
    severity: FAIL,
  },
  {
    id: 'TOKEN-METHOD-02',
    title: 'OPTIONS and CORS on the token route (informational)',
    area: 'Methods and paths',
    sources: [release('v1.x: CORS whitelist; v2.0: cors:false, OPTIONS 404')],
    severity: INFO,
  },
  {
    id: 'JWT-01',
    title: 'The access token is a compact JWS whose header and claims decode as JSON objects',
    area: 'Access token',
    sources: [{ label: 'RFC 7515 §7.1', url: 'https://www.rfc-editor.org/rfc/rfc7515#section-7.1' }, DOCS],
    severity: FAIL,
  },
  {
    id: 'JWT-HDR-01',
    title: 'The token is signed with RS256 (never none, never an HMAC algorithm)',
    area: 'Access token',
    sources: [
      DOCS,
      { label: 'RFC 8725 §2.1, §3.1', url: 'https://www.rfc-editor.org/rfc/rfc8725#section-3.1' },
      rfc(9068, '2.1'),
    ],
    severity: FAIL,
  },
  {
    id: 'JWT-HDR-02',
    title: 'The token header says typ "JWT", as OpenCRVS documents',
    area: 'Access token',
    sources: [DOCS, { label: 'RFC 7519 §5.1', url: 'https://www.rfc-editor.org/rfc/rfc7519#section-5.1' }],
    severity: FAIL,
  },
  {
    id: 'JWT-HDR-03',
    title: 'Header extras: kid, and RFC 9068 at+jwt typing (informational)',
    area: 'Access token',
    sources: [
      rfc(9068, '2.1'),
      { label: 'RFC 8725 §3.11', url: 'https://www.rfc-editor.org/rfc/rfc8725#section-3.11' },
    ],
    severity: INFO,
  },
  {
    id: 'JWT-SIG-01',
    title: 'The signature verifies, with RS256 pinned, against the key the deployment publishes',
    area: 'Access token',
    sources: [
      { label: 'RFC 7515 §5.2', url: 'https://www.rfc-editor.org/rfc/rfc7515#section-5.2' },
      { label: 'RFC 8725 §3.1', url: 'https://www.rfc-editor.org/rfc/rfc8725#section-3.1' },
      release('GET <auth>/.well-known serves the PEM public key'),
    ],
    severity: FAIL,
  },
  {
    id: 'JWT-KEY-01',
    title: 'The published signing key is RSA of at least 2048 bits',
    area: 'Access token',
    sources: [{ label: 'RFC 7518 §3.3', url: 'https://www.rfc-editor.org/rfc/rfc7518#section-3.3' }],
    severity: FAIL,
  },
  {
    id: 'JWT-CLM-01',
    title: 'iss is exactly "opencrvs:auth-service" (the gateway rejects anything else)',
    area: 'Token claims',
    sources: [release('authenticate/service.ts createToken; the gateway verifies issuer opencrvs:auth-service')],
    severity: FAIL,
  },
  {
    id: 'JWT-CLM-02',
    title: "aud is an array with opencrvs:gateway-user and the release's audience list",
    area: 'Token claims',
    sources: [
      release('auth constants.ts audiences; the gateway verifies audience opencrvs:gateway-user'),
      { label: 'RFC 7519 §4.1.3', url: 'https://www.rfc-editor.org/rfc/rfc7519#section-4.1.3' },
    ],
    severity: FAIL,
  },
  {
    id: 'JWT-CLM-03',
    title: "sub identifies the client: stable across its tokens, distinct between clients, per the release's rule",
    area: 'Token claims',
    sources: [DOCS, rfc(9068, '5'), release("v1.x sub is the system's database id; v2.0 sub is the client_id")],
    severity: FAIL,
  },
  {
    id: 'JWT-CLM-04',
    title: "scope is an array of strings equal to each client's expected scope set",
    area: 'Token claims',
    sources: [DOCS, release('scopes per client type (user-mgnt scopes.ts, v2 useIntegrations.ts)')],
    severity: FAIL,
  },
  {
    id: 'JWT-CLM-05',
    title: 'userType is "system" from v1.9 on',
    area: 'Token claims',
    sources: [release('v1.9+ client-credentials.ts adds userType: system')],
    severity: FAIL,
  },
  {
    id: 'JWT-CLM-06',
    title: 'iat and exp are present and are NumericDates in seconds',
    area: 'Token claims',
    sources: [{ label: 'RFC 7519 §2, §4.1.4, §4.1.6', url: 'https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4' }],
    severity: FAIL,
  },
  {
    id: 'JWT-CLM-07',
    title: "iat agrees with the server's Date header within the leeway (no clock in the future or the past)",
    area: 'Token claims',
    sources: [{ label: 'RFC 7519 §4.1.6', url: 'https://www.rfc-editor.org/rfc/rfc7519#section-4.1.6' }],
    severity: FAIL,
  },
  {
    id: 'JWT-CLM-08',
    title: 'No claim holds the client secret',
    area: 'Token claims',
    sources: [
      rfc(6749, '10.3'),
      { label: 'RFC 7519 §6 (claims are readable by anyone)', url: 'https://www.rfc-editor.org/rfc/rfc7519#section-6' },
    ],
    severity: FAIL,
  },
  {
    id: 'JWT-CLM-09',
    title: "Claims beyond the release's set are listed (informational)",
    area: 'Token claims',
    sources: [release('claims: scope, userType (v1.9+), iat, exp, aud, iss, sub')],
    severity: INFO,
  },
  {
    id: 'JWT-CLM-10',
    title: 'nbf, when a token carries it, is a NumericDate no later than iat (beyond the leeway)',
    area: 'Token claims',
    sources: [{ label: 'RFC 7519 §4.1.5', url: 'https://www.rfc-editor.org/rfc/rfc7519#section-4.1.5' }],
    severity: FAIL,
  },
  {
    id: 'JWT-LIFE-01',
    title: "exp - iat is the release's lifetime for the client type: 600 s, never more than the documented 10 minutes",
    area: 'Token lifetime',
    sources: [DOCS, release('CONFIG_SYSTEM_TOKEN_EXPIRY_SECONDS, default 600; v1.9 IMPORT_EXPORT clients get 7 days')],
    severity: FAIL,
    // a lifetime the release itself gives a client type (v1.9 IMPORT_EXPORT: 7 days), longer than the docs promise
    deviation: RFC_MUST,
  },
  {
    id: 'JWT-FRESH-01',
    title: 'Two consecutive token requests for one client return different tokens',
    area: 'Token lifetime',
    sources: [{ label: 'OpenID conformance suite: token reuse', url: 'https://gitlab.com/openid/conformance-suite' }],
    severity: FAIL,
  },
  {
    id: 'JWT-EXP-01',
    title: 'An expired token is refused (@slow: waits for exp; opt-in with CONFORMANCE_SLOW=true)',
    area: 'Token lifetime',
    sources: [{ label: 'RFC 7519 §4.1.4', url: 'https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4' }, DOCS],
    severity: FAIL,
  },
  {
    id: 'SCOPE-01',
    title: 'Event-notification and record-search tokens carry disjoint scope sets',
    area: 'Scope separation',
    sources: [
      DOCS,
      release('scopes per client type; "A Record Search client is not authorized to perform an Event Notification"'),
    ],
    severity: FAIL,
  },
  {
    id: 'SCOPE-02',
    title:
      'A record-search token is refused where event notification is done (403 before payload validation; a notification token gets 400)',
    area: 'Scope separation',
    sources: [DOCS, release('v1.x gateway POST /notification route scope; v2.0 events record.create')],
    severity: FAIL,
  },
  {
    id: 'SCOPE-03',
    title:
      'An event-notification token is refused where record search is done (403 before input validation; a search token gets 400)',
    area: 'Scope separation',
    sources: [
      DOCS,
      release('v2.0 events POST /events/search requires record.search; v1.x GraphQL decides after validation'),
    ],
    severity: FAIL,
  },
  {
    id: 'GATEWAY-01',
    title:
      "The gateway accepts every configured client type's valid token on its own route, and the service behind it answers (the positive control every probe relies on)",
    area: 'Tokens at the door',
    sources: [
      release(
        'v2.0 gateway proxies /events/* to the events service (403 wrong scope, 400 invalid input); v1.x gateway POST /notification answers 400 for invalid input',
      ),
    ],
    severity: FAIL,
  },
  {
    id: 'DOOR-01',
    title: 'The gateway refuses a request with no token (401)',
    area: 'Tokens at the door',
    sources: [{ label: 'RFC 6750 §3.1', url: 'https://www.rfc-editor.org/rfc/rfc6750#section-3.1' }],
    severity: FAIL,
  },
  {
    id: 'DOOR-02',
    title: 'The gateway refuses a malformed bearer token ("Bearer foobar") (401)',
    area: 'Tokens at the door',
    sources: [{ label: 'RFC 6750 §3.1', url: 'https://www.rfc-editor.org/rfc/rfc6750#section-3.1' }],
    severity: FAIL,
  },
  {
    id: 'DOOR-03',
    title: 'The gateway refuses an unsigned token (alg "none") (401)',
    area: 'Tokens at the door',
    sources: [
      { label: 'RFC 8725 §2.1, §3.2', url: 'https://www.rfc-editor.org/rfc/rfc8725#section-2.1' },
      rfc(9068, '4'),
    ],
    severity: FAIL,
  },
  {
    id: 'DOOR-04',
    title: 'The gateway refuses an HS256 token signed with the public key as secret (algorithm confusion) (401)',
    area: 'Tokens at the door',
    sources: [{ label: 'RFC 8725 §2.1, §3.1', url: 'https://www.rfc-editor.org/rfc/rfc8725#section-3.1' }],
    severity: FAIL,
  },
  {
    id: 'DOOR-05',
    title: 'The gateway refuses a real token whose payload was edited (scope widened, signature kept) (401)',
    area: 'Tokens at the door',
    sources: [{ label: 'RFC 7515 §5.2', url: 'https://www.rfc-editor.org/rfc/rfc7515#section-5.2' }],
    severity: FAIL,
  },
  {
    id: 'DOOR-06',
    title: 'The gateway refuses a genuinely signed token for another audience (401)',
    area: 'Tokens at the door',
    sources: [
      { label: 'RFC 7519 §4.1.3', url: 'https://www.rfc-editor.org/rfc/rfc7519#section-4.1.3' },
      release('v1.x /anonymous-token lacks opencrvs:gateway-user'),
    ],
    severity: FAIL,
  },
  {
    id: 'DOOR-07',
    title: 'The gateway accepts the bearer scheme in lower case ("bearer")',
    area: 'Tokens at the door',
    sources: [{ label: 'RFC 9110 §11.1', url: 'https://www.rfc-editor.org/rfc/rfc9110#section-11.1' }],
    severity: WARN,
  },
  {
    id: 'DOOR-08',
    title: 'The gateway does not accept a token in the URL (?access_token=)',
    area: 'Tokens at the door',
    sources: [{ label: 'RFC 6750 §2.3, §5.3', url: 'https://www.rfc-editor.org/rfc/rfc6750#section-2.3' }],
    severity: WARN,
  },
  {
    id: 'TLS-01',
    title:
      'Every https origin the kit talks to (token endpoint, gateway, key URL) negotiates TLS 1.2 or later and refuses TLS 1.0 and 1.1',
    area: 'Transport security',
    sources: [
      { label: 'RFC 8996', url: 'https://www.rfc-editor.org/rfc/rfc8996' },
      { label: 'RFC 9325 (BCP 195) §3.1.1', url: 'https://www.rfc-editor.org/rfc/rfc9325#section-3.1.1' },
      rfc(6749, '1.6'),
    ],
    severity: FAIL,
  },
  {
    id: 'TLS-02',
    title:
      "Each origin's certificate is valid for its host name, is sent with its full chain, and chains to a trusted CA (OPENCRVS_CA_FILE for a private CA)",
    area: 'Transport security',
    sources: [
      { label: 'RFC 9110 §4.3.4', url: 'https://www.rfc-editor.org/rfc/rfc9110#section-4.3.4' },
      { label: 'RFC 6125', url: 'https://www.rfc-editor.org/rfc/rfc6125' },
    ],
    severity: FAIL,
  },
  {
    id: 'TLS-03',
    title: "Each origin's certificate has at least 21 days left before it expires",
    area: 'Transport security',
    sources: [
      {
        label: 'Operational: an expired certificate stops every integration at once',
        url: 'https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5',
      },
    ],
    severity: WARN,
  },
  {
    id: 'TLS-04',
    title: 'Token responses, and the gateway where it is an origin of its own, carry Strict-Transport-Security (HSTS)',
    area: 'Transport security',
    sources: [
      { label: 'RFC 6797', url: 'https://www.rfc-editor.org/rfc/rfc6797' },
      release('the v2 Helm ingress sets HSTS (max-age 31536000, includeSubDomains, preload)'),
    ],
    severity: WARN,
  },
  {
    id: 'TLS-06',
    title: 'An HSTS header, when sent, keeps HSTS on: a max-age that parses and is above 0',
    area: 'Transport security',
    sources: [{ label: 'RFC 6797 §6.1.1', url: 'https://www.rfc-editor.org/rfc/rfc6797#section-6.1.1' }],
    severity: FAIL,
  },
  {
    id: 'TLS-05',
    title:
      'The plain-HTTP twin of the token URL does not act as a token endpoint (redirect or refusal; probed with a dummy secret)',
    area: 'Transport security',
    sources: [
      rfc(6749, '3.2'),
      { label: 'RFC 6749 §10.3', url: 'https://www.rfc-editor.org/rfc/rfc6749#section-10.3' },
    ],
    severity: FAIL,
  },
  {
    id: 'CLIENT-ROTATE-01',
    title: 'After "Refresh client secret" the old secret is refused (401 invalid_client) and the new one gets a token',
    area: 'Client lifecycle',
    sources: [DOCS, release('refreshSystemSecret / integrations.refreshSecret store a new bcrypt hash')],
    severity: FAIL,
  },
  {
    id: 'CLIENT-DELETE-01',
    title: 'A deleted client is refused (401 invalid_client), never a token',
    area: 'Client lifecycle',
    sources: [DOCS, release('deleteSystem / integrations.delete remove the client')],
    severity: FAIL,
  },
  {
    id: 'CLIENT-REENABLE-01',
    title: "A client deactivated and activated again gets a token with its type's scopes",
    area: 'Client lifecycle',
    sources: [DOCS, release('reactivateSystem / integrations.activate set the status back to active')],
    severity: FAIL,
  },
  {
    id: 'CLIENT-RETIRED-01',
    title: 'Every retired credential (OPENCRVS_RETIRED_CREDENTIALS) is refused, none gets a token',
    area: 'Client lifecycle',
    sources: [release('v1.9 -> v2.0 migration gives every client a new id; test clients are removed before go-live')],
    severity: FAIL,
  },
  {
    id: 'DOCS-01',
    title: 'Documentation erratum: the docs\' example token claims (iss "opencrvs.auth", aud ["opencrvs.auth"])',
    area: 'Documentation errata',
    sources: [DOCS, release('tokens carry iss opencrvs:auth-service and the opencrvs:*-user audience list')],
    severity: WARN,
  },
  {
    id: 'DOCS-02',
    title: 'Documentation erratum: "Approved scopes are health, nationalId, ageCheck"',
    area: 'Documentation errata',
    sources: [DOCS, release('scope names per client type per release')],
    severity: WARN,
  },
  {
    id: 'CLIENTS-01',
    title:
      'The integration clients countries run get a token here (each replayed as it sends its request, with a dummy secret)',
    area: 'Integration clients',
    sources: [
      {
        label: 'OpenFn OpenCRVS adaptor: authorize',
        url: 'https://github.com/OpenFn/adaptors/blob/main/packages/opencrvs/src/Utils.js',
      },
      {
        label: 'OpenCRVS v2.0: auth no longer on its own subdomain (CHANGELOG)',
        url: 'https://github.com/opencrvs/opencrvs-core/blob/develop/CHANGELOG.md',
      },
    ],
    // a client the release supports that gets no token here, or one the country requires (CONFORMANCE_REQUIRED_CLIENTS)
    severity: FAIL,
    // a client the release itself left behind (it worked on an earlier line): a person decides what it means here
    deviation: { opencrvs: 'REVIEW', strict: 'REVIEW' },
  },
]

export const REQUIREMENTS: Readonly<Record<string, Requirement>> = Object.freeze(
  Object.fromEntries(list.map((r) => [r.id, r])),
)
export const REQUIREMENT_LIST: readonly Requirement[] = list

/** Look a requirement up by id; an unknown id is a programming error. */
export function req(id: string): Requirement {
  const r = REQUIREMENTS[id]
  if (!r) throw new Error(`No requirement ${id} in the catalogue`)
  return r
}

/** The title prefix every test carries, so reports and coverage can find the requirement. */
export const ID_PATTERN = /^([A-Z]+(?:-[A-Z]+)*-\d{2})\b/
