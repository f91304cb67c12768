/**
 * Release profiles: what each OpenCRVS release line really offers at its client-credentials token endpoint.
 * Source: ../shared/reference/opencrvs-token-contract.md (sections 0a, 0b, 2, 4, 5, 7) and the recorded
 * transcripts of v1.8.3, v1.9.15 and v2.0.0 (real-auth-transcripts.md). This file is data only: the checks
 * read it, and selftest/unit/profiles.test.ts holds it against the transcripts.
 */
import { nextStep } from './upgrades.ts'

/** Client types, named as the kit's .env names them (OPENCRVS_<TYPE>_CLIENT_ID); OpenCRVS's own name in `opencrvsType`. */
export const CLIENT_TYPES = {
  NOTIFICATION: { opencrvsType: 'HEALTH', label: 'event notification' },
  SEARCH: { opencrvsType: 'RECORD_SEARCH', label: 'record search' },
  WEBHOOK: { opencrvsType: 'WEBHOOK', label: 'webhook' },
  NATIONAL_ID: { opencrvsType: 'NATIONAL_ID', label: 'national ID' },
  IMPORT_EXPORT: { opencrvsType: 'IMPORT_EXPORT', label: 'import/export' },
  REINDEX: { opencrvsType: 'REINDEX', label: 'reindex' },
} as const
export type ClientType = keyof typeof CLIENT_TYPES

export type ProfileId = '1.3' | '1.7' | '1.9' | '2.0' | '2.1'
/** The release lines, oldest first: what came before a line, and what comes after it. */
export const RELEASE_ORDER: ProfileId[] = ['1.3', '1.7', '1.9', '2.0', '2.1']
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'unauthorized_client'

export interface ScopeProbe {
  method: 'POST'
  path: string
  body: string
  wrongClient: ClientType
  rightClient: ClientType
  refusedStatus: number
  controlStatus: number
  /** What answers the route behind the gateway, for a verdict naming it. */
  service: string
}

/**
 * What the gateway's /auth/token proxy does to every answer, and what the release's official installation puts
 * back at its edge. Checks that read a header of a token-endpoint answer through the gateway consult this, in
 * one place (src/profiles/proxy.ts): a header value the proxy imposes and nothing official restores is the
 * release's own deviation, not the deployment's.
 */
export interface GatewayProxy {
  /** Header values the proxy puts on every answer (h2o2 without passThrough: hapi's defaults for a stream). */
  imposes: Record<string, string>
  /** Headers the official installation sets right again at the edge (v2: the Helm chart's Traefik middleware). */
  restoredByOfficialEdge: string[]
  /** Where the release's own fix lives, for the verdict's fix text. */
  officialEdge: string
}

