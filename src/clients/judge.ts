/**
 * Each known client's request as it sends it (with dummy credentials), and what an answer means for it: does the
 * client get a token here, and if not, is that this deployment's doing or its release's. Pure functions over the
 * catalogue (./catalogue.ts), the release profile and the answers; fixtures/clients.ts sends the requests.
 */
import type { HttpExchange, HttpRequest } from '../http/index.ts'
import { PROFILES, RELEASE_ORDER, type Profile, type ProfileId } from '../profiles/profiles.ts'
import type { ClientHost, KnownClient } from './catalogue.ts'
import { recordedRequest } from './recorded.ts'

/** Where the replays go: the deployment's domain (for auth.<domain>) and its gateway. */
export interface ReplayTarget {
  /** The scheme of the configured URLs ('https:' for any real deployment). */
  scheme: string
  domain?: string
  gatewayUrl?: string
}

export const DUMMY_GRANT = 'client_credentials'

const OAUTH = ['client_id', 'client_secret', 'grant_type'] as const

/** Where a client puts each parameter (in order, a repeated key twice), its content type, method and path. */
export interface Placement {
  query: string[]
  json: string[]
  form: string[]
  basic: string[]
  contentType: string | null
  method: string
  /** The path it calls (recorded clients); a known client calls the release's route on its host. */
  path?: string
}

export function placementOf(c: KnownClient): Placement {
  const r = c.recorded
  if (r) {
    const of = (w: string) => r.params.filter((x) => x.in === w).map((x) => x.name)
    return {
      ...{ query: of('query'), json: of('json'), form: of('form'), basic: of('basic') },
      ...{ contentType: r.contentType, method: r.method, path: r.path },
    }
  }
  const q = c.params === 'query' || c.params === 'query+json'
  const order: string[] = c.duplicateGrant ? [...c.order, 'grant_type'] : [...c.order]
  return {
    query: q ? order : [],
    json: c.params === 'json' || c.params === 'query+json' ? [...c.order] : [],
    form: c.params === 'form' ? [...c.order] : [],
    basic: [],
    contentType: c.headers['content-type'] ?? null,
    method: c.method,
  }
}

/** Does the client put an OAuth parameter in the query string? */
export const inQuery = (c: KnownClient) => placementOf(c).query.some((k) => (OAUTH as readonly string[]).includes(k))

/** Where the client puts its credentials, in words ("query", "JSON body and HTTP Basic"). */
export function placesText(pl: Placement): string {
  const words: Array<[keyof Placement, string]> = [
    ['query', 'query string'],
    ['json', 'JSON body'],
    ['form', 'form body'],
    ['basic', 'HTTP Basic'],
  ]
  const used = words
    .filter(([k]) => (pl[k] as string[]).length)
    .map(([k, w]) => `${w}: ${(pl[k] as string[]).join(', ')}`)
  return used.join('; ') || 'no parameters'
}

/** Is one OAuth parameter read where the client puts it, by the release's token route? */
function readable(k: string, pl: Placement, p: Profile): boolean {
  const ct = (pl.contentType ?? '').split(';')[0]!.trim().toLowerCase()
  return (
    (pl.query.includes(k) && p.requestFormats.query) ||
    (pl.json.includes(k) && p.requestFormats.json && ct === 'application/json') ||
    (pl.form.includes(k) && p.requestFormats.form && ct === 'application/x-www-form-urlencoded')
  )
}

/** An OAuth parameter sent twice in one place (hapi makes it an array, which no release accepts). */
function repeatedKey(pl: Placement): string | undefined {
  return OAUTH.find((k) => [pl.query, pl.form, pl.basic].some((list) => list.filter((x) => x === k).length > 1))
}

/** The URL a client calls on a host, or why the kit cannot know it. */
export function clientUrl(host: ClientHost, t: ReplayTarget): string | { unknown: string } {
  if (host === 'gateway') {
    if (t.gatewayUrl) return `${t.gatewayUrl}/auth/token`
    if (t.domain) return `${t.scheme}//gateway.${t.domain}/auth/token`
    return { unknown: 'no gateway: set OPENCRVS_GATEWAY_URL (or OPENCRVS_DOMAIN)' }
  }
  if (t.domain) return `${t.scheme}//auth.${t.domain}/token`
  return {
    unknown:
      "the deployment's domain is not known: set OPENCRVS_DOMAIN (auth.<domain> is built from it), or OPENCRVS_AUTH_URL / OPENCRVS_GATEWAY_URL as https://auth.<domain> / https://gateway.<domain>",
  }
}

