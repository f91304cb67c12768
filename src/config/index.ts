/**
 * .env and the environment -> one typed, validated Target. Every bad value is a ConfigError that names the
 * variable, says what was wrong and what to write instead. Nothing here sends a request.
 */
import { X509Certificate } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { holdsPrivateKey, KeyUnavailable, parsePublicKey } from '../jwt/key-text.ts'
import { readBounded, UnsafeFileError } from './bounded-read.ts'
import { ConfigError, ENV_FILE_VAR, makeFolder, value, type Env } from './env.ts'
import { redact, registerSecret } from '../redact/index.ts'
import { closestName, type UnknownName, unknownNames } from './names.ts'
import { parseConnectTo, parseDomain, parseRecordedClients, parseRequiredClients, type Domain } from './integration.ts'
import type { RecordedSet } from '../clients/recorded.ts'
import type { ConnectTo } from '../http/connect-to.ts'
import { REQUIREMENTS } from '../requirements/catalogue.ts'
import { CLIENT_TYPES, type ClientType, type Profile, knownReleases, profileForRelease } from '../profiles/profiles.ts'

export type Mode = 'opencrvs' | 'strict'

export interface ClientCredentials {
  type: ClientType
  id: string
  secret: string
  /** Expected scope set from OPENCRVS_<TYPE>_SCOPES; undefined: the profile's defaults apply. */
  scopes?: string[]
}

/** Credentials whose lifecycle the operator changed in OpenCRVS, for the lifecycle checks. */
export interface Lifecycle {
  rotated?: { id: string; oldSecret: string; secret: string }
  deleted?: { id: string; secret: string }
  reenabled?: { id: string; secret: string; scopes?: string[]; type?: ClientType }
  retired?: { file: string; credentials: Array<{ id: string; secret: string }> }
}

/** A team's acceptance of a known deviation: a FAILED for this requirement becomes WARNING until the date. */
export interface Waiver {
  id: string
  reason: string
  /** Last day the waiver applies, YYYY-MM-DD. */
  until: string
}

export interface Target {
  /** Where the token endpoint is and how the kit found it. */
  tokenUrl: string
  tokenRoute: 'auth' | 'gateway' | 'explicit'
  authUrl?: string
  gatewayUrl?: string
  /** Where the signing key comes from: OPENCRVS_PUBLIC_KEY, else the auth service's /.well-known. */
  publicKey?: { kind: 'file' | 'url'; location: string }
  /** 'auto' or a profile fixed by OPENCRVS_VERSION. */
  version: 'auto' | { release: string; profile: Profile }
  mode: Mode
  allowHttp: boolean
  reportDir: string
  clients: Partial<Record<ClientType, ClientCredentials>>
  deactivated?: { id: string; secret: string }
  /** Seconds of clock leeway for iat/exp checks. */
  leewaySeconds: number
  /** OPENCRVS_TOKEN_LIFETIME_SECONDS: a lifetime the deployment deliberately configured. */
  tokenLifetimeSeconds?: number
  /** CONFORMANCE_SLOW: run the @slow checks (live expiry waits for exp). */
  slow: boolean
  /** From the waivers file (CONFORMANCE_WAIVERS_FILE, default conformance.waivers.json when present). */
  waivers: Waiver[]
  /** CONFORMANCE_MAX_REQUESTS: the most requests a run sends to the target. */
  maxRequests: number
  /** CONFORMANCE_REQUEST_TIMEOUT_SECONDS: one request's deadline, connect, headers and body together. */
  requestTimeoutSeconds: number
  /** CONFORMANCE_MAX_RATE: the most requests a second the kit starts (an edge's known rate limit); unset: no pacing until an edge asks. */
  maxRate?: number
  /** OPENCRVS_CA_FILE: PEM bundle of a private CA to trust, besides the system's (verification is never off). */
  caFile?: string
  lifecycle: Lifecycle
  /** The deployment's domain, for the clients that build auth.<domain> from it (OPENCRVS_DOMAIN, or the URLs). */
  domain?: Domain
  /** CONFORMANCE_REQUIRED_CLIENTS: catalogue clients whose failure to get a token is FAILED. */
  requiredClients: string[]
  /** CONFORMANCE_CLIENTS_DIR: the country's own recorded clients, replayed in CLIENTS-01 beside the known ones. */
  recorded?: RecordedSet
  /** CONFORMANCE_CONNECT_TO: host names the kit connects to at a given address (as curl --connect-to). */
  connectTo: ConnectTo[]
}

/** What to run against: a configured deployment, or the bundled emulator. */
export type Resolved =
  | { kind: 'deployment'; target: Target }
  | {
      kind: 'emulator'
      release: string
      faults: string[]
      mode: Mode
      reportDir: string
      leewaySeconds: number
      slow: boolean
      waivers: Waiver[]
      maxRequests: number
      requestTimeoutSeconds: number
      requiredClients: string[]
      recorded: RecordedSet
    }

export { ConfigError }

const TOKEN_ROUTE_AUTH = '/token'
const TOKEN_ROUTE_GATEWAY = '/auth/token'
const LIFECYCLE_PREFIXES = ['DEACTIVATED', 'ROTATED', 'DELETED', 'REENABLED']

function parseBool(env: Env, name: string, fallback: boolean): boolean {
  const v = value(env, name)
  if (v === undefined) return fallback
  if (/^(true|1|yes)$/i.test(v)) return true
  if (/^(false|0|no)$/i.test(v)) return false
  throw new ConfigError(name, `"${v}" is not a yes/no value`, 'Write true or false.')
}

