/**
 * Release-line detection from observable evidence: the gateway's X-Version header, the token's claims
 * (audience list, userType, sub) and the error code for a request with no parameters.
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
}

export interface Detection {
  profile: ProfileId | null
  /** One line per piece of evidence, in the order it was weighed. */
  from: string[]
  /** Evidence that points at different lines. */
  conflicts: string[]
}

export function detectProfile(e: Evidence): Detection {
  const votes: Array<{ profile: ProfileId; why: string }> = []
  if (e.xVersion) {
    const p = profileForRelease(e.xVersion)
    if (p) votes.push({ profile: p.id, why: `gateway X-Version header says ${e.xVersion}` })
  }
  const aud = Array.isArray(e.claims?.aud) ? (e.claims!.aud as unknown[]).map(String) : undefined
  if (e.claims && aud) {
    const hasEvents = aud.includes('opencrvs:events-user')
    const hasHearth = aud.includes('opencrvs:hearth-user')
    const userType = e.claims.userType
    if (hasEvents && !hasHearth) {
      const subIsClient = e.clientId !== undefined && e.claims.sub === e.clientId
      votes.push({ profile: '2.0', why: `token aud has ${aud.length} entries with opencrvs:events-user and no hearth-user${subIsClient ? '; sub equals the client_id' : ''} (v2.0)` })
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
  return { profile: first?.profile ?? null, from: votes.map((v) => v.why), conflicts }
}