export interface Profile {
  id: ProfileId
  /** Human name of the line, e.g. "v1.7-v1.8". */
  label: string
  /** Minor releases in the line, as OPENCRVS_VERSION may name them. */
  releases: string[]
  routes: {
    /** Token route on the auth service (OPENCRVS_AUTH_URL). */
    authToken: string
    /**
     * Does the official installation publish the auth service on its own auth.<domain> host? v1.x: yes (countryconfig
     * docker-compose.deploy.yml routes Host(auth.{{hostname}})); v2.0: no (the Helm chart has no ingress for auth, the
     * docker deployment sets traefik.enable=false: integration-clients.md §2).
     */
    publicAuthHost: boolean
    /** Token route on the gateway (OPENCRVS_GATEWAY_URL), or null where the gateway has none that works. */
    gatewayToken: string | null
    /** What the gateway's token proxy does to answers, where it has one. */
    gatewayProxy: GatewayProxy | null
    /** Public key route on the auth service: PEM text, not JWKS. */
    publicKey: string
  }
  /** Where the token endpoint reads client_id, client_secret and grant_type. */
  requestFormats: { query: boolean; json: boolean; form: boolean }
  /**
   * How the release treats OAuth parameters in the query string beyond reading them: 'refused outside production'
   * (v2.1: 400 invalid_request naming them where NODE_ENV is not production; read, with a log line, in production).
   */
  queryDeprecation?: 'refused outside production'
  /** A profile built from merged changes, not a tagged release: what it rests on, and how sure that is. */
  preview?: string
  /** What the next release changes for integrators of this one: the first step of upgrades.ts's path. */
  nextRelease?: { release: string; changes: string[] }
  /** When body and query disagree, which wins (null: the body is ignored). */
  precedence: 'body' | null
  /** The error code each failure case gets, with its status. */
  errors: {
    missingGrantType: OAuthErrorCode
    emptyGrantType: OAuthErrorCode
    unsupportedGrantType: OAuthErrorCode
    missingClientCredential: OAuthErrorCode
    badClient: OAuthErrorCode
  }
  /** Status per error code. */
  errorStatus: Record<OAuthErrorCode, number>
  /** Other grant types the release accepts besides client_credentials. */
  otherGrantTypes: string[]
  jwt: {
    alg: 'RS256'
    typ: 'JWT'
    iss: string
    /** Audience every system token carries. */
    aud: string[]
    /** Extra audience added when a scope is present (first match wins). */
    audByScope: Record<string, string>
    /** v1.x: the system's database id (24 hex); v2.0: the client_id. */
    sub: 'system-id' | 'client-id'
    /** userType claim value, or null when the release sends none. */
    userType: 'system' | null
  }
  /** exp - iat in seconds for client-credentials tokens, per client type where it differs. */
  lifetime: { default: number; byType: Partial<Record<ClientType, number>> }
  /**
   * A read-only call the gateway must authenticate: accepted (answered acceptedStatus, a validation error
   * that writes nothing) while the token is valid, 401 once it has expired.
   */
  protectedRead: {
    method: 'POST'
    path: string
    body: string
    client: ClientType
    acceptedStatus: number
    service: string
    /**
     * When `client` is not configured: another client type whose valid token the gateway accepts here and then
     * refuses for its scope (`status`), so that a 401 still tells a refused token from an accepted one (v1.x: the
     * search token at POST /notification gets 403 Insufficient scope from the gateway's own route scope check).
     */
    scopeRefused?: { client: ClientType; status: number }
  }
  /**
   * Scope probes at the gateway: a request the wrong client type must get `refusedStatus` for before any side
   * effect, and the same request with the right type gets `controlStatus` (a validation error: nothing written),
   * which shows the refusal was the scope check's. A string says why no unambiguous read-only probe exists.
   */
  scopeProbes: {
    notification: ScopeProbe | string
    search: ScopeProbe | string
  }
  /** Where a genuinely signed token for another audience can be had (auth route), or null. */
  otherAudienceTokenRoute: string | null
  /**
   * The scopes a client of each type receives by default. `*` stands for the deployment's event list
   * (e.g. `birth|death` in v1.9, `birth,death` in v2.0), which differs per country.
   */
  defaultScopes: Partial<Record<ClientType, string[]>>
}

const V1_AUDIENCE = [
  'opencrvs:auth-user',
  'opencrvs:user-mgnt-user',
  'opencrvs:hearth-user',
  'opencrvs:gateway-user',
  'opencrvs:notification-user',
  'opencrvs:workflow-user',
  'opencrvs:search-user',
  'opencrvs:metrics-user',
  'opencrvs:countryconfig-user',
  'opencrvs:webhooks-user',
  'opencrvs:config-user',
  'opencrvs:documents-user',
]

const V2_AUDIENCE = [
  'opencrvs:auth-user',
  'opencrvs:user-mgnt-user',
  'opencrvs:gateway-user',
  'opencrvs:events-user',
  'opencrvs:countryconfig-user',
  'opencrvs:documents-user',
]