/** The client's request to a URL, byte for byte as it sends it, with dummy credentials. */
export function clientRequest(c: KnownClient, url: string, dummy: { id: string; secret: string }): HttpRequest {
  if (c.recorded) return recordedRequest(c.recorded, url, dummy)
  const values = { client_id: dummy.id, client_secret: dummy.secret, grant_type: DUMMY_GRANT }
  const query = new URLSearchParams()
  for (const k of c.order) {
    if (k === 'grant_type' && c.duplicateGrant) query.append(k, '')
    query.append(k, values[k])
  }
  return {
    method: c.method,
    url: c.params === 'query' || c.params === 'query+json' ? `${url}?${query.toString()}` : url,
    headers: { ...c.headers },
    // an empty body goes as Content-Length: 0, as each of these clients sends it
    body:
      c.params === 'json' || c.params === 'query+json'
        ? JSON.stringify(Object.fromEntries(c.order.map((k) => [k, values[k]])))
        : c.params === 'form'
          ? query.toString()
          : '',
  }
}

/**
 * Why the release's official installation gives this client no token on this host, or null when it does. Only
 * what the release decides: a deployment that does otherwise deviates from it (or fixed it at its edge).
 */
export function releaseRefuses(c: KnownClient, host: ClientHost, p: Profile): string | null {
  const pl = placementOf(c)
  const repeated = repeatedKey(pl)
  if (repeated)
    return `a repeated ${repeated} becomes an array, which no release accepts${repeated === 'grant_type' ? ' (400 unsupported_grant_type)' : ''}`
  if (host === 'auth' && !p.routes.publicAuthHost)
    return `${p.label} no longer publishes auth.<domain> (the Helm chart has no ingress for auth; the docker deployment disables its route): only the gateway's /auth/token is public`
  if (host === 'gateway' && !p.routes.gatewayToken)
    return `${p.label}'s gateway has no /auth/token route that forwards the parameters`
  const route = host === 'auth' ? p.routes.authToken : p.routes.gatewayToken!
  if (pl.path !== undefined && pl.path !== route)
    return `this client calls ${pl.path} on ${host}.<domain>, and ${p.label}'s token route there is ${route}`
  if (pl.method !== 'POST') return `${p.label}'s token route answers POST only, and this client sends ${pl.method}`
  if (c.params === 'json' && !p.requestFormats.json)
    return `${p.label} reads client_id, client_secret and grant_type from the query string only, and this client sends them in a JSON body`
  if (c.params === 'query' && !p.requestFormats.query) return `${p.label} does not read the query string`
  const unread = OAUTH.filter((k) => !readable(k, pl, p))
  if (!unread.length) return null
  const basic = pl.basic.length
    ? '; no release reads HTTP Basic client credentials (OpenCRVS reads parameters only)'
    : ''
  return `${p.label} does not read ${unread.join(', ')} where this client puts ${unread.length > 1 ? 'them' : 'it'} (${placesText(pl)}${pl.contentType ? `, Content-Type ${pl.contentType}` : ', no Content-Type'})${basic}`
}

export interface ClientAnswer {
  works: boolean
  /** What answered, in words ("HTTP 401 invalid_client", "HTTP 404 text/plain \"404 page not found\"", "no answer: ..."). */
  answered: string
  /** Why it does not get a token. */
  why?: string
  /** The release decided it (in its official installation), not this deployment. */
  release?: boolean
}

const quoted = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s)

/**
 * What one replayed request's answer means for the client that sent it. `unknownClient` is what this deployment
 * answers an unknown client in a format it reads (the kit's own probe): the dummy credentials getting that answer
 * were read where the client puts them, so its real ones get a token.
 */
export function judgeAnswer(
  c: KnownClient,
  host: ClientHost,
  url: string,
  answer: HttpExchange | Error,
  p: Profile,
  unknownClient?: { status: number; error: unknown },
): ClientAnswer {
  const judged = judgeHere(c, url, answer, p, unknownClient)
  // the same client on the same release gets the same classification, whatever the edge answers: a host or a format
  // the release itself does not offer this client is the release's doing (an edge may answer its own 404 for it)
  return !judged.works && releaseRefuses(c, host, p) !== null ? { ...judged, release: true } : judged
}

