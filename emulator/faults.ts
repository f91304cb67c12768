/**
 * Named faults: each turns exactly one behaviour of a correctly installed deployment wrong, so the self-tests
 * can show that the check for that behaviour fails. Grouped by the room of the emulator where each acts (`room`):
 * that file reads it, in one place. `releases` limits a fault to the lines where it makes sense. Which requirement
 * each must turn FAILED is the fault matrix's (selftest/fault-matrix.ts), so the emulator knows nothing of the checks.
 *
 * Adding a fault: an entry here, in its room's group; the behaviour in that room; a row in the fault matrix.
 */
export interface FaultInfo {
  description: string
  releases?: string[]
  /**
   * Where the demo (`npm run conformance` with CONFORMANCE_EMULATOR_FAULTS) shows the fault, when the default does
   * not: a release whose topology lets it through (OPENCRVS_VERSION), or the lifecycle an administrator runs, which
   * the emulator then seeds itself. `npm run emulator -- --help` prints it (demoOf).
   */
  demo?: { release?: string; lifecycle?: boolean; slow?: boolean }
  /** The emulator file where the fault acts. */
  room: string
}

type Entries = Record<string, Omit<FaultInfo, 'room'>>
const inRoom = (room: string, entries: Entries): Record<string, FaultInfo> =>
  Object.fromEntries(Object.entries(entries).map(([name, f]) => [name, { ...f, room }]))