const ISSUER = 'opencrvs:auth-service'
const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  unsupported_grant_type: 400,
  invalid_client: 401,
  unauthorized_client: 401,
}
/** OpenCRVS's token-exchange grant (v1.7 to v2.0; removed after v2.0.0). */
export const TOKEN_EXCHANGE = 'urn:opencrvs:oauth:grant-type:token-exchange'
// real-gateway-transcripts.md finding 6 (v1.9.15, v2.0.0) and contract §1.2: no passThrough, so hapi's stream defaults
const PROXY_IMPOSES = { 'content-type': 'application/octet-stream', 'cache-control': 'no-cache' }
const V1_PROXY: GatewayProxy = {
  imposes: PROXY_IMPOSES,
  restoredByOfficialEdge: [],
  officialEdge:
    'the documented docker-swarm compose defines the Traefik headers middleware but never attaches it to the gateway router',
}
const V2_PROXY: GatewayProxy = {
  imposes: PROXY_IMPOSES,
  restoredByOfficialEdge: ['cache-control', 'pragma'],
  officialEdge:
    "the official v2 Helm chart's Traefik middleware on the gateway (sts-and-basic-response-headers) sets Cache-Control: no-store, Pragma: no-cache, X-Robots-Tag and HSTS, but not Content-Type",
}
const V1_SERVICE = "the gateway's own POST /notification route"
const V2_EVENTS = 'the events service behind the gateway (/events/*)'
// v1.x gateway POST /notification: JWT, then route scope, then Joi validation (400 "resourceType" is required)
const V1_READ = {
  method: 'POST',
  path: '/notification',
  body: '{}',
  client: 'NOTIFICATION',
  acceptedStatus: 400,
  service: V1_SERVICE,
  // real-gateway-transcripts.md: a record-search token at /notification gets 403 "Insufficient scope" (accepted, scope refused)
  scopeRefused: { client: 'SEARCH', status: 403 },
} as const
// v2.0 events POST /events/events: JWT at the gateway, then record.create scope at events, then input parsing (400)
const V2_READ = {
  method: 'POST',
  path: '/events/events',
  body: '{}',
  client: 'NOTIFICATION',
  acceptedStatus: 400,
  service: V2_EVENTS,
} as const
// real-gateway-transcripts.md v1.9.15 (a)/(b): search token 403 Insufficient scope; notification token 400 "resourceType" is required
const V1_SCOPE_PROBES = {
  notification: {
    method: 'POST',
    path: '/notification',
    body: '{}',
    wrongClient: 'SEARCH',
    rightClient: 'NOTIFICATION',
    refusedStatus: 403,
    controlStatus: 400,
    service: V1_SERVICE,
  },
  search:
    'v1.x has no unambiguous read-only probe for record search: GraphQL searchEvents validates its input before any auth (HTTP 200 BAD_USER_INPUT for every caller), ' +
    'a valid query by a search client runs a real search (quota; in v1.3-v1.4 it marks records as downloaded), and a refused caller gets HTTP 200 with UNAUTHENTICATED, ' +
    'which a user-mgnt outage also gives. Check by hand on staging: a notification token must get UNAUTHENTICATED from searchEvents.',
} as const
// real-events-transcripts.md (v2.0.0 events behind the gateway, recorded): 403 FORBIDDEN for the wrong client type
// before any input parsing; 400 for the right one. The search control body is a JSON string, which becomes an object
// with no `query` (400 "Input validation failed"): it can never run a search.
const V2_SCOPE_PROBES = {
  notification: {
    method: 'POST',
    path: '/events/events',
    body: '{}',
    wrongClient: 'SEARCH',
    rightClient: 'NOTIFICATION',
    refusedStatus: 403,
    controlStatus: 400,
    service: V2_EVENTS,
  },
  search: {
    method: 'POST',
    path: '/events/events/search',
    body: '"conformance-kit probe: not a search"',
    wrongClient: 'NOTIFICATION',
    rightClient: 'SEARCH',
    refusedStatus: 403,
    controlStatus: 400,
    service: V2_EVENTS,
  },
} as const
const V17_ERRORS = {
  missingGrantType: 'unsupported_grant_type',
  emptyGrantType: 'unsupported_grant_type',
  unsupportedGrantType: 'unsupported_grant_type',
  missingClientCredential: 'invalid_request',
  badClient: 'invalid_client',
} as const

