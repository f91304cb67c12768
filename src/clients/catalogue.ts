/**
 * The known integration clients of the token endpoint, as data: who they are, where their code says it, and exactly
 * what each sends and how it reads the answer. Source: ../shared/reference/integration-clients.md (read from each
 * client's public source; "checked" where the request bytes were captured from the client's own code).
 * The kit replays each request as the client sends it, with dummy credentials (fixtures/clients.ts), and
 * judges whether it gets a token here (CLIENTS-01).
 */
import type { RecordedFile } from './recorded-file.ts'

/** Where a client sends its token request. */
export type ClientHost =
  /** https://auth.<domain>/token, built from the deployment's domain. */
  | 'auth'
  /** https://gateway.<domain>/auth/token. */
  | 'gateway'

/** Where the client puts client_id, client_secret and grant_type ('mixed', 'basic': recorded clients only). */
export type ParamPlace = 'query' | 'json' | 'form' | 'query+json' | 'basic' | 'mixed'

export interface KnownClient {
  id: string
  name: string
  versions: string
  /** repository@ref:path:lines */
  source: string
  /**
   * The hosts it calls. Two when the host is the client's own setting (`setting` names it): the replay tries both and
   * says which value of the setting gets a token.
   */
  hosts: ClientHost[]
  setting?: { name: string; gateway: string; auth: string }
  method: 'POST'
  params: ParamPlace
  /** Parameter order in the query string, as the client writes it. */
  order: Array<'client_id' | 'client_secret' | 'grant_type'>
  /** The docs' example: grant_type twice, empty then client_credentials. */
  duplicateGrant?: true
  /** Request headers that matter, as sent (an empty body is sent as Content-Length: 0). */
  headers: Record<string, string>
  /** How it reads the answer. */
  reads: string
  /** Does it follow a redirect? (none of the known clients does) */
  followsRedirects: boolean
  evidence: 'checked' | 'inferred'
  /** A country's own client, recorded as a file: its request is replayed exactly as recorded (src/clients/recorded.ts). */
  recorded?: RecordedFile
}

const QUERY_ORDER = ['client_id', 'client_secret', 'grant_type'] as const
const JSON_NO_BODY = { 'content-type': 'application/json' }

/**
 * A client as most send (the Postman collection's shape): POST, the parameters in the query string in the
 * collection's order, Content-Type: application/json with no body, no redirect followed. Each row says only how it
 * differs.
 */
type Row = Omit<KnownClient, 'method' | 'params' | 'order' | 'headers' | 'followsRedirects'> &
  Partial<Pick<KnownClient, 'params' | 'order' | 'headers'>>
const client = (row: Row): KnownClient => ({
  method: 'POST',
  params: 'query',
  order: [...QUERY_ORDER],
  headers: JSON_NO_BODY,
  followsRedirects: false,
  ...row,
})

