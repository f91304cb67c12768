/**
 * Release-line identification from observable evidence (DESIGN "Knowing the target"). Every signal but the gateway's
 * X-Version is also graded by some check (the audience list by JWT-CLM-02, the scope format by JWT-CLM-04, userType
 * by JWT-CLM-05, the empty request's code by TOKEN-GRANT-02, the token-exchange answer by TOKEN-GRANT-04), so:
 *   - the run's release is the line most of the evidence supports (X-Version decisive), and every signal that
 *     points elsewhere is listed as a contradiction;
 *   - a check that grades a signal is judged against the release the OTHER evidence identifies (`without`): the
 *     signal it grades never picks the release it is graded against, so a deviation in exactly that signal cannot
 *     move the check to a line where it passes;
 *   - the lines that need at most one deviation more than the chosen one (never against X-Version) stay candidates:
 *     a shortfall that is genuine behaviour of one of them is REVIEW, never FAILED (fixtures/kit.ts).
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
  /**
   * OAuth error code for a token-exchange request with a dummy subject token, event_id and action_id (and on v1.x a
   * dummy client_id and secret): v1.3-v1.6 and after v2.0.0 have no such grant (unsupported_grant_type), v1.7-v1.8
   * want record_id (invalid_request), v1.9 and v2.0 check the subject token (unauthorized_client).
   */
  tokenExchange?: string
}

export interface Detection {
  profile: ProfileId | null
  /** One line per piece of evidence, strongest first. */
  from: string[]
  /** Evidence that points at different lines. */
  conflicts: string[]
  /** Other profiles one more deviation away at most (never against X-Version): a shortfall genuine there is not FAILED. */
  candidates: ProfileId[]
  /** Per kind of signal: the release, and its candidates, that the evidence without that kind identifies. */
  without: Partial<Record<SignalKind, { profile: ProfileId; candidates: ProfileId[] }>>
  /** The X-Version of a release newer than every profile (judged against the newest one, differences REVIEW). */
  newer?: string
  /**
   * X-Version, when every other signal contradicts it (a proxy or a stale header): the release is the one the other
   * evidence identifies, X-Version is only a conflict, and it neither picks the release nor softens a verdict.
   */
  xVersionContradicted?: string
}

export type SignalKind = 'xVersion' | 'aud' | 'scope' | 'userType' | 'noParams' | 'tokenExchange'

/** The kind of signal each requirement grades: it is judged against the release the other evidence identifies. */
export const GRADED_SIGNAL: Record<string, SignalKind> = {
  'JWT-CLM-02': 'aud',
  'JWT-CLM-04': 'scope',
  'SCOPE-01': 'scope',
  'JWT-CLM-05': 'userType',
  'JWT-CLM-09': 'userType',
  'TOKEN-GRANT-02': 'noParams',
  'TOKEN-GRANT-04': 'tokenExchange',
}

/** How a reason names each kind of signal. */
export const SIGNAL_NAMES: Record<SignalKind, string> = {
  xVersion: "the gateway's X-Version",
  aud: "the token's audience list",
  scope: "the token's scope format",
  userType: "the token's userType",
  noParams: "the empty request's error code",
  tokenExchange: 'the token-exchange answer',
}

/** One observed signal: the profiles it supports, how much it weighs, and what kind it is. */
interface Signal {
  kind: SignalKind
  supports: ProfileId[]
  weight: number
  why: string
}

const ALL = RELEASE_ORDER
const V1: ProfileId[] = ['1.3', '1.7', '1.9']
const V2: ProfileId[] = ['2.0', '2.1']
/** On a tie, the released line before a preview, the newer before the older. */
const PREFERENCE: ProfileId[] = ['2.0', '1.9', '1.7', '1.3', '2.1']
const DECISIVE = 8
/** The audience list (v1 or v2) and the token-exchange answer (three ways) tell most. */
const STRONG = 3
const SOME = 2

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
  const kind = 'xVersion'
  if (p)
    return { signal: { kind, supports: [p.id], weight: DECISIVE, why: `gateway X-Version header says ${xVersion}` } }
  if (!newerThanProfiles(xVersion)) return {}
  const why = `gateway X-Version header says ${xVersion}, newer than every release the kit has a profile for: judged against the newest, ${PROFILES['2.1'].label}`
  return { signal: { kind, supports: ['2.1'], weight: DECISIVE, why }, newer: xVersion }
}

