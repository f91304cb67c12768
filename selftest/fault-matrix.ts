/**
 * Which requirement each emulator fault must turn FAILED, and which other verdicts it may change (a check
 * that skips because its precondition failed, a docs erratum that stops applying). Kept here, not in
 * emulator/faults.ts, so the emulator knows nothing of the kit's checks. Every other verdict must stay as
 * it is on the same release without the fault.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export interface FaultCase {
  /** The emulator fault, when the row's key is not its name (a fault seen in another topology). */
  fault?: string
  release: string
  fails: string[]
  changes?: Record<string, string>
  /** Extra kit environment, applied to the fault run and its baseline alike. */
  env?: Record<string, string>
  /** Emulator token lifetime (CONFIG_SYSTEM_TOKEN_EXPIRY_SECONDS), for the baseline too. */
  lifetimeSeconds?: number
  /** Serve HTTPS (the kit trusts the emulator's CA), for the baseline too. */
  tls?: boolean
  /** The fault stops the run before any check; a dedicated self-test shows it, not the matrix. */
  gate?: boolean
  /** Run the operator's lifecycle flow first (rotate, delete, re-enable, retire), for the baseline too. */
  lifecycle?: boolean
  /** Configure the gateway only (the token at its /auth/token, the key as a file), for the baseline too. */
  gatewayOnly?: boolean
  /** Extra Playwright arguments (e.g. --grep to isolate a check), for the baseline too. */
  args?: string[]
  /** Requests the fault may add over the run without it, and why (otherwise none: evidence is collected once). */
  extraRequests?: { count: number; why: string }
}

const skipped = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, 'SKIPPED']))
/**
 * When the gateway refuses the deployment's own valid tokens, the door and scope probes have no positive
 * control and skip, pointing at the token checks that failed. v1.x has no search probe to skip.
 */
const gatewayRefusesTokens = (release: string) =>
  skipped([
    'GATEWAY-01',
    'SCOPE-02',
    ...(release === '2.0' ? ['SCOPE-03'] : []),
    'DOOR-01',
    'DOOR-02',
    'DOOR-03',
    'DOOR-04',
    'DOOR-05',
    ...(release === '2.0' ? [] : ['DOOR-06']),
    'DOOR-07',
    'DOOR-08',
  ])

/** Only the record search client configured (no event notification client). */
const SEARCH_ONLY = { OPENCRVS_NOTIFICATION_CLIENT_ID: '', OPENCRVS_NOTIFICATION_CLIENT_SECRET: '' }

/** The auth service alone, no gateway: identification cannot read the gateway's X-Version. */
const NO_GATEWAY = { OPENCRVS_GATEWAY_URL: '' }

/** The same, but GATEWAY-01 itself (the row's own finding). */
const probesOf = (changes: Record<string, string>) =>
  Object.fromEntries(Object.entries(changes).filter(([id]) => id !== 'GATEWAY-01'))

/**
 * A slow run that can afford to wait: 3-second tokens, declared to the kit, and only the live-expiry check run.
 * Every other check would use tokens that a loaded machine lets expire before the probes send them.
 */
const LIVE_EXPIRY = {
  env: { CONFORMANCE_SLOW: 'true', OPENCRVS_TOKEN_LIFETIME_SECONDS: '3', CONFORMANCE_LEEWAY_SECONDS: '1' },
  lifetimeSeconds: 3,
  args: ['--grep', 'JWT-EXP-01'],
}
/** When the service behind the gateway does not answer the positive control, every probe that needed it points at GATEWAY-01. */
const serviceDown = skipped([
  'SCOPE-02',
  'SCOPE-03',
  'DOOR-01',
  'DOOR-02',
  'DOOR-03',
  'DOOR-04',
  'DOOR-05',
  'DOOR-07',
  'DOOR-08',
])