/** A value as it may be shown: a URL's user:password@ is never echoed, even when the URL does not parse. */
function shown(v: string): string {
  return v.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@\s]*@/i, (_m, scheme: string | undefined) => `${scheme ?? ''}***@`)
}

/** The most bytes a configuration file (retired credentials, waivers, ...) may hold. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024

/** A file a variable names: it must exist and be a readable regular file of bounded size; its text. */
function readConfigFile(name: string, path: string, what: string): string {
  if (!existsSync(path)) throw new ConfigError(name, `no file at "${path}"`, `Give the path of ${what}.`)
  if (statSync(path).isDirectory())
    throw new ConfigError(name, `"${path}" is a directory, not a file`, `Give the path of ${what}.`)
  try {
    return readBounded(path, MAX_CONFIG_FILE_BYTES)
  } catch (e) {
    if (e instanceof UnsafeFileError)
      throw new ConfigError(name, `"${path}" is refused: ${e.message}`, `Give the path of ${what}, a plain file.`)
    throw new ConfigError(
      name,
      `"${path}" cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      `Give the path of ${what}, readable by this user.`,
    )
  }
}

/** A calendar date YYYY-MM-DD that exists (not 2027-02-30, which Date would roll over to 2 March). */
function isCalendarDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false
  const d = new Date(`${v}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v
}

function parseUrl(env: Env, name: string, allowHttp: boolean, example: string): URL | undefined {
  const v = value(env, name)
  if (v === undefined) return undefined
  let url: URL
  try {
    url = new URL(v)
  } catch {
    throw new ConfigError(name, `"${shown(v)}" is not a URL`, `Write an absolute URL such as ${example}.`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(name, `"${url.protocol}" is not an HTTP scheme`, `Write an https:// URL such as ${example}.`)
  }
  if (url.username || url.password) {
    throw new ConfigError(
      name,
      'the URL carries a user name or password',
      'Remove them; client credentials go in OPENCRVS_<TYPE>_CLIENT_ID and _SECRET.',
    )
  }
  if (url.search || url.hash) {
    throw new ConfigError(
      name,
      'the URL has a query string or fragment',
      `Write the bare URL, such as ${example}; the kit adds the parameters itself.`,
    )
  }
  if (url.protocol === 'http:' && !allowHttp) {
    throw new ConfigError(
      name,
      'plain http:// would send client secrets unencrypted',
      'Use https://, or for a local deployment on your own machine set CONFORMANCE_ALLOW_HTTP=true.',
    )
  }
  return url
}

/**
 * A base URL that already holds the route the kit adds (auth: /token, /.well-known; gateway: /auth/token) would be
 * asked at /token/token: a configuration error naming the variable and the base to write, before any request.
 */
function baseUrl(url: URL | undefined, kind: 'auth' | 'gateway'): URL | undefined {
  if (!url) return url
  const path = url.pathname.replace(/\/+$/, '')
  const name = kind === 'auth' ? 'OPENCRVS_AUTH_URL' : 'OPENCRVS_GATEWAY_URL'
  const held = heldRoute(path, kind)
  // the auth service serves at its host's root: /auth alone there is the gateway's route, not a base
  const gatewayRoute = kind === 'auth' && path === '/auth'
  if (!held && !gatewayRoute) return url
  // what to write is itself a base this check accepts: every route the kit adds taken off (/token/token, /auth/token)
  const basePath = baseOf(path, kind)
  const atGateway = kind === 'auth' && basePath === '/auth'
  const base = `${url.origin}${atGateway ? '' : basePath}`
  const route = kind === 'auth' ? '/token (and the key at /.well-known)' : '/auth/token'
  const tokenUrl = atGateway ? `${url.origin}/auth/token` : `${base}${kind === 'auth' ? '/token' : '/auth/token'}`
  throw new ConfigError(
    name,
    gatewayRoute
      ? `"${shown(url.toString())}" ends in /auth, the gateway's route to the auth service; the auth service itself serves /token at its root`
      : `"${shown(url.toString())}" already ends in ${held}: the kit adds ${route} itself, so it would ask ${path}${kind === 'auth' ? '/token' : '/auth/token'}`,
    gatewayRoute || atGateway
      ? `Write the auth service's base with no path, OPENCRVS_AUTH_URL=${url.origin}; if this host is the gateway, write OPENCRVS_GATEWAY_URL=${url.origin} instead (or the whole token URL, OPENCRVS_TOKEN_URL=${tokenUrl}).`
      : `Write the base, ${name}=${base}; or the whole token URL as OPENCRVS_TOKEN_URL=${tokenUrl}.`,
  )
}

/** The route the kit adds that a base URL's path already ends in, if any. */
function heldRoute(path: string, kind: 'auth' | 'gateway'): string | undefined {
  return (kind === 'auth' ? /(\/token|\/\.well-known)$/ : /(\/auth\/token|\/auth|\/token)$/).exec(path)?.[1]
}

/** A path with every route the kit adds taken off its end, as often as it is there. */
function baseOf(path: string, kind: 'auth' | 'gateway'): string {
  let p = path
  for (let held = heldRoute(p, kind); held; held = heldRoute(p, kind)) p = p.slice(0, -held.length).replace(/\/+$/, '')
  return p
}

function stripSlash(u: URL): string {
  return u.toString().replace(/\/+$/, '')
}

function parseInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = value(env, name)
  if (v === undefined) return fallback
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new ConfigError(
      name,
      `"${v}" is not a whole number from ${min} to ${max}`,
      `Write a whole number such as ${fallback}.`,
    )
  }
  return Number(v)
}

function parseClients(env: Env): { clients: Target['clients']; deactivated?: Target['deactivated'] } {
  const clients: Target['clients'] = {}
  const known = Object.keys(CLIENT_TYPES)
  const prefixes = new Set<string>()
  for (const name of Object.keys(env)) {
    const m = /^OPENCRVS_([A-Z0-9_]+?)_CLIENT_(ID|SECRET|SCOPES)$/.exec(name)
    if (m?.[1]) prefixes.add(m[1])
  }
  let deactivated: Target['deactivated']
  for (const prefix of [...prefixes].sort()) {
    const idVar = `OPENCRVS_${prefix}_CLIENT_ID`
    const secretVar = `OPENCRVS_${prefix}_CLIENT_SECRET`
    const scopesVar = `OPENCRVS_${prefix}_CLIENT_SCOPES`
    if (LIFECYCLE_PREFIXES.some((p) => prefix === p || prefix.startsWith(`${p}_`))) {
      if (prefix !== 'DEACTIVATED') continue // lifecycle credentials are read by the lifecycle checks
    } else if (!known.includes(prefix)) throw unknownClientType(idVar, prefix, known)
    const raw = value(env, idVar)
    const id = raw === undefined ? undefined : cleanId(raw) || undefined
    const secret = value(env, secretVar)
    if (secret && !id)
      throw new ConfigError(
        idVar,
        `${secretVar} is set but the client id is missing`,
        `Set ${idVar} to the client id shown with that secret, or remove ${secretVar}.`,
      )
    if (id && !secret)
      throw new ConfigError(
        secretVar,
        `${idVar} is set but its secret is missing`,
        `Set ${secretVar} to the secret OpenCRVS showed when the client was created (or after "Refresh client secret").`,
      )
    const scopesText = value(env, scopesVar)
    if (scopesText && !id)
      throw new ConfigError(
        scopesVar,
        `expected scopes are set but ${idVar} is missing`,
        `Set ${idVar} and ${secretVar}, or remove ${scopesVar}.`,
      )
    if (!id || !secret) continue
    const twin = Object.values(clients).find((c) => c?.id === id)
    if (twin)
      throw new ConfigError(
        idVar,
        `the same client id as OPENCRVS_${twin.type}_CLIENT_ID`,
        'Each client type needs a client of its own: create one of this type in OpenCRVS, or remove these variables.',
      )
    if (prefix === 'DEACTIVATED') {
      if (scopesText)
        throw new ConfigError(
          scopesVar,
          'a deactivated client gets no token, so it has no scopes to check',
          `Remove ${scopesVar}.`,
        )
      deactivated = { id, secret }
      continue
    }
    const scopes = scopesText
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    if (scopesText && (!scopes || scopes.length === 0))
      throw new ConfigError(
        scopesVar,
        'no scope names found',
        'Write the scopes comma-separated, e.g. notification-api,recordsearch.',
      )
    const type = prefix as ClientType
    clients[type] = { type, id, secret, ...(scopes ? { scopes } : {}) }
  }
  return { clients, ...(deactivated ? { deactivated } : {}) }
}

/** OPENCRVS_<TYPE>_CLIENT_ID with a type the kit does not know: the one meant, when it is a slip away. */
function unknownClientType(idVar: string, prefix: string, known: string[]): ConfigError {
  const names = known.map((k) => `OPENCRVS_${k}_CLIENT_ID`)
  const meant = closestName(idVar, names)
  return new ConfigError(
    idVar,
    `"${prefix}" is not a client type the kit knows`,
    `${meant ? `Did you mean ${meant}? ` : ''}Use one of ${names.join(', ')}.`,
  )
}

const MAX_RETIRED = 25

/** All of a group's variables, or none: a partial group names what is missing. */
function group(env: Env, names: string[], what: string): Record<string, string> | undefined {
  const values = Object.fromEntries(names.map((n) => [n, value(env, n)]))
  const set = names.filter((n) => values[n] !== undefined)
  if (!set.length) return undefined
  const missing = names.find((n) => values[n] === undefined)
  if (missing)
    throw new ConfigError(
      missing,
      `${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} set but ${missing} is not`,
      `Set it too (${what}), or unset the others.`,
    )
  return values as Record<string, string>
}

function parseLifecycle(env: Env): Lifecycle {
  const lifecycle: Lifecycle = {}
  const rotated = group(
    env,
    ['OPENCRVS_ROTATED_CLIENT_ID', 'OPENCRVS_ROTATED_CLIENT_OLD_SECRET', 'OPENCRVS_ROTATED_CLIENT_SECRET'],
    'the client id, the secret from before "Refresh client secret", and the new one',
  )
  if (rotated) {
    lifecycle.rotated = {
      id: rotated.OPENCRVS_ROTATED_CLIENT_ID!,
      oldSecret: rotated.OPENCRVS_ROTATED_CLIENT_OLD_SECRET!,
      secret: rotated.OPENCRVS_ROTATED_CLIENT_SECRET!,
    }
    if (lifecycle.rotated.oldSecret === lifecycle.rotated.secret)
      throw new ConfigError(
        'OPENCRVS_ROTATED_CLIENT_OLD_SECRET',
        'it equals the new secret',
        'Put the secret from before the refresh here, and the new one in OPENCRVS_ROTATED_CLIENT_SECRET.',
      )
  }
  const deleted = group(
    env,
    ['OPENCRVS_DELETED_CLIENT_ID', 'OPENCRVS_DELETED_CLIENT_SECRET'],
    'the id and secret of a client you deleted',
  )
  if (deleted)
    lifecycle.deleted = { id: deleted.OPENCRVS_DELETED_CLIENT_ID!, secret: deleted.OPENCRVS_DELETED_CLIENT_SECRET! }
  const reenabled = group(
    env,
    ['OPENCRVS_REENABLED_CLIENT_ID', 'OPENCRVS_REENABLED_CLIENT_SECRET'],
    'the id and secret of a client you deactivated and activated again',
  )
  if (reenabled) {
    const scopes = value(env, 'OPENCRVS_REENABLED_CLIENT_SCOPES')
      ?.split(',')
      .map((x) => x.trim())
      .filter(Boolean)
    const type = value(env, 'OPENCRVS_REENABLED_CLIENT_TYPE')
    if (type !== undefined && !(type in CLIENT_TYPES)) {
      throw new ConfigError(
        'OPENCRVS_REENABLED_CLIENT_TYPE',
        `"${type}" is not a client type`,
        `Write one of ${Object.keys(CLIENT_TYPES).join(', ')} (the kit's names: NOTIFICATION is OpenCRVS's HEALTH, SEARCH its RECORD_SEARCH).`,
      )
    }
    lifecycle.reenabled = {
      id: reenabled.OPENCRVS_REENABLED_CLIENT_ID!,
      secret: reenabled.OPENCRVS_REENABLED_CLIENT_SECRET!,
      ...(scopes?.length ? { scopes } : {}),
      ...(type ? { type: type as ClientType } : {}),
    }
  }
  const retired = parseRetired(env)
  if (retired) lifecycle.retired = retired
  return lifecycle
}

/** OPENCRVS_RETIRED_CREDENTIALS: a file of client_id,client_secret pairs that must all be refused. */
function parseRetired(env: Env): Lifecycle['retired'] {
  const file = value(env, 'OPENCRVS_RETIRED_CREDENTIALS')
  if (!file) return undefined
  const credentials = readConfigFile(
    'OPENCRVS_RETIRED_CREDENTIALS',
    file,
    'a file with one client_id,client_secret pair per line',
  )
    .replace(/^\uFEFF/, '') // a spreadsheet's export may start with a byte order mark
    .split('\n')
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter(({ line }) => line && !line.startsWith('#'))
    .map(({ line, n }) => ({ fields: csvFields(line), n }))
    // a CSV header line (client_id,client_secret) names the columns: it is no credential
    .filter(
      ({ fields }, i) => !(i === 0 && /^client[_ -]?id$/i.test(fields[0] ?? '') && /secret/i.test(fields[1] ?? '')),
    )
    .map(({ fields, n }) => {
      const [id, secret, ...rest] = fields
      if (!id || !secret || rest.length || /["']/.test(id))
        throw new ConfigError(
          'OPENCRVS_RETIRED_CREDENTIALS',
          `${file} line ${n} is not "client_id,client_secret"`,
          'Write one pair per line, comma-separated; # starts a comment.',
        )
      return { id, secret }
    })
  if (!credentials.length)
    throw new ConfigError(
      'OPENCRVS_RETIRED_CREDENTIALS',
      `${file} lists no credentials`,
      'Write one client_id,client_secret pair per line, or unset the variable.',
    )
  if (credentials.length > MAX_RETIRED)
    throw new ConfigError(
      'OPENCRVS_RETIRED_CREDENTIALS',
      `${file} lists ${credentials.length} pairs; the kit checks at most ${MAX_RETIRED} per run (each is a request)`,
      'Split the list and run the kit once per part.',
    )
  return { file, credentials }
}

/** One line's fields: comma- or space-separated, each optionally in CSV double quotes ("" is a quote inside). */
function csvFields(line: string): string[] {
  const fields: string[] = []
  const re = /\s*(?:"((?:[^"]|"")*)"|([^,\s"]+))\s*(?:,|\s+|$)/y
  while (re.lastIndex < line.length) {
    const m = re.exec(line)
    if (!m) break
    fields.push(m[1]?.replace(/""/g, '"') ?? m[2]!)
  }
  // what the pattern could not read (a stray quote) stays one field, and the caller refuses it
  if (re.lastIndex < line.length) fields.push(line.slice(re.lastIndex))
  return fields
}