export const FAULTS: Record<string, FaultInfo> = {
  // tokens.ts: what the auth service mints and answers: token header and claims, the success body and its headers, OAuth error bodies
  ...inRoom('tokens.ts', {
    'no-cache-control': {
      demo: { release: '1.9' },
      description:
        'token responses lose Cache-Control: no-store (hapi then sends no-cache), as behind an unfixed gateway proxy',
    },
    'cache-control-contradiction': {
      demo: { release: '1.8' },
      description: 'a proxy adds public, max-age=3600 beside no-store on token responses',
    },
    'content-type-octet-stream': {
      demo: { release: '1.8' },
      description: 'token responses are served as application/octet-stream instead of JSON',
    },
    'no-token-type': { description: 'the success body has no token_type member' },
    'alg-none': { description: 'tokens are unsigned: header alg "none", empty signature' },
    'alg-hs256': {
      demo: { release: '1.9' },
      description: 'tokens are HS256-signed with the public key PEM as the HMAC secret (algorithm confusion)',
    },
    'typ-missing': { demo: { release: '1.8' }, description: 'the token header has no typ' },
    'iss-docs-style': {
      demo: { release: '1.9' },
      description: 'iss is "opencrvs.auth", as in the docs example, instead of "opencrvs:auth-service"',
    },
    'aud-missing-gateway': { description: 'aud lacks opencrvs:gateway-user' },
    'sub-per-token': { demo: { release: '1.8' }, description: 'sub is a new random value in every token' },
    'iat-milliseconds': { description: 'iat and exp are in milliseconds' },
    'clock-ahead': { demo: { release: '1.6' }, description: 'iat and exp are 5 minutes ahead of the server clock' },
    'lifetime-3600': { demo: { release: '1.8' }, description: 'tokens live 3600 s instead of 600 s' },
    'docs-example-claims': {
      description: 'tokens carry the docs example claims: iss "opencrvs.auth", aud ["opencrvs.auth"]',
    },
    'pragma-no-cache': {
      demo: { release: '1.9' },
      description: 'token responses also carry Pragma: no-cache (as behind the v2 Helm ingress)',
    },
    'expires-in': { demo: { release: '1.8' }, description: 'the success body also carries expires_in' },
    'expires-in-86400': { description: 'the success body says expires_in 86400 while the token lives 600 s' },
    'www-authenticate': { demo: { release: '1.9' }, description: '401 responses carry WWW-Authenticate' },
    'error-content-type-html': { demo: { release: '1.8' }, description: 'OAuth error bodies are served as text/html' },
    'error-uri-valid': { description: 'error_uri is a valid URI' },
    // issue 35
    'nbf-ahead': {
      demo: { release: '1.9' },
      description: 'tokens carry nbf an hour after iat (the gateway refuses them until then)',
    },
    'huge-claim-arrays': {
      description:
        'tokens carry 3 000 more audiences and 3 000 more scopes (about 100 kB), valid and signed all the same',
    },
  }),
  // token-route.ts: how POST /token reads its parameters and answers each grant and client
  ...inRoom('token-route.ts', {
    'opaque-token': { demo: { release: '1.6' }, description: 'access_token is an opaque random string, not a JWT' },
    'json-body-ignored': {
      description: 'a JSON request body is ignored (parameters read from the query only)',
      releases: ['2.0'],
    },
    'form-body-ignored': {
      description: 'a form request body is ignored (parameters read from the query only)',
      releases: ['2.0'],
    },
    'query-ignored': { description: 'parameters in the query string are ignored (body only)', releases: ['2.0'] },
    'scope-extra': { demo: { release: '1.9' }, description: 'notification clients also get the record-search scope' },
    'usertype-missing': {
      demo: { release: '1.9' },
      description: 'the userType claim is not sent',
      releases: ['1.9', '2.0'],
    },
    // issue 35: one client type's token alone breaks a claim rule
    'search-usertype-user': {
      demo: { release: '1.9' },
      description: 'record-search clients\' tokens say userType "user"',
      releases: ['1.9', '2.0'],
    },
    // issue 31 case 6, issue 35 case 3: the notification client's scopes in another line's format, which must not
    // choose the release they are graded against
    'notification-lacks-record-scopes': {
      description:
        "v1.9: the notification client lacks record.create / record.notify (its scopes look like v1.7-v1.8's)",
      releases: ['1.9'],
    },
    'notification-declare-scope': {
      demo: { release: '1.8' },
      description: "v1.8: the notification client also carries declare (its scopes look like v1.3-v1.6's)",
      releases: ['1.7'],
    },
    'notification-without-declare': {
      demo: { release: '1.6' },
      description: "v1.6: the notification client lacks declare (its scopes look like v1.7-v1.8's)",
      releases: ['1.3'],
    },
    'secret-in-claims': { description: 'tokens carry the client secret in a client_secret claim' },
    'token-reuse': { description: 'the same token is returned again for a repeated request (cached per client)' },
    'docs-scope-names': { description: 'the notification client\'s scope is the docs\' "health"' },
    'duplicate-grant-type-last-wins': {
      demo: { release: '1.9' },
      description: 'a repeated grant_type is read as its last value, so the docs URL issues a token',
    },
    'duplicate-client-id-first-wins': { description: 'a repeated client_id is read as its first value' },
    'grant-type-case-insensitive': {
      demo: { release: '1.9' },
      description: 'grant_type is compared case-insensitively and trimmed',
    },
    'missing-grant-type-invalid-request': {
      demo: { release: '1.9' },
      description: "a missing grant_type gets invalid_request (the RFC's code) instead of the release's",
      releases: ['1.7', '1.8', '1.9', '2.0'],
    },
    'any-grant-type': { description: 'any grant_type value issues a client-credentials token' },
    'token-exchange-open': {
      demo: { release: '1.9' },
      description: 'the token-exchange grant issues a token without a subject token',
      releases: ['1.7', '1.8', '1.9', '2.0'],
    },
    'missing-secret-accepted': {
      demo: { release: '1.8' },
      description: 'a request with a client_id and no client_secret issues a token',
    },
    'unknown-client-400': {
      demo: { release: '1.8' },
      description: 'an unknown client_id gets 400 invalid_request instead of 401 invalid_client',
    },
    'unknown-client-distinct-body': {
      demo: { release: '1.9' },
      description: 'an unknown client_id gets a different error description than a wrong secret',
    },
    'deactivated-accepted': { description: 'deactivated clients still get tokens' },
    'echo-secret': {
      demo: { release: '1.9' },
      description: 'invalid_client error descriptions echo the submitted client_secret',
    },
    // issue 31: a fragment of a secret is a secret
    'echo-secret-half': {
      description: 'invalid_client error descriptions echo the first half of the submitted client_secret',
    },
    // a secret echoed in another form is a secret leaked: the check and the output boundary see through the disguise
    'echo-secret-upper': {
      description: 'invalid_client error descriptions echo the submitted client_secret upper-cased',
    },
    'basic-auth': {
      demo: { release: '1.9' },
      description: 'HTTP Basic client authentication (client_secret_basic) is supported',
    },
    'get-issues-token': { demo: { release: '1.9' }, description: 'GET /token with query parameters issues a token' },
    'search-gets-notification-scopes': {
      demo: { release: '1.9' },
      description: 'record-search clients also get the event-notification scopes',
    },
    'node-env-development': {
      description:
        '2.1 preview: NODE_ENV is not production, so OAuth parameters in the query string get 400 invalid_request (PR #13626)',
      releases: ['2.1'],
    },
  }),
  // clients.ts: how clients are looked up by secret, and their lifecycle (rotate, deactivate, activate, delete)
  ...inRoom('clients.ts', {
    'wrong-secret-accepted': { description: 'any client_secret is accepted for a known client_id' },
    'secret-case-insensitive': { description: 'client secrets are compared ignoring case' },
    'secret-prefix-match': {
      description:
        'client secrets are compared up to the shorter of the two (a prefix of the secret, or the secret with more after it, is accepted)',
    },
    'rotation-keeps-old-secret': {
      demo: { lifecycle: true },
      description: 'after "Refresh client secret" the old secret still works',
    },
    'deleted-client-served': {
      demo: { lifecycle: true },
      description: 'a deleted client still gets tokens',
    },
    'reenabled-still-refused': {
      demo: { lifecycle: true },
      description: 'a client deactivated and activated again stays refused',
    },
  }),
  // server.ts: the deployment as assembled: signing keys, certificates, what stands in front of the auth service, the services behind the gateway
  ...inRoom('server.ts', {
    'wrong-signing-key': { description: 'tokens are signed with a key other than the one /.well-known publishes' },
    'weak-key-1024': {
      demo: { release: '1.9' },
      description: 'the signing key pair (and the published key) is RSA 1024',
    },
    'tls-legacy': {
      demo: { release: '1.9' },
      description: 'HTTPS mode: the listener completes TLS 1.0 and 1.1 handshakes',
    },
    'cert-expiring': { description: 'HTTPS mode: the server certificate expires in 10 days' },
    'cert-wrong-host': { description: 'HTTPS mode: the server certificate is for another host name' },
    'cert-expired': { description: 'HTTPS mode: the server certificate expired yesterday' },
    'gateway-cert-expired': {
      demo: { release: '1.9' },
      description: "HTTPS mode: the gateway's certificate expired yesterday; the auth service's is valid",
    },
    'gateway-other-key': {
      description:
        'the gateway verifies tokens with another key than auth signs with (a key rotated on auth only): every valid token is refused with 401',
    },
    'events-down': {
      description: 'the events service behind the gateway is not running (the gateway answers 502)',
      releases: ['2.0'],
    },
    'empty-json-body-400': {
      description:
        'a body parser in front of the token route answers 400 to Content-Type: application/json with an empty body (the content type most clients send with credentials in the query)',
    },
  }),
  // front.ts: plain HTTP on the HTTPS port
  ...inRoom('front.ts', {
    'plain-http-token-endpoint': {
      demo: { release: '1.8' },
      description: 'HTTPS mode: plain HTTP on the same port reaches the token endpoint',
    },
    'plain-http-html-errors': {
      demo: { release: '1.9' },
      description:
        'HTTPS mode: plain HTTP reaches the token endpoint through an edge that replaces error bodies with HTML pages (nginx error_page)',
    },
  }),
  // gateway.ts: the gateway: token verification, scope, the headers its edge adds
  ...inRoom('gateway.ts', {
    'gateway-accepts-alg-none': {
      demo: { release: '1.9' },
      description: 'the gateway accepts unsigned tokens (alg "none")',
    },
    'gateway-accepts-hs256': {
      demo: { release: '1.8' },
      description: 'the gateway verifies HS256 tokens with the public key as the HMAC secret',
    },
    'gateway-accepts-hs256-crlf': {
      demo: { release: '1.9' },
      description:
        'the gateway verifies HS256 tokens with the public key, read with CRLF line ends, as the HMAC secret',
    },
    'gateway-skips-signature': {
      demo: { release: '1.8' },
      description: 'the gateway does not verify RS256 signatures',
    },
    'gateway-ignores-audience': { demo: { release: '1.9' }, description: 'the gateway does not check aud' },
    'x-version-newer': {
      demo: { release: '1.9' },
      description:
        'something in front of the gateway sets X-Version: 3.0.0, a release newer than every profile, while everything else is the release it runs',
    },
    'gateway-token-in-query': {
      demo: { release: '1.9' },
      description: 'the gateway accepts a token in ?access_token=',
    },
    'gateway-bearer-case-sensitive': {
      demo: { release: '1.9' },
      description: 'the gateway accepts only "Bearer", not "bearer"',
    },
    'gateway-allows-anonymous': {
      demo: { release: '1.8' },
      description: 'the gateway lets requests with no token through to the scope check (403, not 401)',
    },
    'gateway-malformed-token-500': { description: 'the gateway answers a malformed bearer token with 500' },
    'no-hsts': {
      demo: { release: '1.9' },
      description: 'HTTPS mode: no Strict-Transport-Security header (as without the Helm ingress)',
    },
    'hsts-max-age-0': {
      demo: { release: '1.9' },
      description: 'HTTPS mode: Strict-Transport-Security: max-age=0, which tells browsers to forget HSTS for the host',
    },
    'hsts-short': { description: 'HTTPS mode: Strict-Transport-Security with a max-age of one day' },
    'gateway-accepts-expired': {
      demo: { release: '1.9', slow: true },
      description: 'the gateway accepts tokens past exp',
    },
    // issue 31: the gateway's routes behind a maintenance page (a service unavailable, not a rate limit)
    'gateway-maintenance-page': {
      demo: { release: '1.9' },
      description:
        "the gateway's routes (all but its /auth/token proxy) answer 503 with Retry-After: 120 and an HTML maintenance page",
    },
    // issue 31: one client type's valid token refused on its own route, the other route answering
    'gateway-refuses-notification-create': {
      description:
        "the gateway refuses the event-notification client's valid tokens with 401 on the create route (POST /events/events); the search route answers",
      releases: ['2.0'],
    },
    'gateway-refuses-search-route': {
      description:
        "the gateway refuses the record-search client's valid tokens with 401 on the search route (POST /events/events/search); the create route answers",
      releases: ['2.0'],
    },
    'gateway-forbids-notification': {
      demo: { release: '1.9' },
      description:
        "v1.x: the gateway answers 403 Insufficient scope to the event-notification client's valid token on its own route (POST /notification)",
      releases: ['1.9'],
    },
    'no-ingress-headers': {
      description:
        'the raw gateway: no Helm ingress headers (Cache-Control: no-store, Pragma, X-Robots-Tag) on its answers',
      releases: ['2.0'],
    },
  }),
  // events.ts: the v2.0 events service behind the gateway
  ...inRoom('events.ts', {
    'gateway-ignores-scope': { description: 'the gateway (v1.x) or the events service (v2.0) skips the scope check' },
    'events-forbids-notification-create': {
      description:
        "the events service answers 403 FORBIDDEN to the event-notification client's valid token on create (POST /events), as if its record.create scope were not enough",
      releases: ['2.0'],
    },
  }),
  // edge.ts: the edge serving the deployment's host names (auth.<domain>)
  ...inRoom('edge.ts', {
    'auth-host-not-routed': {
      demo: { release: '1.9' },
      description:
        'the edge has no router for auth.<domain> (Traefik answers 404 page not found): clients that call it get no token',
      releases: ['1.3', '1.7', '1.9'],
    },
    // issue 31: a 503 at auth.<domain> is that host's answer to each client, not a rate limit that stops the replay
    'auth-host-maintenance': {
      description:
        'auth.<domain> answers 503 with Retry-After: 120 and an HTML maintenance page (clients that call it get no token)',
      releases: ['1.9'],
    },
    'auth-host-to-gateway': {
      description: "v2.0 with the documented fix: the edge routes auth.<domain>/token to the gateway's /auth/token",
      releases: ['2.0'],
    },
    // issue 31 case 8
    'auth-host-to-gateway-root': {
      description:
        'v2.0: the edge routes auth.<domain> to the gateway with the path as it came (the gateway answers /token with its own JSON 404)',
      releases: ['2.0'],
    },
  }),
}