/** What the answer says about this deployment (the release's own refusals are added by judgeAnswer). */
function judgeHere(
  c: KnownClient,
  url: string,
  answer: HttpExchange | Error,
  p: Profile,
  unknownClient?: { status: number; error: unknown },
): ClientAnswer {
  // the request layer says in words what happened (src/http/index.ts transportInWords)
  if (answer instanceof Error)
    return {
      works: false,
      answered: `no answer: ${answer.message}`,
      why: `${new URL(url).host} gives no token endpoint to this client`,
      release: false,
    }
  const ex = answer
  const type = (ex.headers['content-type'] ?? 'no content type').split(';')[0]!
  const json = ex.json as { error?: unknown; message?: unknown } | undefined
  const code = typeof json?.error === 'string' ? json.error : undefined
  const answered = `HTTP ${ex.status} ${code ?? `${type}${ex.bodyText ? ` ${quoted(ex.bodyText.trim())}` : ''}`}`
  // credentials read from where the client puts them: with its real secret it gets a token
  const refusedAsUnknown =
    (ex.status === p.errorStatus[p.errors.badClient] && code === p.errors.badClient) ||
    (unknownClient !== undefined &&
      code !== undefined &&
      ex.status === unknownClient.status &&
      code === unknownClient.error)
  if (
    refusedAsUnknown ||
    (ex.status === 200 && typeof (json as { access_token?: unknown } | undefined)?.access_token === 'string')
  ) {
    return { works: true, answered }
  }
  const where = `${new URL(url).host}${new URL(url).pathname}`
  const no = (why: string, release = false): ClientAnswer => ({ works: false, answered, why, release })
  if (ex.status >= 300 && ex.status < 400)
    return no(`${where} redirects (to ${ex.headers.location ?? 'nowhere'}), and this client follows no redirect`)
  if (ex.status === 404 && (code === undefined || /not found/i.test(code)))
    return no(`${where} is not routed here: the edge (or the service behind it) answers for an unmatched host or path`)
  if (ex.status === 400 && code === 'invalid_request' && p.queryDeprecation && inQuery(c))
    return no(
      `${p.label} refuses OAuth parameters in the query string where NODE_ENV is not production (this client puts them there)`,
      true,
    )
  if (ex.status === 400 && code)
    return no(
      `the route does not read client_id, client_secret and grant_type where this client puts them (${placesText(placementOf(c))})`,
    )
  return no(`${where} does not answer as a token endpoint (${answered})`)
}

/** One client's verdict, as conformance.json lists it. */
export interface ClientVerdict {
  id: string
  name: string
  versions: string
  source: string
  /** The request as replayed, redacted (dummy credentials shown as <dummy>). */
  request: string
  /** null: not checked here (the reason says why). */
  works: boolean | null
  /** What answered, in short ("HTTP 404 text/plain \"404 page not found\" at auth.<domain>/token"). */
  answered?: string
  reason: string
  fix?: string
  /** The release decided it (a client it left behind, or one built for another release), not this deployment. */
  byRelease?: boolean
  /** The client got a token on an earlier release line: the release left it behind. */
  leftBehind?: boolean
  required: boolean
  nextRelease: string
  /** A country's own client, recorded as a file (CONFORMANCE_CLIENTS_DIR); `source` names the file. */
  recorded?: true
}

/** Did the client get a token from some earlier release line, as officially installed (then this one left it behind)? */
export function workedEarlier(c: KnownClient, p: Profile): boolean {
  return RELEASE_ORDER.slice(0, RELEASE_ORDER.indexOf(p.id)).some((id) =>
    c.hosts.some((h) => releaseRefuses(c, h, PROFILES[id]) === null),
  )
}

/** What the next known release changes for a client that works on `host` now (or why it still will not work). */
export function nextReleaseFor(c: KnownClient, hosts: ClientHost[], p: Profile): string {
  const id: ProfileId | undefined = RELEASE_ORDER[RELEASE_ORDER.indexOf(p.id) + 1]
  const nextText = p.nextRelease?.changes.find((x) => /everywhere|every environment/.test(x))
  if (!id)
    return nextText && inQuery(c)
      ? `planned later (${p.nextRelease!.release}): 400 in every environment (credentials in the query string)`
      : 'no change known'
  const next = PROFILES[id]
  const refusals = hosts.map((h) => releaseRefuses(c, h, next))
  if (refusals.every((r) => r !== null)) return `on ${next.label}: no token (${refusals[0]})`
  if (next.queryDeprecation && inQuery(c)) {
    const later = next.nextRelease?.changes.some((x) => /every environment/.test(x))
      ? '; planned later: everywhere'
      : ''
    return `on ${next.label} where NODE_ENV is not production: 400 invalid_request (credentials in the query)${later}`
  }
  const via = hosts.filter((_, i) => refusals[i] === null)
  return `on ${next.label}: still gets a token${via.length < hosts.length ? ` (only through ${via.join(' or ')})` : ''}`
}