/**
 * An id as a deployment stores it: no surrounding or embedded spaces and no invisible characters (Unicode format
 * characters such as a BOM, U+200B or U+2060). A copy from a spreadsheet or a web page can carry them, and they
 * must not make a live client look like another one.
 */
export function cleanId(id: string): string {
  return id.replace(/[\p{Cf}\p{Z}\s]/gu, '')
}

/**
 * What the console says before anything is sent: each client id variable whose value carried spaces or invisible
 * characters, which the kit removed (the characters named by code point, never the value).
 */
export function cleanedIdLines(env: Env): string[] {
  const codes = (ids: string[]) =>
    [...new Set(ids.flatMap((v) => [...v].filter((c) => cleanId(c) === '')))]
      .map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`)
      .join(', ')
  const said = (name: string, ids: string[], what: string) =>
    `${name}: removed spaces or invisible characters (${codes(ids)}) from ${what}; the id as used has none`
  const lines = Object.keys(env)
    .filter((name) => /^OPENCRVS_[A-Z0-9_]+_CLIENT_ID$/.test(name))
    .sort()
    .flatMap((name) => {
      const v = value(env, name)
      return v === undefined || cleanId(v) === v ? [] : [said(name, [v], 'the client id')]
    })
  let listed: Array<{ id: string }> = []
  try {
    listed = parseRetired(env)?.credentials ?? []
  } catch {
    // a file resolveConfig did not read (no deployment configured) is not this note's to judge
  }
  const retired = listed.map((c) => c.id).filter((id) => cleanId(id) !== id)
  if (retired.length)
    lines.push(said('OPENCRVS_RETIRED_CREDENTIALS', retired, `${retired.length} client id(s) in the file`))
  return lines
}

/**
 * A lifecycle setting that names a client this run gets its tokens with contradicts the run: a deactivated,
 * deleted or retired client cannot also be a live configured one (its refusal would only show that the secret
 * given is another's). Ids are compared once spaces and invisible characters are removed.
 */
function lifecycleAgainstClients(
  clients: Target['clients'],
  lifecycle: Lifecycle,
  deactivated: Target['deactivated'],
): void {
  const live = (id: string) =>
    (Object.keys(clients) as ClientType[]).find((t) => cleanId(clients[t]!.id) === cleanId(id))
  const say = (variable: string, type: ClientType, what: string, id: string) =>
    new ConfigError(
      variable,
      `${what} names the configured ${CLIENT_TYPES[type].label} client (OPENCRVS_${type}_CLIENT_ID), which this run gets its tokens with${id === cleanId(id) ? '' : ' (compared once spaces and invisible characters such as a BOM or U+200B are removed from the id)'}`,
      'A deactivated, deleted or retired client cannot be a live one: put the credentials of a client that is really deactivated, deleted or retired here, or check the client ids.',
    )
  const off = deactivated && live(deactivated.id)
  if (off) throw say('OPENCRVS_DEACTIVATED_CLIENT_ID', off, 'it', deactivated.id)
  const deleted = lifecycle.deleted && live(lifecycle.deleted.id)
  if (deleted) throw say('OPENCRVS_DELETED_CLIENT_ID', deleted, 'it', lifecycle.deleted!.id)
  for (const [i, c] of (lifecycle.retired?.credentials ?? []).entries()) {
    const type = live(c.id)
    if (type) throw say('OPENCRVS_RETIRED_CREDENTIALS', type, `credential ${i + 1} of ${lifecycle.retired!.file}`, c.id)
  }
  // what is sent is the id as the deployment stores it: a refusal of " id" or "id\u200B" shows nothing
  for (const c of [deactivated, lifecycle.deleted, ...(lifecycle.retired?.credentials ?? [])])
    if (c) c.id = cleanId(c.id)
}

const WAIVERS_VAR = 'CONFORMANCE_WAIVERS_FILE'
const DEFAULT_WAIVERS = 'conformance.waivers.json'

function parseWaivers(env: Env): Waiver[] {
  const given = value(env, WAIVERS_VAR)
  const path = given ?? DEFAULT_WAIVERS
  if (!existsSync(path)) {
    if (given)
      throw new ConfigError(
        WAIVERS_VAR,
        `no file at "${given}"`,
        `Create it (see docs/operating.md, "Waivers") or unset ${WAIVERS_VAR}.`,
      )
    return []
  }
  let json: unknown
  const text = readConfigFile(WAIVERS_VAR, path, 'the waivers JSON file (see docs/operating.md, "Waivers")')
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new ConfigError(
      WAIVERS_VAR,
      `${path} is not valid JSON (${(e as Error).message})`,
      'Write {"waivers": [{"id": "TOKEN-RESP-03", "reason": "...", "until": "2027-01-31"}]}.',
    )
  }
  const list = json !== null && typeof json === 'object' ? (json as { waivers?: unknown }).waivers : undefined
  if (!Array.isArray(list))
    throw new ConfigError(
      WAIVERS_VAR,
      `${path} has no "waivers" array`,
      'Write {"waivers": [{"id": "...", "reason": "...", "until": "YYYY-MM-DD"}]}.',
    )
  return list.map((w, i) => {
    const { id, reason, until } = (w ?? {}) as Record<string, unknown>
    const where = `${path} waivers[${i}]`
    if (typeof id !== 'string' || !REQUIREMENTS[id])
      throw new ConfigError(
        WAIVERS_VAR,
        `${where}: "${String(id)}" is not a requirement id`,
        'Use an id from the report, e.g. TOKEN-RESP-03.',
      )
    if (typeof reason !== 'string' || reason.trim().length < 3)
      throw new ConfigError(
        WAIVERS_VAR,
        `${where} (${id}) has no reason`,
        'Say why the deviation is accepted, e.g. "proxy fix scheduled for release 14".',
      )
    if (typeof until !== 'string' || !isCalendarDate(until)) {
      throw new ConfigError(
        WAIVERS_VAR,
        `${where} (${id}): until "${String(until)}" is not a date`,
        'Write the last day the waiver applies as YYYY-MM-DD; a waiver must expire.',
      )
    }
    return { id, reason: reason.trim(), until }
  })
}

/**
 * Every configured secret joins the redaction registry before any value is validated: a secret pasted into the
 * wrong variable (OPENCRVS_VERSION=1.9.x-<secret>) is never echoed by the error about that variable.
 */
function registerEnvSecrets(env: Env): void {
  // a secret under a misspelt name (OPENCRVS_NOTIFICATION_CLIENT_SECERT) is a secret all the same
  const misspelt = new Set(
    unknownNames(env)
      .filter((u) => /SECRET$/.test(u.closest ?? ''))
      .map((u) => u.name),
  )
  for (const [name, v] of Object.entries(env))
    if ((/^OPENCRVS_\w*SECRET$/i.test(name) || misspelt.has(name)) && v?.trim())
      registerSecret(
        v.trim(),
        `${name
          .toLowerCase()
          .replace(/^opencrvs_/, '')
          .replace(/_/g, ' ')}`,
      )
}

/** Validate the environment once. Throws ConfigError on the first bad value. */
/**
 * .env and the environment, read as named steps in a fixed order (the first bad value is the one reported): the
 * run's settings, the release, the deployment's URLs, its key and CA, its clients; then the bundled emulator when no
 * URL is set, or the target.
 */
export function resolveConfig(env: Env): Resolved {
  registerEnvSecrets(env)
  misspeltSetting(env)
  const settings = parseSettings(env)
  const version = parseVersion(env)
  const { allowHttp } = settings
  const authUrl = baseUrl(parseUrl(env, 'OPENCRVS_AUTH_URL', allowHttp, 'https://auth.opencrvs.example.org'), 'auth')
  const gatewayUrl = baseUrl(
    parseUrl(env, 'OPENCRVS_GATEWAY_URL', allowHttp, 'https://gateway.opencrvs.example.org'),
    'gateway',
  )
  const tokenUrl =
    value(env, 'OPENCRVS_TOKEN_URL') === undefined
      ? undefined
      : parseUrl(env, 'OPENCRVS_TOKEN_URL', allowHttp, 'https://auth.opencrvs.example.org/token')
  const publicKey = parseKeySetting(env, allowHttp, authUrl)
  const caFile = parseCaFile(env)
  const { clients, deactivated } = parseClients(env)
  const lifecycle = parseLifecycle(env)
  lifecycleAgainstClients(clients, lifecycle, deactivated)
  const recorded = parseRecordedClients(env)
  const requiredClients = parseRequiredClients(env, [
    ...recorded.clients.map((c) => c.id),
    ...recorded.refused.map((f) => f.id),
  ])
  const domain = parseDomain(env, authUrl, gatewayUrl)
  const connectTo = parseConnectTo(env)
  const faultsText = value(env, 'CONFORMANCE_EMULATOR_FAULTS')

  if (!authUrl && !gatewayUrl && !tokenUrl) {
    const configured = Object.keys(clients).length > 0 || deactivated || Object.keys(lifecycle).length > 0
    if (configured) {
      throw new ConfigError(
        'OPENCRVS_AUTH_URL',
        'client credentials are set but no deployment URL is',
        'Set OPENCRVS_AUTH_URL (v1.x: https://auth.<domain>) or OPENCRVS_GATEWAY_URL (v2.0: https://gateway.<domain>), or remove the credentials to check the bundled emulator.',
      )
    }
    return emulatorRun(settings, version, faultsText, { requiredClients, recorded })
  }
  if (faultsText) {
    throw new ConfigError(
      'CONFORMANCE_EMULATOR_FAULTS',
      'faults apply to the bundled emulator only, and a deployment URL is set',
      'Remove CONFORMANCE_EMULATOR_FAULTS, or unset the OPENCRVS_*_URL variables to run the emulator.',
    )
  }
  const { tokenLifetimeSeconds, maxRate, ...common } = settings
  const target: Target = {
    ...tokenEndpoint(tokenUrl, authUrl, gatewayUrl),
    ...(authUrl ? { authUrl: stripSlash(authUrl) } : {}),
    ...(gatewayUrl ? { gatewayUrl: stripSlash(gatewayUrl) } : {}),
    ...(publicKey ? { publicKey } : {}),
    version,
    mode: common.mode,
    allowHttp,
    reportDir: common.reportDir,
    clients,
    ...(deactivated ? { deactivated } : {}),
    leewaySeconds: common.leewaySeconds,
    ...(tokenLifetimeSeconds !== undefined ? { tokenLifetimeSeconds } : {}),
    slow: common.slow,
    waivers: common.waivers,
    maxRequests: common.maxRequests,
    requestTimeoutSeconds: common.requestTimeoutSeconds,
    ...(maxRate ? { maxRate } : {}),
    ...(caFile ? { caFile } : {}),
    lifecycle,
    ...(domain ? { domain } : {}),
    requiredClients,
    recorded,
    connectTo,
  }
  return { kind: 'deployment', target }
}

/**
 * A misspelt setting whose intended name is unset (OPENCRVS_GATEWAY_ULR, no OPENCRVS_GATEWAY_URL): the run would go
 * on without it (with no deployment URL, against the bundled emulator, exit 0), so it stops here, naming the name as
 * the person wrote it and the one they meant. Other unknown names are only named (src/config/names.ts).
 */
function misspeltSetting(env: Env): void {
  const unknown = unknownNames(env)
  const lost = unknown.find((u) => u.closest && value(env, u.closest) === undefined)
  const urls = ['OPENCRVS_AUTH_URL', 'OPENCRVS_GATEWAY_URL', 'OPENCRVS_TOKEN_URL']
  const noDeployment = urls.every((n) => value(env, n) === undefined)
  if (!lost) {
    if (noDeployment) urlUnderAnotherName(env, unknown)
    return
  }
  throw new ConfigError(
    lost.name,
    `"${lost.name}" is not a variable the kit knows, and ${lost.closest} is not set` +
      (noDeployment ? ': with no deployment URL the run would check the bundled emulator, not your deployment' : ''),
    `Did you mean ${lost.closest}? Rename ${lost.name} to ${lost.closest} (.env.example lists every variable).`,
  )
}

/**
 * With no deployment URL set, an unknown name of the kit's kind (OPENCRVS_GW_URL, CONFORMANCE_GATEWAY_URL) whose name
 * or value looks like a URL is the deployment the person meant: stopped here, never replaced by the demonstration.
 */
function urlUnderAnotherName(env: Env, unknown: UnknownName[]): void {
  const url = unknown.find((u) => /URL$/i.test(u.name) || /^\s*https?:\/\//i.test(env[u.name] ?? ''))
  if (!url) return
  throw new ConfigError(
    url.name,
    `"${url.name}" is not a variable the kit knows, and no deployment URL is set: the run would check the bundled emulator, not your deployment`,
    `Write the URL as OPENCRVS_GATEWAY_URL (v2.0: https://gateway.<domain>) or OPENCRVS_AUTH_URL (v1.x: https://auth.<domain>), or remove ${url.name} to check the bundled emulator (.env.example lists every variable).`,
  )
}