export const FAULT_MATRIX: Record<string, FaultCase> = {
  'no-cache-control': { release: '1.9', fails: ['TOKEN-RESP-03'] },
  'cache-control-contradiction': { release: '1.8', fails: ['TOKEN-RESP-03'] },
  'content-type-octet-stream': { release: '1.8', fails: ['TOKEN-RESP-02'] },
  'no-token-type': { release: '2.0', fails: ['TOKEN-RESP-01'] },
  // an opaque token breaks the response schema (access_token must be a compact JWS) and the JWT decode alike;
  // every check that inspects the token then has nothing to inspect
  'opaque-token': {
    release: '1.6',
    fails: ['TOKEN-RESP-01', 'JWT-01'],
    changes: {
      ...gatewayRefusesTokens('1.6'),
      ...Object.fromEntries(
        [
          'JWT-HDR-01',
          'JWT-HDR-02',
          'JWT-HDR-03',
          'JWT-SIG-01',
          'JWT-CLM-01',
          'JWT-CLM-02',
          'JWT-CLM-03',
          'JWT-CLM-04',
          'JWT-CLM-05',
          'JWT-CLM-06',
          'JWT-CLM-07',
          'JWT-CLM-08',
          'JWT-CLM-09',
          'JWT-CLM-10',
          'JWT-LIFE-01',
          'JWT-FRESH-01',
          'DOCS-01',
          'DOCS-02',
          'SCOPE-01',
        ].map((id) => [id, 'SKIPPED']),
      ),
    },
  },
  // a deployment that stops reading a format the release reads breaks the clients that use it
  'json-body-ignored': { release: '2.0', fails: ['TOKEN-FMT-02', 'CLIENTS-01'] },
  // and with no form body, credentials must travel in the URL: the RFC warning applies
  'form-body-ignored': {
    release: '2.0',
    fails: ['TOKEN-FMT-03'],
    changes: { 'TOKEN-FMT-04': 'WARNING' },
    extraRequests: {
      count: 2,
      why: "a token needs another format: global setup's query attempt, and the second client's JSON one",
    },
  },
  'query-ignored': { release: '2.0', fails: ['TOKEN-FMT-01', 'CLIENTS-01'] },
  'alg-none': { release: '2.0', fails: ['JWT-HDR-01', 'JWT-SIG-01'], changes: gatewayRefusesTokens('2.0') },
  'alg-hs256': { release: '1.9', fails: ['JWT-HDR-01', 'JWT-SIG-01'], changes: gatewayRefusesTokens('1.9') },
  'typ-missing': { release: '1.8', fails: ['JWT-HDR-02'] },
  'wrong-signing-key': { release: '2.0', fails: ['JWT-SIG-01'], changes: gatewayRefusesTokens('2.0') },
  // jose refuses to verify with an RSA key under 2048 bits, so the signature check defers to the key check
  'weak-key-1024': { release: '1.9', fails: ['JWT-KEY-01'], changes: { 'JWT-SIG-01': 'SKIPPED' } },
  'iss-docs-style': { release: '1.9', fails: ['JWT-CLM-01'], changes: gatewayRefusesTokens('1.9') },
  'aud-missing-gateway': { release: '2.0', fails: ['JWT-CLM-02'], changes: gatewayRefusesTokens('2.0') },
  'sub-per-token': { release: '1.8', fails: ['JWT-CLM-03'] },
  // the notification token also carries the search scope: wrong set, and the types are no longer separate
  'scope-extra': { release: '1.9', fails: ['JWT-CLM-04', 'SCOPE-01'] },
  // a deviation in a signal identification also reads (userType, the empty request's error code) never moves the run
  // to a line where it passes: the independent evidence (X-Version from the gateway, the scope format) decides, and
  // PROFILE-01 names the signal that disagrees. On every line the fault applies to, with the gateway's X-Version
  // and without it (OPENCRVS_GATEWAY_URL unset: the scope format decides)
  'usertype-missing': { release: '2.0', fails: ['JWT-CLM-05'], changes: { 'PROFILE-01': 'REVIEW' } },
  'usertype-missing (v1.9)': {
    fault: 'usertype-missing',
    release: '1.9',
    fails: ['JWT-CLM-05'],
    changes: { 'PROFILE-01': 'REVIEW' },
  },
  'usertype-missing (v1.9, no gateway)': {
    fault: 'usertype-missing',
    release: '1.9',
    env: NO_GATEWAY,
    fails: ['JWT-CLM-05'],
    changes: { 'PROFILE-01': 'REVIEW' },
  },
  'usertype-missing (v2.0, no gateway)': {
    fault: 'usertype-missing',
    release: '2.0',
    env: NO_GATEWAY,
    fails: ['JWT-CLM-05'],
    changes: { 'PROFILE-01': 'REVIEW' },
  },
  // issue 31 case 6, issue 35 case 3: the scope format is what JWT-CLM-04 grades, so it never picks the release; with
  // no gateway the empty request's code and the token-exchange answer (asked on every line) and userType identify it
  'notification-lacks-record-scopes': {
    release: '1.9',
    env: NO_GATEWAY,
    fails: ['JWT-CLM-04'],
    changes: { 'PROFILE-01': 'REVIEW' },
  },
  'notification-declare-scope': {
    release: '1.8',
    env: NO_GATEWAY,
    fails: ['JWT-CLM-04'],
    changes: { 'PROFILE-01': 'REVIEW' },
  },
  // without the token-exchange answer (which TOKEN-GRANT-04 grades) the scope format and the empty request's code tie:
  // v1.6's missing grant is then what v1.3-v1.6 does and the rest does not rule out, REVIEW
  'notification-without-declare': {
    release: '1.6',
    env: NO_GATEWAY,
    fails: ['JWT-CLM-04'],
    changes: { 'PROFILE-01': 'REVIEW', 'TOKEN-GRANT-04': 'REVIEW' },
  },
  // millisecond dates fail the units check; the clock and lifetime checks then have no seconds to compare
  'iat-milliseconds': {
    release: '2.0',
    fails: ['JWT-CLM-06'],
    changes: { 'JWT-CLM-07': 'SKIPPED', 'JWT-LIFE-01': 'SKIPPED' },
  },
  'clock-ahead': { release: '1.6', fails: ['JWT-CLM-07'] },
  // issue 35: every token the run obtained is held to every claim rule (the search client's alone breaks this one);
  // nbf ahead of iat: the gateway refuses the token until then, and with no gateway configured only JWT-CLM-10 sees it
  'search-usertype-user': { release: '1.9', fails: ['JWT-CLM-05'] },
  'nbf-ahead': { release: '1.9', env: NO_GATEWAY, fails: ['JWT-CLM-10'], changes: { 'JWT-CLM-09': 'INFO' } },
  'secret-in-claims': { release: '2.0', fails: ['JWT-CLM-08'], changes: { 'JWT-CLM-09': 'INFO' } },
  'lifetime-3600': { release: '1.8', fails: ['JWT-LIFE-01'] },
  'token-reuse': { release: '2.0', fails: ['JWT-FRESH-01'] },
  // the docs' example claims are wrong for the gateway; with them the erratum no longer applies.
  // Declared version, because without the real audience list there is nothing to detect the release from.
  'docs-example-claims': {
    release: '2.0',
    fails: ['JWT-CLM-01', 'JWT-CLM-02'],
    changes: { 'DOCS-01': 'PASSED', ...gatewayRefusesTokens('2.0') },
    env: { OPENCRVS_VERSION: '2.0' },
  },
  // a notification client whose only scope is "health" cannot notify in v2.0: the positive control fails
  'docs-scope-names': {
    release: '2.0',
    fails: ['JWT-CLM-04', 'GATEWAY-01', 'SCOPE-02'],
    changes: {
      'DOCS-02': 'PASSED',
      ...skipped(['DOOR-01', 'DOOR-02', 'DOOR-03', 'DOOR-04', 'DOOR-05', 'DOOR-07', 'DOOR-08']),
    },
  },
  // v1.x: the gateway alone decides. In v2.0 the events service verifies the token again, exp included (as the
  // real one does), so a gateway that skips a check is not visible through /events/* there: the same goes for
  // the other gateway-only faults below that sit on a v1.x line
  // the gateway refuses every sound token (a key rotated on auth only): GATEWAY-01 FAILED, never a skip; the probes
  // that needed its control point at it
  // a newer X-Version that every other signal contradicts softens nothing: v1.9's 3600 s tokens stay FAILED
  'x-version-newer': {
    release: '1.9',
    lifetimeSeconds: 3600,
    fails: ['JWT-LIFE-01'],
    changes: { 'PROFILE-01': 'REVIEW' },
  },
  'gateway-other-key': { release: '1.9', fails: ['GATEWAY-01'], changes: probesOf(gatewayRefusesTokens('1.9')) },
  // only the search client: its token at /notification is the control (403 accepted for its scope, 401 refused)
  'gateway-other-key (v1.9, search client only)': {
    fault: 'gateway-other-key',
    release: '1.9',
    env: SEARCH_ONLY,
    fails: ['GATEWAY-01'],
    changes: probesOf(gatewayRefusesTokens('1.9')),
  },
  'gateway-other-key (v2.0)': {
    fault: 'gateway-other-key',
    release: '2.0',
    fails: ['GATEWAY-01'],
    changes: probesOf(gatewayRefusesTokens('2.0')),
  },
  // issue 31: a maintenance page (503, Retry-After: 120, HTML) in front of the gateway is the service unavailable,
  // GATEWAY-01 FAILED, never a rate limit's SKIPPED
  'gateway-maintenance-page': { release: '2.0', fails: ['GATEWAY-01'], changes: serviceDown },
  'gateway-maintenance-page (v1.9)': {
    fault: 'gateway-maintenance-page',
    release: '1.9',
    fails: ['GATEWAY-01'],
    changes: skipped([...Object.keys(serviceDown).filter((id) => id !== 'SCOPE-03'), 'DOOR-06']),
  },
  // issue 31: every configured client type's valid token must be accepted on its own route (one route answering
  // proves nothing of another's refusal); and refused with no key to verify against, it is still FAILED
  'gateway-refuses-notification-create': {
    release: '2.0',
    fails: ['GATEWAY-01'],
    changes: skipped(['SCOPE-02', 'DOOR-01', 'DOOR-02', 'DOOR-03', 'DOOR-04', 'DOOR-05', 'DOOR-07', 'DOOR-08']),
  },
  'gateway-refuses-search-route': { release: '2.0', fails: ['GATEWAY-01'], changes: skipped(['SCOPE-03']) },
  // a client type's valid token refused with 403 on its own route is GATEWAY-01 FAILED naming the type, route and
  // answer (never a PASSED that the door probes' SKIPPED point at), with both clients configured or only that one
  'events-forbids-notification-create': {
    release: '2.0',
    fails: ['GATEWAY-01', 'SCOPE-02'],
    changes: skipped(['DOOR-01', 'DOOR-02', 'DOOR-03', 'DOOR-04', 'DOOR-05', 'DOOR-07', 'DOOR-08']),
  },
  'events-forbids-notification-create (only the notification client)': {
    fault: 'events-forbids-notification-create',
    release: '2.0',
    env: { OPENCRVS_SEARCH_CLIENT_ID: '', OPENCRVS_SEARCH_CLIENT_SECRET: '' },
    fails: ['GATEWAY-01'],
    changes: skipped(['DOOR-01', 'DOOR-02', 'DOOR-03', 'DOOR-04', 'DOOR-05', 'DOOR-07', 'DOOR-08']),
  },
  'gateway-forbids-notification': {
    release: '1.9',
    fails: ['GATEWAY-01', 'SCOPE-02'],
    changes: skipped(['DOOR-01', 'DOOR-02', 'DOOR-03', 'DOOR-04', 'DOOR-05', 'DOOR-06', 'DOOR-07', 'DOOR-08']),
  },
  'gateway-other-key (v2.0, gateway only, no key)': {
    fault: 'gateway-other-key',
    release: '2.0',
    gatewayOnly: true,
    env: { OPENCRVS_PUBLIC_KEY: '' },
    fails: ['GATEWAY-01'],
    changes: probesOf(gatewayRefusesTokens('2.0')),
  },
  'gateway-accepts-expired': { release: '1.9', fails: ['JWT-EXP-01'], ...LIVE_EXPIRY },
  // the docs' URL works once a repeated grant_type is read as its last value: the erratum no longer applies,
  // but the deployment now departs from its release (a duplicated grant_type must never yield a token)
  'duplicate-grant-type-last-wins': {
    release: '1.9',
    fails: ['TOKEN-GRANT-01'],
    changes: { 'TOKEN-DOCS-01': 'PASSED' },
  },
  'duplicate-client-id-first-wins': { release: '2.0', fails: ['TOKEN-DUP-01'] },
  'pragma-no-cache': { release: '2.0', fails: [], changes: { 'TOKEN-RESP-04': 'PASSED' } },
  'expires-in': { release: '1.8', fails: [], changes: { 'TOKEN-RESP-05': 'PASSED' } },
  // clients that trust expires_in would reuse dead tokens for a day
  'expires-in-86400': { release: '2.0', fails: ['TOKEN-RESP-05'] },
  'grant-type-case-insensitive': { release: '1.9', fails: ['TOKEN-GRANT-01'] },
  // the RFC's code is not the release's: the release check fails, the RFC check passes
  'missing-grant-type-invalid-request': {
    release: '1.9',
    fails: ['TOKEN-GRANT-02'],
    changes: { 'TOKEN-GRANT-03': 'PASSED', 'PROFILE-01': 'REVIEW' },
  },
  'missing-grant-type-invalid-request (v1.8)': {
    fault: 'missing-grant-type-invalid-request',
    release: '1.8',
    fails: ['TOKEN-GRANT-02'],
    changes: { 'TOKEN-GRANT-03': 'PASSED', 'PROFILE-01': 'REVIEW' },
  },
  'missing-grant-type-invalid-request (v1.8, no gateway)': {
    fault: 'missing-grant-type-invalid-request',
    release: '1.8',
    env: NO_GATEWAY,
    fails: ['TOKEN-GRANT-02'],
    changes: { 'TOKEN-GRANT-03': 'PASSED', 'PROFILE-01': 'REVIEW' },
  },
  'missing-grant-type-invalid-request (v2.0)': {
    fault: 'missing-grant-type-invalid-request',
    release: '2.0',
    fails: ['TOKEN-GRANT-02'],
    changes: { 'TOKEN-GRANT-03': 'PASSED', 'PROFILE-01': 'REVIEW' },
  },
  // any grant_type value, the docs' array among them, issues a token
  'any-grant-type': { release: '2.0', fails: ['TOKEN-GRANT-01'], changes: { 'TOKEN-DOCS-01': 'PASSED' } },
  'token-exchange-open': { release: '1.9', fails: ['TOKEN-GRANT-04'] },
  'missing-secret-accepted': { release: '1.8', fails: ['TOKEN-AUTH-01'] },
  // a wrong secret now gets a token while an unknown id gets 401: the answers differ too
  'wrong-secret-accepted': { release: '2.0', fails: ['TOKEN-AUTH-02', 'TOKEN-AUTH-05'] },
  // near misses of the real secret, tried where it travels in a body (v2.0)
  'secret-case-insensitive': { release: '2.0', fails: ['TOKEN-AUTH-02'] },
  'secret-prefix-match': { release: '2.0', fails: ['TOKEN-AUTH-02'] },
  'unknown-client-distinct-body': { release: '1.9', fails: ['TOKEN-AUTH-05'] },
  // a different status for unknown ids is also an oracle: both checks fail
  'unknown-client-400': { release: '1.8', fails: ['TOKEN-AUTH-03', 'TOKEN-AUTH-05'] },
  'deactivated-accepted': { release: '2.0', fails: ['TOKEN-AUTH-04'] },
  'echo-secret': { release: '1.9', fails: ['TOKEN-AUTH-06'] },
  // issue 31: half a secret echoed is a secret leaked (any run of 8 or more of its characters)
  'echo-secret-half': { release: '2.0', fails: ['TOKEN-AUTH-06'] },
  // the whole secret echoed upper-cased: found, and no report holds it in any case
  'echo-secret-upper': { release: '2.0', fails: ['TOKEN-AUTH-06'] },
  'www-authenticate': { release: '2.0', fails: [], changes: { 'TOKEN-AUTH-07': 'PASSED' } },
  'basic-auth': { release: '1.9', fails: [], changes: { 'TOKEN-AUTH-08': 'PASSED' } },
  'error-content-type-html': { release: '1.8', fails: ['TOKEN-ERR-01'] },
  'error-uri-valid': { release: '2.0', fails: [], changes: { 'TOKEN-ERR-02': 'PASSED' } },
  'get-issues-token': { release: '1.9', fails: ['TOKEN-METHOD-01'] },
  // the search client holding notification scopes fails in the token and at the door
  'search-gets-notification-scopes': { release: '1.9', fails: ['JWT-CLM-04', 'SCOPE-01', 'SCOPE-02'] },
  'gateway-ignores-scope': { release: '2.0', fails: ['SCOPE-02', 'SCOPE-03'] },
  'gateway-allows-anonymous': { release: '1.8', fails: ['DOOR-01'] },
  'gateway-malformed-token-500': { release: '2.0', fails: ['DOOR-02'] },
  'gateway-accepts-alg-none': { release: '1.9', fails: ['DOOR-03'] },
  'gateway-accepts-hs256': { release: '1.8', fails: ['DOOR-04'] },
  'gateway-skips-signature': { release: '1.8', fails: ['DOOR-05'] },
  // the PEM text with other line ends: a forgery with only the published text would be refused
  'gateway-accepts-hs256-crlf': { release: '1.9', fails: ['DOOR-04'] },
  'gateway-ignores-audience': { release: '1.9', fails: ['DOOR-06'] },
  'gateway-bearer-case-sensitive': { release: '1.9', fails: [], changes: { 'DOOR-07': 'WARNING' } },
  'gateway-token-in-query': { release: '1.9', fails: [], changes: { 'DOOR-08': 'WARNING' } },
  'tls-legacy': { release: '2.0', fails: ['TLS-01'], tls: true },
  'no-hsts': { release: '1.9', fails: [], changes: { 'TLS-04': 'WARNING', 'TLS-06': 'SKIPPED' }, tls: true },
  'cert-expiring': { release: '2.0', fails: [], changes: { 'TLS-03': 'WARNING' }, tls: true },
  'plain-http-token-endpoint': { release: '1.8', fails: ['TLS-05'], tls: true },
  // the twin answers 401 with an HTML page where HTTPS answers 401 invalid_client: it reached the credential check
  'plain-http-html-errors': { release: '2.0', fails: ['TLS-05'], tls: true },
  // a certificate for another host stops every request the kit makes: shown by its own self-test
  // (kit-profiles: "a certificate the kit cannot verify stops the run before any check ... TLS-02 FAILED in the report")
  'cert-wrong-host': { release: '2.0', fails: [], tls: true, gate: true },
  'cert-expired': { release: '1.9', fails: [], tls: true, gate: true },
  // the gateway's certificate alone lapsed: TLS-02 names the gateway's host and the date, once; every probe that
  // needed the gateway points there
  'gateway-cert-expired': {
    release: '1.9',
    fails: ['TLS-02'],
    tls: true,
    changes: skipped([
      'GATEWAY-01',
      'SCOPE-02',
      'DOOR-01',
      'DOOR-02',
      'DOOR-03',
      'DOOR-04',
      'DOOR-05',
      'DOOR-06',
      'DOOR-07',
      'DOOR-08',
    ]),
  },
  // HSTS that turns HSTS off is FAILED; a short one is a WARNING
  'hsts-max-age-0': { release: '1.9', fails: ['TLS-06'], changes: { 'TLS-04': 'SKIPPED' }, tls: true },
  'hsts-short': { release: '2.0', fails: [], changes: { 'TLS-04': 'WARNING' }, tls: true },
  'rotation-keeps-old-secret': { release: '1.9', fails: ['CLIENT-ROTATE-01'], lifecycle: true },
  // the retired test clients were deleted too, so a deleted client still served breaks both
  'deleted-client-served': { release: '2.0', fails: ['CLIENT-DELETE-01', 'CLIENT-RETIRED-01'], lifecycle: true },
  'reenabled-still-refused': { release: '1.8', fails: ['CLIENT-REENABLE-01'], lifecycle: true },
  // v2.0 as integrators are told to configure it: the gateway only. Without the Helm ingress the proxy's
  // cache-control: no-cache reaches clients, which the official installation fixes: FAILED in every mode
  'no-ingress-headers': {
    release: '2.0',
    gatewayOnly: true,
    fails: ['TOKEN-RESP-03'],
    changes: { 'TOKEN-RESP-04': 'WARNING' },
  },
  // the events service down: said once, by GATEWAY-01, naming it; no scope or door check claims a defect
  'events-down': { release: '2.0', gatewayOnly: true, fails: ['GATEWAY-01'], changes: serviceDown },
  // the 2.1 preview outside production: the query-string refusal is the release's, a named WARNING (not a fault of
  // the deployment; it sits here so the matrix shows the one verdict it changes)
  'node-env-development': { release: '2.1', gatewayOnly: true, fails: [], changes: { 'TOKEN-FMT-01': 'WARNING' } },
  // integration clients: v1.9 as officially installed routes auth.<domain>, so OpenFn's adaptor failing there is the
  // deployment's; v2.0 left it behind (REVIEW), and the documented edge fix brings it back; a body parser that
  // refuses the JSON content type most clients send with an empty body breaks them
  'auth-host-not-routed': { release: '1.9', fails: ['CLIENTS-01'] },
  // issue 31: auth.<domain> down for maintenance (503): the clients that call it are judged on that answer, the
  // others keep theirs (a 503 is no rate limit that stops the replay)
  'auth-host-maintenance': { release: '1.9', fails: ['CLIENTS-01'] },
  'auth-host-to-gateway': { release: '2.0', fails: [], changes: { 'CLIENTS-01': 'PASSED' } },
  'empty-json-body-400': { release: '2.0', fails: ['CLIENTS-01'] },
  // issue 31 case 8: v2.0 left auth.<domain> clients behind whatever the edge answers for it (the gateway's own JSON
  // 404 here): the same REVIEW as the release as installed, never the deployment's FAILED
  'auth-host-to-gateway-root': { release: '2.0', fails: [] },
  // a valid token with 3 000 audiences and scopes: its own self-test (hostile.test.ts) holds the output to a bound
  'huge-claim-arrays': { release: '2.0', fails: [], gate: true },
  // a token-endpoint fault seen through the v1.9 gateway's proxy
  'wrong-secret-accepted (through the v1.9 gateway)': {
    fault: 'wrong-secret-accepted',
    release: '1.9',
    gatewayOnly: true,
    fails: ['TOKEN-AUTH-02', 'TOKEN-AUTH-05'],
  },
}

