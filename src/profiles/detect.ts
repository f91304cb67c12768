/**
 * Release-line identification from observable evidence, each signal weighed by how independent it is of what the
 * checks then grade (DESIGN "Knowing the target"):
 *   independent: the gateway's X-Version header (decisive), the audience list (v1 or v2), the scope format (each
 *                line names its notification scopes its own way), the token-exchange answer (v2.0 or after);
 *   graded:      the userType claim (JWT-CLM-05) and the error code for an empty request (TOKEN-GRANT-02) count
 *                for little, so a deviation in exactly those signals cannot move the run to a profile where the
 *                deviation passes and the release's genuine behaviour fails.
 * The profiles that no independent signal rules out are the run's candidates: a shortfall that is genuine
 * behaviour of another candidate is REVIEW, never FAILED (fixtures/index.ts).
 */
import { PROFILES, RELEASE_ORDER, type ProfileId, profileForRelease } from './profiles.ts'
import { neutral } from '../redact/neutral.ts'

export interface Evidence {
  /** X-Version response header from the gateway (v1.6+): the token URL's answer, or the gateway's /auth/token. */
  xVersion?: string
  /** OAuth error code answered to POST <token> with no parameters. */
  noParamsError?: string
  /** Claims of a token obtained with a query-string request, and the client_id used. */
  claims?: Record<string, unknown>
  clientId?: string
  /** OAuth error code for a token-exchange request in the body with a dummy subject token (sent on v2 only). */
  tokenExchange?: string
}

export interface Detection {
  profile: ProfileId | null
  /** One line per piece of evidence, strongest first. */
  from: string[]
  /** Evidence that points at different lines. */
  conflicts: string[]
  /** Other profiles no independent signal rules out: a shortfall genuine on one of them is not FAILED. */
  candidates: ProfileId[]
  /** The X-Version of a release newer than every profile (judged against the newest one, differences REVIEW). */
  newer?: string
}

/** One observed signal: the profiles it supports, how much it weighs, and whether a check grades it. */
interface Signal {
  supports: ProfileId[]
  weight: number
  graded: boolean
  why: string
}

const ALL = RELEASE_ORDER
const V1: ProfileId[] = ['1.3', '1.7', '1.9']
const V2: ProfileId[] = ['2.0', '2.1']
/** On a tie, the released line before a preview, the newer before the older. */
const PREFERENCE: ProfileId[] = ['2.0', '1.9', '1.7', '1.3', '2.1']
const DECISIVE = 8
const STRONG = 3
const WEAK = 1

/** The newest release the kit has a profile for. */
const NEWEST = [2, 1]

/** Is this release (X-Version "2.2.0") newer than every profile? */
export function newerThanProfiles(version: string): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim())
  if (!m) return false
  const [major, minor] = [Number(m[1]), Number(m[2])]
  return major > NEWEST[0]! || (major === NEWEST[0] && minor > NEWEST[1]!)
}

function xVersionSignal(xVersion: string): { signal?: Signal; newer?: string } {
  const p = profileForRelease(xVersion)
  if (p)
    return {
      signal: { supports: [p.id], weight: DECISIVE, graded: false, why: `gateway X-Version header says ${xVersion}` },
    }
  if (!newerThanProfiles(xVersion)) return {}
  const why = `gateway X-Version header says ${xVersion}, newer than every release the kit has a profile for: judged against the newest, ${PROFILES['2.1'].label}`
  return { signal: { supports: ['2.1'], weight: DECISIVE, graded: false, why }, newer: xVersion }
}