/** The run's own settings: mode, transport, report folder, leeway, waivers, request budget, timeouts and rate. */
function parseSettings(env: Env) {
  const modeText = value(env, 'CONFORMANCE_MODE') ?? 'opencrvs'
  if (modeText !== 'opencrvs' && modeText !== 'strict') {
    throw new ConfigError(
      'CONFORMANCE_MODE',
      `"${modeText}" is not a mode`,
      'Write opencrvs (default: the contract each release really offers) or strict (RFC MUSTs are FAILED).',
    )
  }
  const mode: Mode = modeText
  const envFile = value(env, ENV_FILE_VAR)
  if (envFile && !existsSync(envFile))
    throw new ConfigError(
      ENV_FILE_VAR,
      `no file at "${envFile}"`,
      'Give the path of your settings file, or unset it to read .env.',
    )
  const allowHttp = parseBool(env, 'CONFORMANCE_ALLOW_HTTP', false)
  const reportDir = value(env, 'CONFORMANCE_REPORT_DIR') ?? 'reports'
  // created now, before anything is sent: a folder that cannot be made is said here, not as a crash after the run
  const folderProblem = makeFolder(reportDir)
  if (folderProblem) {
    throw new ConfigError(
      'CONFORMANCE_REPORT_DIR',
      folderProblem,
      'Give a folder the kit can write the reports to (it is created when missing).',
    )
  }
  const leewaySeconds = parseInteger(env, 'CONFORMANCE_LEEWAY_SECONDS', 60, 0, 3600)
  const slow = parseBool(env, 'CONFORMANCE_SLOW', false)
  const waivers = parseWaivers(env)
  const maxRequests = parseInteger(env, 'CONFORMANCE_MAX_REQUESTS', 150, 10, 100_000)
  const requestTimeoutSeconds = parseInteger(
    env,
    'CONFORMANCE_REQUEST_TIMEOUT_SECONDS',
    DEFAULT_REQUEST_TIMEOUT_SECONDS,
    1,
    300,
  )
  const maxRate = parseRate(env)
  runTimeoutMinutes(env) // validated here, before anything is sent; playwright.config.ts reads it
  const lifetimeText = value(env, 'OPENCRVS_TOKEN_LIFETIME_SECONDS')
  const tokenLifetimeSeconds =
    lifetimeText === undefined ? undefined : parseInteger(env, 'OPENCRVS_TOKEN_LIFETIME_SECONDS', 600, 1, 31_536_000)

  return {
    mode,
    allowHttp,
    reportDir,
    leewaySeconds,
    slow,
    waivers,
    maxRequests,
    requestTimeoutSeconds,
    maxRate,
    tokenLifetimeSeconds,
  }
}

