/**
 * JWT decoding for display and checks. A token leaves the kit only as its decoded header and claims.
 */

export interface DecodedJwt {
  header: Record<string, unknown>
  claims: Record<string, unknown>
  /** Signature present (not empty). The signature itself is never kept here. */
  signed: boolean
  /** Segment lengths, for evidence ("36.600.342"). */
  lengths: string
}

export class JwtShapeError extends Error {}

/** A NumericDate above this is milliseconds, not seconds: seconds since 1970 stay below it until the year 5138. */
export const MS_THRESHOLD = 1e11

/** Decode a compact JWS without verifying it. Throws JwtShapeError naming what is wrong. */
export function decodeCompact(compact: string): DecodedJwt {
  const parts = compact.split('.')
  if (parts.length !== 3) throw new JwtShapeError(`a compact JWS has 3 dot-separated parts; this value has ${parts.length}`)
  const [h, p, s] = parts as [string, string, string]
  const b64url = /^[A-Za-z0-9_-]*$/
  if (!b64url.test(h) || !b64url.test(p) || !b64url.test(s)) throw new JwtShapeError('a part is not base64url')
  const parse = (seg: string, what: string): Record<string, unknown> => {
    let v: unknown
    try {
      v = JSON.parse(Buffer.from(seg, 'base64url').toString('utf8'))
    } catch {
      throw new JwtShapeError(`the ${what} is not base64url-encoded JSON`)
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new JwtShapeError(`the ${what} is not a JSON object`)
    return v as Record<string, unknown>
  }
  return { header: parse(h, 'header'), claims: parse(p, 'payload'), signed: s.length > 0, lengths: `${h.length}.${p.length}.${s.length}` }
}

/** The token as a person may see it: header and claims, signature cut off. */
export function tokenView(d: DecodedJwt): string {
  return `header ${JSON.stringify(d.header)}\nclaims ${JSON.stringify(d.claims)}\n(signature removed; segment lengths ${d.lengths})`
}