/** The signals a token's claims carry: its audience list, its scope format (independent), its userType (graded). */
function claimSignals(claims: Record<string, unknown>, clientId: string | undefined): Signal[] {
  const out: Signal[] = []
  const aud = Array.isArray(claims.aud) ? claims.aud.map(String) : undefined
  if (aud?.includes('opencrvs:events-user') && !aud.includes('opencrvs:hearth-user')) {
    const subIsClient = clientId !== undefined && claims.sub === clientId
    out.push({
      supports: V2,
      weight: STRONG,
      graded: false,
      why: `token aud has ${aud.length} entries with opencrvs:events-user and no hearth-user${subIsClient ? '; sub equals the client_id' : ''} (v2)`,
    })
  } else if (aud?.includes('opencrvs:hearth-user')) {
    out.push({
      supports: V1,
      weight: STRONG,
      graded: false,
      why: `token aud has ${aud.length} opencrvs:*-user entries incl. hearth-user (v1.x)`,
    })
  }
  const scopes = Array.isArray(claims.scope) ? claims.scope.map(String) : []
  const scope = (supports: ProfileId[], what: string): Signal => ({
    supports,
    weight: STRONG,
    graded: false,
    why: `token scopes ${what}`,
  })
  if (scopes.some((s) => s.startsWith('type=record.'))) out.push(scope(V2, 'are in the v2 "type=record.…" format'))
  else if (scopes.some((s) => /^record\.(create|notify)\[/.test(s)))
    out.push(scope(['1.9'], 'include record.create[event=…] / record.notify[event=…] (v1.9)'))
  else if (scopes.includes('notification-api'))
    out.push(
      scopes.includes('declare')
        ? scope(['1.3'], 'are notification-api with declare (v1.3-v1.6)')
        : scope(['1.7'], 'are notification-api alone (v1.7-v1.8)'),
    )
  if (aud?.includes('opencrvs:hearth-user') || aud?.includes('opencrvs:events-user')) {
    if (claims.userType === 'system')
      out.push({
        supports: ['1.9', ...V2],
        weight: WEAK,
        graded: true,
        why: 'token has userType "system" (v1.9 and later)',
      })
    else if (claims.userType === undefined)
      out.push({ supports: ['1.3', '1.7'], weight: WEAK, graded: true, why: 'token has no userType claim (v1.3-v1.8)' })
  }
  return out
}

function tokenExchangeSignal(e: Evidence): Signal | undefined {
  if (!e.tokenExchange) return undefined
  // removed after v2.0.0 (PR #13644): the best discriminator, before an X-Version that may still say 2.0.0
  if (e.tokenExchange === 'unsupported_grant_type')
    return {
      supports: ['2.1'],
      weight: STRONG,
      graded: false,
      why: 'the token-exchange grant is refused as unsupported: removed after v2.0.0 (PR #13644), so v2.1 (preview)',
    }
  return {
    supports: ['2.0'],
    weight: STRONG,
    graded: false,
    why: `the token-exchange grant is still there (${e.tokenExchange}) (v2.0)`,
  }
}

function noParamsSignal(code: string | undefined): Signal | undefined {
  if (code === 'invalid_request')
    return {
      supports: ['1.3'],
      weight: WEAK,
      graded: true,
      why: 'a request with no parameters gets invalid_request (v1.3-v1.6)',
    }
  if (code === 'unsupported_grant_type')
    return {
      supports: ALL.filter((p) => p !== '1.3'),
      weight: WEAK,
      graded: true,
      why: 'a request with no parameters gets unsupported_grant_type (v1.7 and later)',
    }
  return undefined
}

export function detectProfile(evidence: Evidence): Detection {
  // the one signal that quotes the target (its X-Version): neutral before any sentence carries it to an output
  const e = evidence.xVersion ? { ...evidence, xVersion: neutral(evidence.xVersion, { max: 40 }) } : evidence
  const x = e.xVersion ? xVersionSignal(e.xVersion) : {}
  const signals = [
    x.signal,
    ...(e.claims ? claimSignals(e.claims, e.clientId) : []),
    tokenExchangeSignal(e),
    noParamsSignal(e.noParamsError),
  ].filter((s): s is Signal => !!s)
  // a lone empty-request code that every line from v1.7 on answers tells nothing
  const telling = signals.filter((s) => s.supports.length < ALL.length - 1 || s.weight > WEAK)
  if (!telling.length)
    return { profile: null, from: [], conflicts: [], candidates: [], ...(x.newer ? { newer: x.newer } : {}) }
  const score = (p: ProfileId, only?: (s: Signal) => boolean) =>
    telling.filter((s) => (!only || only(s)) && s.supports.includes(p)).reduce((n, s) => n + s.weight, 0)
  const best = [...ALL].sort(
    (a, b) =>
      score(b) - score(a) ||
      score(b, (s) => !s.graded) - score(a, (s) => !s.graded) ||
      PREFERENCE.indexOf(a) - PREFERENCE.indexOf(b),
  )[0]!
  const ordered = [...telling].sort(
    (a, b) => Number(b.supports.includes(best)) - Number(a.supports.includes(best)) || b.weight - a.weight,
  )
  const conflicts = ordered
    .filter((s) => !s.supports.includes(best))
    .map((s) => `${s.why} -> ${s.supports.map((p) => PROFILES[p].label).join(' or ')}`)
  // the profiles every independent signal allows (none, when they disagree among themselves)
  const independent = telling.filter((s) => !s.graded)
  const candidates = ALL.filter(
    (p) =>
      p !== best &&
      independent.every((s) => s.supports.includes(p)) &&
      independent.every((s) => s.supports.includes(best)),
  )
  return {
    profile: best,
    from: ordered.map((s) => s.why),
    conflicts,
    candidates,
    ...(x.newer ? { newer: x.newer } : {}),
  }
}