/** OPENCRVS_VERSION: auto (identify it), or a release the kit has a profile for. */
function parseVersion(env: Env): Target['version'] {
  const versionText = value(env, 'OPENCRVS_VERSION') ?? 'auto'
  if (versionText === 'auto') return 'auto'
  const profile = profileForRelease(versionText)
  if (!profile) {
    throw new ConfigError(
      'OPENCRVS_VERSION',
      `"${versionText}" is not a release the kit has a profile for`,
      `Write auto (detect it) or one of ${knownReleases().join(', ')}.`,
    )
  }
  return { release: versionText.replace(/^v/, ''), profile }
}

/** OPENCRVS_PUBLIC_KEY: a URL, or a file the kit can read a key from; by default <auth>/.well-known. */
function parseKeySetting(env: Env, allowHttp: boolean, authUrl: URL | undefined): Target['publicKey'] | undefined {
  const keyText = value(env, 'OPENCRVS_PUBLIC_KEY')
  if (keyText) {
    if (/^[a-z]+:\/\//i.test(keyText)) {
      const u = parseUrl(env, 'OPENCRVS_PUBLIC_KEY', allowHttp, 'https://auth.opencrvs.example.org/.well-known')
      return { kind: 'url', location: u!.toString() }
    } else {
      const text = readConfigFile(
        'OPENCRVS_PUBLIC_KEY',
        keyText,
        'a PEM public key or a JWKS file (or a URL where the key is published)',
      )
      if (holdsPrivateKey(text))
        throw new ConfigError(
          'OPENCRVS_PUBLIC_KEY',
          `${keyText} is a private key`,
          "Give the public key (-----BEGIN PUBLIC KEY-----, or the deployment's <auth>/.well-known); never hand the private key to a test tool. If this file left the deployment, treat the key as exposed.",
        )
      try {
        parsePublicKey(text, keyText) // the loader's own parser: what passes here loads there
      } catch (e) {
        if (!(e instanceof KeyUnavailable)) throw e
        throw new ConfigError(
          'OPENCRVS_PUBLIC_KEY',
          `${keyText} holds no public key the kit can read (${e.message})`,
          'Give a PEM public key (-----BEGIN PUBLIC KEY-----, SPKI or PKCS#1) or a JWKS ({"keys": [...]}), as the deployment publishes at <auth>/.well-known.',
        )
      }
      return { kind: 'file', location: keyText }
    }
  } else if (authUrl) {
    return { kind: 'url', location: `${stripSlash(authUrl)}/.well-known` }
  }

  return undefined
}

