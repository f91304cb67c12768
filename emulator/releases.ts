/**
 * How each OpenCRVS auth release line behaves, written from the recorded transcripts
 * (../shared/reference/real-auth-transcripts.md) and the source reading (opencrvs-token-contract.md).
 * Deliberately independent of the kit's src/profiles: the transcript replay checks this file, and a
 * profile test checks the kit's data, so one mistake cannot hide on both sides.
 */
export type Line = '1.3' | '1.7' | '1.9' | '2.0'

export function minorOf(release: string): string {
  const m = /^v?(\d+)\.(\d+)/.exec(release)
  return m ? `${m[1]}.${m[2]}` : release
}

/** The release line; 2.1 (a preview: what is merged on develop after v2.0.0) is the 2.0 line with its changes. */
export function lineOf(release: string): Line {
  const minor = minorOf(release)
  if (['1.3', '1.4', '1.5', '1.6'].includes(minor)) return '1.3'
  if (['1.7', '1.8'].includes(minor)) return '1.7'
  if (minor === '1.9') return '1.9'
  if (minor === '2.0' || minor === '2.1') return '2.0'
  throw new Error(`The emulator has no release ${release}; use 1.3-1.6, 1.7, 1.8, 1.9, 2.0 or 2.1 (a preview)`)
}

/**
 * The 2.1 preview, from ../shared/reference/opencrvs-after-v2.0.md (merged on develop after v2.0.0, no tag yet):
 * the token-exchange grant is removed (PR #13644: 400 unsupported_grant_type), and where NODE_ENV is not
 * production any OAuth parameter in the query string gets 400 invalid_request naming them (PR #13626).
 */
export const QUERY_TOKEN_PARAMS = [
  'grant_type',
  'client_id',
  'client_secret',
  'subject_token',
  'subject_token_type',
  'requested_token_type',
  'event_id',
  'action_id',
]

export const ERROR_URI = 'Refer to https://documentation.opencrvs.org/technology/interoperability/authenticate-a-client'
export const TOKEN_EXCHANGE = 'urn:opencrvs:oauth:grant-type:token-exchange'

/** system/handler.ts (v1.3-v1.6) and oauthToken/responses.ts (v1.7+). */
export function descriptions(line: Line) {
  if (line === '1.3') {
    return {
      invalid_request:
        'Invalid request. Check that all required parameters (client_id, client_secret and grant_type) have been provided.',
      unsupported_grant_type: 'Invalid grant type. Only client_credentials is supported.',
      invalid_client: 'Invalid client id or secret',
    }
  }
  return {
    invalid_request: 'Invalid request. Check that all required parameters have been provided.',
    unsupported_grant_type:
      'Invalid or undefined grant type. Only "client_credentials" or "urn:opencrvs:oauth:grant-type:token-exchange" are supported.',
    invalid_client: 'Invalid client id or secret',
  }
}

const WEB_USER_JWT_AUDIENCES = [
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

export function audienceFor(line: Line, scopes: string[]): string[] {
  if (line === '2.0') {
    return [
      'opencrvs:auth-user',
      'opencrvs:user-mgnt-user',
      'opencrvs:gateway-user',
      'opencrvs:events-user',
      'opencrvs:countryconfig-user',
      'opencrvs:documents-user',
    ]
  }
  const extras: Array<[string, string]> =
    line === '1.3'
      ? [
          ['notification-api', 'opencrvs:notification-api-user'],
          ['validator-api', 'opencrvs:validator-api-user'],
          ['age-verification-api', 'opencrvs:age-verification-user'],
          ['nationalId', 'opencrvs:nationalId-api-user'],
        ]
      : [['notification-api', 'opencrvs:notification-api-user']]
  const extra = extras.find(([scope]) => scopes.includes(scope))
  return extra ? [...WEB_USER_JWT_AUDIENCES, extra[1]] : [...WEB_USER_JWT_AUDIENCES]
}

export type SystemType = 'HEALTH' | 'RECORD_SEARCH' | 'NATIONAL_ID' | 'WEBHOOK' | 'IMPORT_EXPORT' | 'REINDEX'

/** Scopes a newly created client of a type gets (user-mgnt userUtils/scopes.ts; v2 useIntegrations.ts). */
export function scopesFor(line: Line, type: SystemType, events: string[]): string[] {
  const v19 = events.join('|')
  const v20 = events.join(',')
  const table: Record<Line, Partial<Record<SystemType, string[]>>> = {
    '1.3': {
      HEALTH: ['declare', 'notification-api'],
      RECORD_SEARCH: ['recordsearch'],
      NATIONAL_ID: ['nationalId'],
      WEBHOOK: ['webhook'],
    },
    '1.7': {
      HEALTH: ['notification-api'],
      RECORD_SEARCH: ['recordsearch'],
      NATIONAL_ID: ['nationalId'],
      WEBHOOK: ['webhook'],
    },
    '1.9': {
      HEALTH: ['notification-api', `record.create[event=${v19}]`, `record.notify[event=${v19}]`],
      RECORD_SEARCH: ['recordsearch'],
      NATIONAL_ID: ['nationalId'],
      WEBHOOK: ['webhook'],
      IMPORT_EXPORT: ['record.import', 'record.export', 'recordsearch', 'user.data-seeding', 'record.reindex'],
      REINDEX: ['record.reindex'],
    },
    '2.0': {
      HEALTH: [`type=record.create&event=${v20}`, `type=record.notify&event=${v20}`],
      RECORD_SEARCH: [`type=record.search&event=${v20}`],
    },
  }
  const scopes = table[line][type]
  if (!scopes) throw new Error(`Release line ${line} has no client type ${type}`)
  return scopes
}

/** v2.0 client-credentials.ts rewrites exact legacy scope strings to the new form at token time. */
export function convertLegacyScopes(scopes: string[]): string[] {
  return scopes.map((s) => (/^record\.(notify|search|read|create|import)$/.test(s) ? `type=${s}` : s))
}