export const KNOWN_CLIENTS: KnownClient[] = [
  client({
    id: 'openfn-adaptor',
    name: "OpenFn's OpenCRVS adaptor (@openfn/language-opencrvs)",
    versions: '1.0.0-1.2.2',
    source: 'OpenFn/adaptors@main:packages/opencrvs/src/Utils.js:8-48',
    hosts: ['auth'],
    order: ['grant_type', 'client_secret', 'client_id'],
    headers: { accept: '*/*', 'content-type': 'application/json' },
    reads:
      'parses the body as JSON whatever its content type; throws on any 3xx or 4xx; keeps access_token for the job, no refresh',
    evidence: 'checked',
  }),
  client({
    id: 'postman-v1',
    name: 'OpenCRVS Postman collection, "Authenticate" (v1.x environment: auth=https://auth.<domain>)',
    versions: 'countryconfig/farajaland v1.3-v1.9',
    source: 'opencrvs/opencrvs-farajaland@release/v1.9.0:postman/Event Notification.postman_collection.json',
    hosts: ['auth'],
    reads: 'a test script stores access_token from the JSON body',
    evidence: 'checked',
  }),
  client({
    id: 'postman-v2',
    name: 'OpenCRVS Postman collection, "Authenticate" (v2.0 environment: auth=https://gateway.<domain>/auth)',
    versions: 'farajaland release/v2.0.0',
    source: 'opencrvs/opencrvs-farajaland@release/v2.0.0:postman/Event Notification.postman_environment.json',
    hosts: ['gateway'],
    reads: 'a test script stores access_token from the JSON body',
    evidence: 'checked',
  }),
  client({
    id: 'farajaland-e2e-v1',
    name: 'farajaland e2e getClientToken',
    versions: 'v1.6.3-v1.9.12',
    source: 'opencrvs/opencrvs-farajaland@v1.9.12:e2e/helpers.ts:95-107',
    hosts: ['auth'],
    reads: 'one token per call, access_token from the JSON body',
    evidence: 'inferred',
  }),
  client({
    id: 'farajaland-e2e-v2',
    name: 'farajaland e2e getClientToken (v2.0)',
    versions: 'v2.0',
    source: 'opencrvs/opencrvs-farajaland@release/v2.0.0:e2e/helpers.ts:110-121',
    hosts: ['gateway'],
    reads: 'token ?? access_token from the JSON body',
    evidence: 'inferred',
  }),
  client({
    id: 'farajaland-data-generator',
    name: 'farajaland data generator',
    versions: 'v1.x-v2.0',
    source: 'opencrvs/opencrvs-farajaland@release/v2.0.0:src/data-generator/auth.ts:49-65',
    hosts: ['auth', 'gateway'],
    setting: { name: 'AUTH_HOST', auth: 'https://auth.<domain>', gateway: 'https://gateway.<domain>/auth' },
    headers: { ...JSON_NO_BODY, 'x-correlation-id': 'opencrvs-conformance-replay' },
    reads: 'access_token from the JSON body, refreshed 60 s before exp',
    evidence: 'inferred',
  }),
  client({
    id: 'farajaland-government-portal',
    name: 'farajaland government-portal API system client',
    versions: 'v2.0',
    source: 'opencrvs/opencrvs-farajaland@release/v2.0.0:src/government-portal-api/system-client.ts:134-143',
    hosts: ['gateway'],
    reads: 'access_token from the JSON body, cached until exp - 5 min',
    evidence: 'inferred',
  }),
  client({
    id: 'event-notification-sample',
    name: 'opencrvs/event-notification-integration sample',
    versions: 'main',
    source: 'opencrvs/event-notification-integration@main:src/submit-test-notification.ts:62,79-90',
    hosts: ['auth'],
    reads: 'one token per run, access_token from the JSON body',
    evidence: 'inferred',
  }),
  client({
    id: 'mosip-mediator',
    name: 'opencrvs/mosip-mediator',
    versions: 'main',
    source: 'opencrvs/mosip-mediator@main:packages/api/src/authToken/opencrvsAuthToken.ts:31-47',
    hosts: ['auth', 'gateway'],
    setting: {
      name: 'AUTH_URL',
      auth: 'https://auth.<domain>/',
      gateway:
        'https://gateway.<domain>/auth/ (with the trailing slash: without it new URL("token", AUTH_URL) drops /auth)',
    },
    params: 'query+json',
    reads: 'a fresh token per call, access_token from the JSON body',
    evidence: 'inferred',
  }),
  client({
    id: 'mosip-opencrvs',
    name: 'mosip/mosip-opencrvs RestTokenUtil (develop)',
    versions: 'develop',
    source: 'mosip/mosip-opencrvs@develop:RestTokenUtil.java:92-102',
    hosts: ['auth', 'gateway'],
    setting: {
      name: 'the OpenCRVS auth URL of its configuration',
      auth: 'https://auth.<domain>/token',
      gateway: 'https://gateway.<domain>/auth/token',
    },
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    reads: 'a new token per use, access_token from the JSON body',
    evidence: 'inferred',
  }),
  client({
    id: 'mosip-opencrvs-json',
    name: 'mosip/mosip-opencrvs RestTokenUtil (branch MOSIP-31735, JSON body only)',
    versions: 'MOSIP-31735',
    source: 'mosip/mosip-opencrvs@MOSIP-31735:RestTokenUtil.java:93-106',
    hosts: ['auth', 'gateway'],
    setting: {
      name: 'the OpenCRVS auth URL of its configuration',
      auth: 'https://auth.<domain>/token',
      gateway: 'https://gateway.<domain>/auth/token',
    },
    params: 'json',
    reads: 'access_token from the JSON body',
    evidence: 'inferred',
  }),
  client({
    id: 'docs-v1-example',
    name: 'OpenCRVS docs example (v1.3-v1.9)',
    versions: 'docs v1.3-v1.9',
    source: 'documentation.opencrvs.org: technology/interoperability/authenticate-a-client',
    hosts: ['auth'],
    duplicateGrant: true,
    headers: {},
    reads: '-',
    evidence: 'checked',
  }),
  client({
    id: 'docs-v2-example',
    name: 'OpenCRVS docs example (v2.0)',
    versions: 'docs v2.0',
    source: 'documentation.opencrvs.org (v2.0): authenticate a client',
    hosts: ['gateway'],
    params: 'json',
    reads: '-',
    evidence: 'inferred',
  }),
]

export const KNOWN_CLIENT_IDS = KNOWN_CLIENTS.map((c) => c.id)