/** OPENCRVS_CA_FILE: the PEM certificates of a private CA, each of which must parse. */
function parseCaFile(env: Env): string | undefined {
  const caFile = value(env, 'OPENCRVS_CA_FILE')
  if (caFile) {
    const text = readConfigFile(
      'OPENCRVS_CA_FILE',
      caFile,
      "the PEM certificate (bundle) of the CA that signed the deployment's certificate",
    )
    const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []
    if (!blocks.length)
      throw new ConfigError(
        'OPENCRVS_CA_FILE',
        `${caFile} holds no PEM certificate`,
        'Give a PEM file with one or more -----BEGIN CERTIFICATE----- blocks.',
      )
    blocks.forEach((pem, i) => {
      try {
        new X509Certificate(pem)
      } catch {
        throw new ConfigError(
          'OPENCRVS_CA_FILE',
          `certificate ${i + 1} of ${blocks.length} in ${caFile} does not parse`,
          'Export the CA certificate again as PEM (openssl x509 -in ca.crt -out ca.pem -outform PEM).',
        )
      }
    })
  }
  return caFile
}

/** No deployment URL: the bundled emulator of the declared release (v2.0 by default), with its faults. */
function emulatorRun(
  settings: ReturnType<typeof parseSettings>,
  version: Target['version'],
  faultsText: string | undefined,
  clients: { requiredClients: string[]; recorded: RecordedSet },
): Resolved {
  // the emulator's own transport and lifetime: what the deployment's settings would say does not apply
  const { allowHttp: _http, maxRate: _rate, tokenLifetimeSeconds: _lifetime, ...common } = settings
  const release = version === 'auto' ? '2.0' : version.release
  const faults = faultsText
    ? faultsText
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : []
  return { kind: 'emulator', release, faults, ...common, ...clients }
}

