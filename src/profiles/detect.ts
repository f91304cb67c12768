/**
 * Release-line detection from observable evidence: the gateway's X-Version header, the token's claims
 * (audience list, userType, sub), the error code for a request with no parameters, and on v2 the answer to a
 * token-exchange request (removed after v2.0.0: opencrvs-after-v2.0.md §8, the best discriminator).
 */
import { PROFILES, type ProfileId, profileForRelease } from './profiles.ts'

export interface Evidence {
  /** X-Version response header from the gateway (v1.6+). */
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
  /** One line per piece of evidence, in the order it was weighed. */
  from: string[]
  /** Evidence that points at different lines. */
  conflicts: string[]
  /** The X-Version of a release newer than every profile (judged against the newest one, differences REVIEW). */
  newer?: string
}

/** The newest release the kit has a profile for. */
const NEWEST = [2, 1]

/** Is this release (X-Version "2.2.0") newer than every profile? */
export function newerThanProfiles(version: string): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim())
  if (!m) return false
  const [major, minor] = [Number(m[1]), Number(m[2])]
  return major > NEWEST[0]! || (major === NEWEST[0] && minor > NEWEST[1]!)
}

export function detectProfile(e: Evidence): Detection {
  const votes: Array<{ profile: ProfileId; why: string }> = []
  let newer: string | undefined
  if (e.xVersion) {
    const p = profileForRelease(e.xVersion)
    if (p) votes.push({ profile: p.id, why: `gateway X-Version header says ${e.xVersion}` })
    else if (newerThanProfiles(e.xVersion)) {
      newer = e.xVersion
      votes.push({ profile: '2.1', why: `gateway X-Version header says ${e.xVersion}, newer than every release the kit has a profile for: judged against the newest, ${PROFILES['2.1'].label}` })
    }
  }
  const aud = Array.isArray(e.claims?.aud) ? (e.claims!.aud as unknown[]).map(String) : undefined
  if (e.claims && aud) {
    const hasEvents = aud.includes('opencrvs:events-user')
    const hasHearth = aud.includes('opencrvs:hearth-user')
    const userType = e.claims.userType
    if (hasEvents && !hasHearth) {
      const subIsClient = e.clientId !== undefined && e.claims.sub === e.clientId
      const claims = `token aud has ${aud.length} entries with opencrvs:events-user and no hearth-user${subIsClient ? '; sub equals the client_id' : ''}`
      // the best discriminator: before an X-Version that may still say 2.0.0 on a build with the change
      if (e.tokenExchange === 'unsupported_grant_type') votes.unshift({ profile: '2.1', why: `${claims} (v2), and the token-exchange grant is refused as unsupported: removed after v2.0.0 (PR #13644), so v2.1 (preview)` })
      else votes.push({ profile: '2.0', why: `${claims}${e.tokenExchange ? `, and the token-exchange grant is still there (${e.tokenExchange})` : ''} (v2.0)` })
    } else if (hasHearth && userType === 'system') {
      votes.push({ profile: '1.9', why: `token aud has ${aud.length} opencrvs:*-user entries incl. hearth-user, and userType "system" (v1.9)` })
    } else if (hasHearth && userType === undefined) {
      if (e.noParamsError === 'invalid_request') votes.push({ profile: '1.3', why: 'token has no userType claim, and a request with no parameters gets invalid_request (v1.3-v1.6)' })
      else if (e.noParamsError === 'unsupported_grant_type') votes.push({ profile: '1.7', why: 'token has no userType claim, and a request with no parameters gets unsupported_grant_type (v1.7-v1.8)' })
      else votes.push({ profile: '1.7', why: 'token has no userType claim and the v1 audience list (v1.3-v1.8; assumed v1.7-v1.8)' })
    }
  } else if (e.noParamsError === 'invalid_request') {
    votes.push({ profile: '1.3', why: 'a request with no parameters gets invalid_request (v1.3-v1.6)' })
  }
  const first = votes[0]
  const conflicts = votes.filter((v) => v.profile !== first?.profile).map((v) => `${v.why} -> ${PROFILES[v.profile].label}`)
  return { profile: first?.profile ?? null, from: votes.map((v) => v.why), conflicts, ...(newer ? { newer } : {}) }
}