/** The demo configuration that shows a fault: its release (2.0 unless the fault says or excludes it) and lifecycle. */
export function demoOf(name: string): { release: string; lifecycle: boolean; slow: boolean } {
  const f = FAULTS[name]
  const release = f?.demo?.release ?? (f?.releases && !f.releases.includes('2.0') ? f.releases[0]! : '2.0')
  return { release, lifecycle: f?.demo?.lifecycle ?? false, slow: f?.demo?.slow ?? false }
}

/** How --help and the demo name that configuration. */
export function demoCommand(name: string): string {
  const d = demoOf(name)
  const slow = d.slow ? 'CONFORMANCE_SLOW=true ' : ''
  const note = d.lifecycle ? ' (the emulator seeds the lifecycle clients)' : d.slow ? ' (waits about 11 minutes)' : ''
  return `${slow}OPENCRVS_VERSION=${d.release} CONFORMANCE_EMULATOR_FAULTS=${name} npm run conformance${note}`
}

/** `line` is the release line ('2.0' for 2.1 too); `minor` the release itself ('2.1'). */
export function validateFaults(names: string[], line: string, minor = line): void {
  for (const name of names) {
    const f = FAULTS[name]
    if (!f) throw new Error(`Unknown emulator fault "${name}". Known faults: ${Object.keys(FAULTS).join(', ')}`)
    if (f.releases && !f.releases.includes(line) && !f.releases.includes(minor))
      throw new Error(`Fault "${name}" applies to release line ${f.releases.join(', ')} only, not ${minor}`)
  }
}