/** What v2.1 (merged after v2.0.0) changes for integrators of v1.9 and v2.0 (opencrvs-after-v2.0.md §1). */
/** The tagged release lines, read from their source and recorded. */
const RELEASED: Record<Exclude<ProfileId, '2.1'>, Profile> = {
  '1.3': {
    id: '1.3',
    label: 'v1.3-v1.6',
    releases: ['1.3', '1.4', '1.5', '1.6'],
    routes: {
      authToken: '/token',
      publicAuthHost: true,
      gatewayToken: null,
      gatewayProxy: null,
      publicKey: '/.well-known',
    },
    requestFormats: { query: true, json: false, form: false },
    precedence: null,
    errors: {
      missingGrantType: 'invalid_request',
      emptyGrantType: 'invalid_request',
      unsupportedGrantType: 'unsupported_grant_type',
      missingClientCredential: 'invalid_request',
      badClient: 'invalid_client',
    },
    errorStatus: STATUS,
    otherGrantTypes: [],
    jwt: {
      alg: 'RS256',
      typ: 'JWT',
      iss: ISSUER,
      aud: V1_AUDIENCE,
      audByScope: {
        'notification-api': 'opencrvs:notification-api-user',
        'validator-api': 'opencrvs:validator-api-user',
        'age-verification-api': 'opencrvs:age-verification-user',
        nationalId: 'opencrvs:nationalId-api-user',
      },
      sub: 'system-id',
      userType: null,
    },
    lifetime: { default: 600, byType: {} },
    protectedRead: V1_READ,
    scopeProbes: V1_SCOPE_PROBES,
    otherAudienceTokenRoute: '/anonymous-token',
    defaultScopes: {
      NOTIFICATION: ['declare', 'notification-api'],
      SEARCH: ['recordsearch'],
      NATIONAL_ID: ['nationalId'],
      WEBHOOK: ['webhook'],
    },
  },
  '1.7': {
    id: '1.7',
    label: 'v1.7-v1.8',
    releases: ['1.7', '1.8'],
    routes: {
      authToken: '/token',
      publicAuthHost: true,
      gatewayToken: '/auth/token',
      gatewayProxy: V1_PROXY,
      publicKey: '/.well-known',
    },
    requestFormats: { query: true, json: false, form: false },
    precedence: null,
    errors: V17_ERRORS,
    errorStatus: STATUS,
    otherGrantTypes: [TOKEN_EXCHANGE],
    jwt: {
      alg: 'RS256',
      typ: 'JWT',
      iss: ISSUER,
      aud: V1_AUDIENCE,
      audByScope: { 'notification-api': 'opencrvs:notification-api-user' },
      sub: 'system-id',
      userType: null,
    },
    lifetime: { default: 600, byType: {} },
    protectedRead: V1_READ,
    scopeProbes: V1_SCOPE_PROBES,
    otherAudienceTokenRoute: '/anonymous-token',
    defaultScopes: {
      NOTIFICATION: ['notification-api'],
      SEARCH: ['recordsearch'],
      NATIONAL_ID: ['nationalId'],
      WEBHOOK: ['webhook'],
    },
  },
  '1.9': {
    id: '1.9',
    label: 'v1.9',
    releases: ['1.9'],
    nextRelease: nextStep('1.9'),
    routes: {
      authToken: '/token',
      publicAuthHost: true,
      gatewayToken: '/auth/token',
      gatewayProxy: V1_PROXY,
      publicKey: '/.well-known',
    },
    requestFormats: { query: true, json: false, form: false },
    precedence: null,
    errors: V17_ERRORS,
    errorStatus: STATUS,
    otherGrantTypes: [TOKEN_EXCHANGE],
    jwt: {
      alg: 'RS256',
      typ: 'JWT',
      iss: ISSUER,
      aud: V1_AUDIENCE,
      audByScope: { 'notification-api': 'opencrvs:notification-api-user' },
      sub: 'system-id',
      userType: 'system',
    },
    lifetime: { default: 600, byType: { IMPORT_EXPORT: 604800 } },
    protectedRead: V1_READ,
    scopeProbes: V1_SCOPE_PROBES,
    otherAudienceTokenRoute: '/anonymous-token',
    defaultScopes: {
      NOTIFICATION: ['notification-api', 'record.create[event=*]', 'record.notify[event=*]'],
      SEARCH: ['recordsearch'],
      NATIONAL_ID: ['nationalId'],
      WEBHOOK: ['webhook'],
      IMPORT_EXPORT: ['record.import', 'record.export', 'recordsearch', 'user.data-seeding', 'record.reindex'],
      REINDEX: ['record.reindex'],
    },
  },
  '2.0': {
    id: '2.0',
    label: 'v2.0',
    releases: ['2.0'],
    nextRelease: nextStep('2.0'),
    routes: {
      authToken: '/token',
      publicAuthHost: false,
      gatewayToken: '/auth/token',
      gatewayProxy: V2_PROXY,
      publicKey: '/.well-known',
    },
    requestFormats: { query: true, json: true, form: true },
    precedence: 'body',
    errors: V17_ERRORS,
    errorStatus: STATUS,
    otherGrantTypes: [TOKEN_EXCHANGE],
    jwt: {
      alg: 'RS256',
      typ: 'JWT',
      iss: ISSUER,
      aud: V2_AUDIENCE,
      audByScope: {},
      sub: 'client-id',
      userType: 'system',
    },
    lifetime: { default: 600, byType: {} },
    protectedRead: V2_READ,
    scopeProbes: V2_SCOPE_PROBES,
    // v2.0 moved it to /internal/anonymous-token, which an official ingress does not expose
    otherAudienceTokenRoute: null,
    defaultScopes: {
      NOTIFICATION: ['type=record.create&event=*', 'type=record.notify&event=*'],
      SEARCH: ['type=record.search&event=*'],
    },
  },
}