/** The token endpoint: OPENCRVS_TOKEN_URL as given, else <auth>/token, else <gateway>/auth/token. */
function tokenEndpoint(
  tokenUrl: URL | undefined,
  authUrl: URL | undefined,
  gatewayUrl: URL | undefined,
): Pick<Target, 'tokenUrl' | 'tokenRoute'> {
  const resolvedToken = tokenUrl
    ? { url: tokenUrl.toString(), route: 'explicit' as const }
    : authUrl
      ? { url: stripSlash(authUrl) + TOKEN_ROUTE_AUTH, route: 'auth' as const }
      : { url: stripSlash(gatewayUrl!) + TOKEN_ROUTE_GATEWAY, route: 'gateway' as const }
  const route =
    resolvedToken.route === 'explicit' && new URL(resolvedToken.url).pathname.endsWith(TOKEN_ROUTE_GATEWAY)
      ? 'gateway'
      : resolvedToken.route

  return { tokenUrl: resolvedToken.url, tokenRoute: route }
}

const DEFAULT_REQUEST_TIMEOUT_SECONDS = 15

/** CONFORMANCE_MAX_RATE: requests a second, a positive number up to 1000 (0.5: one every two seconds). */
function parseRate(env: Env): number | undefined {
  const v = value(env, 'CONFORMANCE_MAX_RATE')
  if (v === undefined) return undefined
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0 || Number(v) > 1000) {
    throw new ConfigError(
      'CONFORMANCE_MAX_RATE',
      `"${v}" is not a rate from above 0 to 1000 requests a second`,
      'Write the limit of the edge in front of the deployment, e.g. 5 (or 0.5 for one request every two seconds), or leave it unset.',
    )
  }
  return Number(v)
}

/**
 * The whole run's deadline in minutes (CONFORMANCE_RUN_TIMEOUT_MINUTES): 10 by default, 30 when the @slow checks
 * run (live expiry waits about 11 minutes). Whatever a target does, the run ends and writes its reports by then.
 */
export function runTimeoutMinutes(env: Env): number {
  return parseInteger(
    env,
    'CONFORMANCE_RUN_TIMEOUT_MINUTES',
    parseBool(env, 'CONFORMANCE_SLOW', false) ? 30 : 10,
    1,
    24 * 60,
  )
}

/** The report folder, without validating anything else (used by playwright.config.ts). */
export function reportDirFrom(env: Env): string {
  return value(env, 'CONFORMANCE_REPORT_DIR') ?? 'reports'
}

/** The message a person sees for a configuration error. */
export function formatConfigError(e: ConfigError): string {
  return redact(
    [
      `Configuration error in ${e.variable}`,
      `  what is wrong: ${e.problem}`,
      `  what to do:    ${e.fix}`,
      '  (see .env.example for every variable; nothing was sent to any deployment)',
    ].join('\n'),
  )
}