/** Where a release reads the parameters, in words, for a fix. */
function formatsOf(p: Profile): string {
  const f = p.requestFormats
  return [
    ...(f.form ? ['a form body (Content-Type: application/x-www-form-urlencoded)'] : []),
    ...(f.json ? ['a JSON body (Content-Type: application/json)'] : []),
    ...(f.query ? [`the query string${p.queryDeprecation ? ' (refused outside production)' : ''}`] : []),
  ].join(', or ')
}

/** What makes this client get a token on this release, from why it does not (the release's reason, or the answer's). */
export function fixFor(c: KnownClient, host: ClientHost, why: string, byRelease: boolean, p: Profile): string {
  if (/NODE_ENV/.test(why))
    return 'Move client_id, client_secret and grant_type into a form or JSON body (the client must change), or run the auth service with NODE_ENV=production until it does.'
  if (c.duplicateGrant) return 'Send grant_type=client_credentials once (the docs example is wrong).'
  const repeated = /a repeated (\w+)/.exec(why)
  if (repeated) return `Send ${repeated[1]} once.`
  if (/token route there is/.test(why))
    return `Call ${host === 'auth' ? 'https://auth.<domain>/token' : 'https://gateway.<domain>/auth/token'}, the path ${p.label} routes.`
  if (/answers POST only/.test(why)) return 'Send the token request as POST.'
  if (host === 'auth' && byRelease && /auth\.<domain>/.test(why)) {
    const setting = c.setting
      ? `set ${c.setting.name}=${c.setting.gateway}`
      : 'use a release of the client that calls the gateway (https://gateway.<domain>/auth/token)'
    return `${setting}, or route auth.<domain>/token to the gateway's /auth/token at the edge (a Traefik router for Host(\`auth.<domain>\`) && Path(\`/token\`) to the gateway, with the path replaced by /auth/token).`
  }
  if (/gateway has no \/auth\/token/.test(why))
    return `Call https://auth.<domain>/token: ${p.label}'s gateway forwards no token request.`
  if (c.params === 'json' && /from the query string only/.test(why))
    return "This client sends a JSON body, which this release does not read: use the client's query-string variant, or upgrade OpenCRVS to v2.0."
  if (byRelease && /does not read/.test(why))
    return `Send client_id, client_secret and grant_type where ${p.label} reads them: ${formatsOf(p)}${/HTTP Basic/.test(why) ? ', not HTTP Basic' : ''}.`
  if (host === 'auth')
    return "Route auth.<domain> to the auth service at the edge, as the release's official installation does."
  return "Route the gateway's /auth/token to the auth service and let the edge pass the request as the client sends it (its content type, an empty body)."
}

/** One client on one release as officially installed, with no deployment: a token or not, why, and the fix. */
export interface ReleaseJudgement {
  works: boolean
  why?: string
  fix?: string
}

/**
 * The same rules CLIENTS-01 applies to a deployment's answers, applied to the release itself: the release's refusal on
 * each host the client calls, and (outside production) its refusal of OAuth parameters in the query string.
 */
export function judgeRelease(c: KnownClient, p: Profile, production: boolean): ReleaseJudgement {
  const refusals = c.hosts.map((host) => {
    const r = releaseRefuses(c, host, p)
    if (r === null && p.queryDeprecation && !production && inQuery(c))
      return `${p.label} refuses OAuth parameters in the query string where NODE_ENV is not production (this client puts them there)`
    return r
  })
  const ok = refusals.indexOf(null)
  if (ok >= 0) return { works: true, ...(c.hosts.length > 1 ? { why: `through ${c.hosts[ok]}` } : {}) }
  // a client whose URL is its setting: the host the release does publish says what is left to change
  const at = Math.max(
    0,
    refusals.findIndex((r) => /NODE_ENV/.test(r!)),
  )
  const why = refusals.length > 1 ? c.hosts.map((h, i) => `${h}.<domain>: ${refusals[i]}`).join('; ') : refusals[0]!
  return { works: false, why, fix: fixFor(c, c.hosts[at]!, refusals[at]!, true, p) }
}