function audSignal(claims: Record<string, unknown>, clientId: string | undefined): Signal | undefined {
  const aud = Array.isArray(claims.aud) ? claims.aud.map(String) : undefined
  if (aud?.includes('opencrvs:events-user') && !aud.includes('opencrvs:hearth-user')) {
    const subIsClient = clientId !== undefined && claims.sub === clientId
    return {
      kind: 'aud',
      supports: V2,
      weight: STRONG,
      why: `token aud has ${aud.length} entries with opencrvs:events-user and no hearth-user${subIsClient ? '; sub equals the client_id' : ''} (v2)`,
    }
  }
  if (aud?.includes('opencrvs:hearth-user'))
    return {
      kind: 'aud',
      supports: V1,
      weight: STRONG,
      why: `token aud has ${aud.length} opencrvs:*-user entries incl. hearth-user (v1.x)`,
    }
  return undefined
}

/** The signals a token's claims carry: its audience list, its scope format, its userType. */
function claimSignals(claims: Record<string, unknown>, clientId: string | undefined): Signal[] {
  const aud = audSignal(claims, clientId)
  const out: Signal[] = aud ? [aud] : []
  const scopes = Array.isArray(claims.scope) ? claims.scope.map(String) : []
  const scope = (supports: ProfileId[], what: string): Signal => ({
    kind: 'scope',
    supports,
    weight: SOME,
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
  if (aud) {
    const userType = (supports: ProfileId[], why: string): Signal => ({ kind: 'userType', supports, weight: SOME, why })
    if (claims.userType === 'system') out.push(userType(['1.9', ...V2], 'token has userType "system" (v1.9 and later)'))
    else if (claims.userType === undefined)
      out.push(userType(['1.3', '1.7'], 'token has no userType claim (v1.3-v1.8)'))
  }
  return out
}

function tokenExchangeSignal(e: Evidence): Signal | undefined {
  const kind = 'tokenExchange'
  if (e.tokenExchange === 'unsupported_grant_type')
    return {
      kind,
      supports: ['1.3', '2.1'],
      weight: STRONG,
      why: 'the token-exchange grant is refused as unsupported: absent before v1.7, removed after v2.0.0 (PR #13644) (v1.3-v1.6 or v2.1)',
    }
  if (e.tokenExchange === 'invalid_request')
    return {
      kind,
      supports: ['1.7'],
      weight: STRONG,
      why: 'the token-exchange grant wants record_id, not event_id and action_id (v1.7-v1.8)',
    }
  if (e.tokenExchange === 'unauthorized_client')
    return {
      kind,
      supports: ['1.9', '2.0'],
      weight: STRONG,
      why: 'the token-exchange grant takes event_id and action_id and checks the subject token (v1.9, v2.0)',
    }
  return undefined
}

function noParamsSignal(code: string | undefined): Signal | undefined {
  const kind = 'noParams'
  if (code === 'invalid_request')
    return {
      kind,
      supports: ['1.3'],
      weight: SOME,
      why: 'a request with no parameters gets invalid_request (v1.3-v1.6)',
    }
  if (code === 'unsupported_grant_type')
    return {
      kind,
      supports: ALL.filter((p) => p !== '1.3'),
      weight: SOME,
      why: 'a request with no parameters gets unsupported_grant_type (v1.7 and later)',
    }
  return undefined
}

/**
 * The line the signals support most (on a tie the preferred), and its candidates: the other lines no X-Version rules
 * out that need at most one deviation more than it does (what contradicts them weighs at most SOME more).
 */
function pick(signals: Signal[]): { profile: ProfileId; candidates: ProfileId[] } {
  const score = (p: ProfileId) => signals.filter((s) => s.supports.includes(p)).reduce((n, s) => n + s.weight, 0)
  const profile = [...ALL].sort((a, b) => score(b) - score(a) || PREFERENCE.indexOf(a) - PREFERENCE.indexOf(b))[0]!
  const against = (p: ProfileId) => signals.filter((s) => !s.supports.includes(p))
  const weight = (p: ProfileId) => against(p).reduce((n, s) => n + s.weight, 0)
  const candidates = ALL.filter(
    (p) => p !== profile && !against(p).some((s) => s.kind === 'xVersion') && weight(p) - weight(profile) <= SOME,
  )
  return { profile, candidates }
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
  if (!signals.some((s) => s.supports.length < ALL.length - 1))
    return {
      profile: null,
      from: [],
      conflicts: [],
      candidates: [],
      without: {},
      ...(x.newer ? { newer: x.newer } : {}),
    }
  const overruled = xVersionOverruled(signals)
  if (overruled) return detection(overruled.rest, overruled, e.xVersion)
  return detection(signals, undefined, undefined, x.newer)
}

/** Evidence against X-Version, beyond one deviation: an audience list and a scope format, or more. */
const OVERRULES_X_VERSION = STRONG + SOME

interface Overruled {
  rest: Signal[]
  /** The lines X-Version named: never a candidate once it is set aside. */
  lines: ProfileId[]
  why: string
}

/**
 * X-Version is decisive unless every other signal contradicts it: none supports its line over the line the rest
 * identifies, and what supports that line and not X-Version's weighs more than one deviation. Then X-Version is
 * left out (its line no candidate, a newer release no excuse) and named as the conflict.
 */
function xVersionOverruled(signals: Signal[]): Overruled | undefined {
  const x = signals.find((s) => s.kind === 'xVersion')
  const rest = signals.filter((s) => s.kind !== 'xVersion')
  if (!x || !rest.some((s) => s.supports.length < ALL.length - 1)) return undefined
  const { profile } = pick(rest)
  const forX = (s: Signal) => x.supports.some((p) => s.supports.includes(p))
  if (x.supports.includes(profile) || rest.some((s) => forX(s) && !s.supports.includes(profile))) return undefined
  const weight = rest.filter((s) => !forX(s)).reduce((n, s) => n + s.weight, 0)
  if (weight < OVERRULES_X_VERSION) return undefined
  const why = `${x.why.split(':')[0]}, but every other signal says ${PROFILES[profile].label}`
  return { rest, lines: x.supports, why }
}

/** The release the signals identify, its candidates, conflicts and per-kind judgements; an overruled X-Version named. */
function detection(signals: Signal[], overruled?: Overruled, xVersion?: string, newer?: string): Detection {
  const picked = pick(signals)
  const best = picked.profile
  const candidates = picked.candidates.filter((p) => !overruled?.lines.includes(p))
  const ordered = [...signals].sort(
    (a, b) => Number(b.supports.includes(best)) - Number(a.supports.includes(best)) || b.weight - a.weight,
  )
  const conflicts = [
    ...(overruled ? [`${overruled.why} (X-Version set aside: it picks no release and softens no verdict)`] : []),
    ...ordered
      .filter((s) => !s.supports.includes(best))
      .map((s) => `${s.why} -> ${s.supports.map((p) => PROFILES[p].label).join(' or ')}`),
  ]
  const without: Detection['without'] = {}
  for (const kind of new Set(signals.map((s) => s.kind))) {
    const rest = signals.filter((s) => s.kind !== kind)
    if (rest.some((s) => s.supports.length < ALL.length - 1)) without[kind] = pick(rest)
  }
  return {
    profile: best,
    from: ordered.map((s) => s.why),
    conflicts,
    candidates,
    without,
    ...(newer ? { newer } : {}),
    ...(overruled && xVersion ? { xVersionContradicted: xVersion } : {}),
  }
}