export const PROFILES: Record<ProfileId, Profile> = {
  ...RELEASED,
  // ../shared/reference/opencrvs-after-v2.0.md: merged on develop after v2.0.0, expected to ship as v2.1
  '2.1': {
    ...RELEASED['2.0'],
    id: '2.1',
    label: 'v2.1 (preview)',
    releases: ['2.1'],
    preview:
      'a preview built from changes merged on OpenCRVS develop after v2.0.0, not from a tagged release: the token-exchange grant removed ' +
      '(PR #13644, advisory GHSA-8qc8-4w2g-h9c9) and OAuth parameters in the query string refused where NODE_ENV is not production ' +
      '(PR #13626). Everything else is assumed as in v2.0.0 (opencrvs-after-v2.0.md §6)',
    otherGrantTypes: [],
    queryDeprecation: 'refused outside production',
    nextRelease: nextStep('2.1'),
  },
}

/** Map a release name from OPENCRVS_VERSION ("1.8", "v1.9.15", "2.0.0") to its profile, or null if unknown. */
export function profileForRelease(release: string): Profile | null {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(release.trim())
  if (!m) return null
  const minor = `${m[1]}.${m[2]}`
  return Object.values(PROFILES).find((p) => p.releases.includes(minor)) ?? null
}

/** Every release name OPENCRVS_VERSION accepts, for error messages. */
export function knownReleases(): string[] {
  return Object.values(PROFILES).flatMap((p) => p.releases)
}

/**
 * The order the kit asks for its own tokens in: the body where the release reads it, the query string last. The
 * form body first too where the endpoint was seen to issue a token from it (`readsBody`), whatever the release.
 */
export function tokenFormatOrder(profile: Profile, readsBody = false): Array<'form' | 'json' | 'query'> {
  const f = profile.requestFormats
  return [...(f.form || readsBody ? ['form' as const] : []), ...(f.json ? ['json' as const] : []), 'query']
}

/** The audience a token for these scopes must carry in this profile. */
export function expectedAudience(profile: Profile, scopes: string[]): string[] {
  const extra = Object.entries(profile.jwt.audByScope).find(([scope]) => scopes.includes(scope))
  return extra ? [...profile.jwt.aud, extra[1]] : [...profile.jwt.aud]
}

/** Does a scope string match a profile pattern (`*` = the deployment's event list)? */
export function scopeMatches(pattern: string, scope: string): boolean {
  if (!pattern.includes('*')) return pattern === scope
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.+')}$`,
  )
  return re.test(scope)
}
