/**
 * Each known client's request as it sends it (with dummy credentials), and what an answer means for it: does the
 * client get a token here, and if not, is that this deployment's doing or its release's. Pure functions over the
 * catalogue (./catalogue.ts), the release profile and the answers; fixtures/clients.ts sends the requests.
 */
import type { HttpExchange, HttpRequest } from '../http/index.ts'
import { PROFILES, RELEASE_ORDER, type Profile, type ProfileId } from '../profiles/profiles.ts'
import type { ClientHost, KnownClient } from './catalogue.ts'

/** Where the replays go: the deployment's domain (for auth.<domain>) and its gateway. */
export interface ReplayTarget {
  /** The scheme of the configured URLs ('https:' for any real deployment). */
  scheme: string
  domain?: string
  gatewayUrl?: string
}

export const DUMMY_GRANT = 'client_credentials'

/** Does the client put its parameters in the query string, in a JSON body? */
const inQuery = (c: KnownClient) => c.params === 'query' || c.params === 'query+json'
const inJson = (c: KnownClient) => c.params === 'json' || c.params === 'query+json'

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
  const values = { client_id: dummy.id, client_secret: dummy.secret, grant_type: DUMMY_GRANT }
  const query = new URLSearchParams()
  for (const k of c.order) {
    if (k === 'grant_type' && c.duplicateGrant) query.append(k, '')
    query.append(k, values[k])
  }
  return {
    method: c.method,
    url: inQuery(c) ? `${url}?${query.toString()}` : url,
    headers: { ...c.headers },
    // an empty body goes as Content-Length: 0, as each of these clients sends it
    body: inJson(c)
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
  if (c.duplicateGrant)
    return 'a repeated grant_type becomes an array, which no release accepts (400 unsupported_grant_type)'
  if (host === 'auth' && !p.routes.publicAuthHost)
    return `${p.label} no longer publishes auth.<domain> (the Helm chart has no ingress for auth; the docker deployment disables its route): only the gateway's /auth/token is public`
  if (host === 'gateway' && !p.routes.gatewayToken)
    return `${p.label}'s gateway has no /auth/token route that forwards the parameters`
  if (c.params === 'json' && !p.requestFormats.json)
    return `${p.label} reads client_id, client_secret and grant_type from the query string only, and this client sends them in a JSON body`
  if (c.params === 'query' && !p.requestFormats.query) return `${p.label} does not read the query string`
  return null
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
      `the route does not read client_id, client_secret and grant_type where this client puts them (${c.params.replace('+', ' and ')})`,
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
