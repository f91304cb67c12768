/**
 * JWT decoding for display and checks, in this one place (jose's decoders, then a bound on nesting). A token
 * leaves the kit only as its decoded header and claims.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose'

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

/** Deeper than this, a header or claims set is no token's: OpenCRVS claims nest two levels (scope, aud). */
export const MAX_NESTING = 16

/** How deep a JSON value nests, counted without recursion (a hostile value may nest tens of thousands deep). */
export function nesting(value: unknown, limit = MAX_NESTING): number {
  let deepest = 0
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length) {
    const [v, depth] = stack.pop()!
    if (v === null || typeof v !== 'object') continue
    deepest = Math.max(deepest, depth + 1)
    if (deepest > limit) return deepest
    for (const child of Object.values(v as object)) stack.push([child, depth + 1])
  }
  return deepest
}

/** Decode a compact JWS without verifying it. Throws JwtShapeError naming what is wrong. */
export function decodeCompact(compact: string): DecodedJwt {
  const parts = compact.split('.')
  if (parts.length !== 3)
    throw new JwtShapeError(`a compact JWS has 3 dot-separated parts; this value has ${parts.length}`)
  const [h, p, s] = parts as [string, string, string]
  const b64url = /^[A-Za-z0-9_-]*$/
  if (!b64url.test(h) || !b64url.test(p) || !b64url.test(s)) throw new JwtShapeError('a part is not base64url')
  let header: Record<string, unknown>
  let claims: Record<string, unknown>
  try {
    header = decodeProtectedHeader(compact) as Record<string, unknown>
  } catch {
    throw new JwtShapeError('the header is not base64url-encoded JSON object')
  }
  try {
    claims = decodeJwt(compact) as Record<string, unknown>
  } catch {
    throw new JwtShapeError('the payload is not a base64url-encoded JSON object')
  }
  for (const [what, value] of [
    ['header', header],
    ['payload', claims],
  ] as const) {
    const depth = nesting(value)
    if (depth > MAX_NESTING)
      throw new JwtShapeError(
        `the ${what} nests JSON more than ${MAX_NESTING} levels deep (a token's claims nest 2): not a token the kit will read`,
      )
  }
  return { header, claims, signed: s.length > 0, lengths: `${h.length}.${p.length}.${s.length}` }
}

/** The token as a person may see it: header and claims, signature cut off. */
export function tokenView(d: DecodedJwt): string {
  return `header ${JSON.stringify(d.header)}\nclaims ${JSON.stringify(d.claims)}\n(signature removed; segment lengths ${d.lengths})`
}