/** Requirements no fault turns FAILED, and the self-test that shows them leaving PASSED, or why none can. */
export const NON_FAILING_SCENARIOS: Record<string, string> = {
  'PROFILE-01':
    'kit-profiles: a declared release the deployment contradicts is said first, PROFILE-01 REVIEW naming it, the findings point at it',
  'TOKEN-CRED-01': 'kit-profiles: a configured client whose valid credentials are refused is FAILED, naming it',
  'JWT-HDR-03': 'informational only: it reports kid and at+jwt typing, which no release uses, and never grades them',
  'TOKEN-FMT-05':
    'informational only: reports which source wins when body and query disagree (body in v2.0, query in v1.x)',
  'TOKEN-RESP-06':
    'informational only: reports the scope member, which RFC 6749 requires only when the grant differs from the request',
  'TOKEN-METHOD-02': 'informational only: reports OPTIONS/CORS on the token route',
  'TOKEN-ERR-03':
    'shown by the v1.3-v1.6 emulator, whose descriptions keep to the charset (PASSED), against v1.7+ (WARNING)',
}

/** Every violation( and deviation( call in the spec files, as file:line. */
export function violationSites(): string[] {
  const dir = fileURLToPath(new URL('../specs/', import.meta.url))
  return readdirSync(dir)
    .filter((f) => f.endsWith('.spec.ts'))
    .flatMap((f) =>
      readFileSync(dir + f, 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          /\b(violation|deviation)\(/.test(line) && !/^\s*(import|\/\/|\*)/.test(line) ? [`specs/${f}:${i + 1}`] : [],
        ),
    )
}

export const MATRIX_HEADER = [
  '| fault | release | identified as | must fail | failed | other verdicts changed | requests (without the fault) |',
  '|---|---|---|---|---|---|---|',
]
