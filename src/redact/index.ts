/**
 * The secret registry. Every configured client secret and every token the kit obtains is registered the
 * moment it exists; everything that leaves the kit (console, reports, error messages) goes through redact().
 * A whole signed JWT is never printed, registered or not: tokens are shown only as decoded header and claims.
 */

import { decodeCompact } from '../jwt/index.ts'

const secrets = new Map<string, string>() // value -> label

/**
 * The registry indexed by each value's first four characters, each list longest first: redact() looks up the
 * values that can start at a position instead of searching the text for every value (a run registers thousands:
 * every token, forged token and secret form), which made redaction the kit's most expensive step. Rebuilt when
 * the registry has grown.
 */
let index: Map<string, string[]> | undefined
const KEY = 4
function lookup(): Map<string, string[]> {
  if (index) return index
  index = new Map()
  for (const value of secrets.keys()) {
    const k = value.slice(0, KEY)
    const list = index.get(k)
    if (list) list.push(value)
    else index.set(k, [value])
  }
  for (const list of index.values()) list.sort((a, b) => b.length - a.length)
  return index
}

/**
 * Every form a secret can take in what a target echoes or a report holds: raw, JSON-escaped, URL-encoded (both
 * ways of writing a space), base64 and base64url (as inside a claim or a Basic credential of its own).
 */
export function secretForms(value: string): string[] {
  const url = encodeURIComponent(value)
  const b64 = Buffer.from(value).toString('base64')
  return [
    ...new Set([
      value,
      JSON.stringify(value).slice(1, -1),
      url,
      url.replace(/%20/g, '+'),
      b64,
      b64.replace(/=+$/, ''),
      Buffer.from(value).toString('base64url'),
    ]),
  ].filter((v) => v.length >= 4)
}

/** Register a secret value under a label shown in its place ("notification client secret"). */
export function registerSecret(value: string | undefined, label: string): void {
  if (!value || value.length < 4) return
  for (const variant of secretForms(value)) {
    if (!secrets.has(variant)) {
      secrets.set(variant, label)
      index = undefined
    }
  }
}

/** Register a token: the compact form and its signature alone, so a fragment cannot leak either. */
export function registerToken(compact: string | undefined, label = 'access token'): void {
  if (!compact) return
  registerSecret(compact, label)
  const signature = compact.split('.')[2]
  if (signature && signature.length >= 16) registerSecret(signature, `${label} signature`)
}

/** Compact JWS/JWT: three base64url segments, the first a JSON object ("eyJ"). */
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g
/**
 * A credential-shaped URL parameter: its value is what a query value can hold unescaped (RFC 3986 unreserved,
 * percent-escapes, !$*@; not the parentheses, quote or the punctuation ending a phrase: ,;:), so the text
 * around it is kept: the ")" of "(?access_token=)" (an empty value: nothing to remove), and a JSON-escaped line
 * break ("\\n") with the next line's "POST" when evidence is redacted as JSON text (redactValue).
 */
const QUERY_SECRET_PATTERN =
  /((?:client_secret|subject_token|access_token|token)=)(?!\[REDACTED)[A-Za-z0-9._~+/=%!$*@-]+/gi
const AUTH_HEADER_PATTERN = /\b(authorization["']?\s*[:=]\s*["']?(?:basic|bearer)\s+)[A-Za-z0-9._~+/=-]+/gi

function describeJwt(compact: string): string {
  try {
    const { header, claims } = decodeCompact(compact)
    const show = (v: unknown) => (typeof v === 'string' ? v.slice(0, 64) : typeof v === 'number' ? String(v) : typeof v)
    return `[JWT alg=${show(header.alg)} sub=${show(claims.sub)}; signature removed]`
  } catch {
    return '[JWT; redacted]'
  }
}

/** Redact every registered secret, every whole JWT and every credential-shaped URL parameter or header. */
export function redact(text: string): string {
  if (!text) return text
  let out = replaceRegistered(text.replace(JWT_PATTERN, (m) => describeJwt(m)))
  out = out.replace(QUERY_SECRET_PATTERN, '$1[REDACTED]')
  out = out.replace(AUTH_HEADER_PATTERN, '$1[REDACTED]')
  return out
}

/** Every registered value in the text replaced by its label, left to right, the longest that starts at a position first. */
function replaceRegistered(text: string): string {
  if (!secrets.size || text.length < KEY) return text
  const idx = lookup()
  let out = ''
  let from = 0
  for (let i = 0; i <= text.length - KEY; ) {
    const candidates = idx.get(text.slice(i, i + KEY))
    const hit = candidates?.find((v) => text.startsWith(v, i))
    if (!hit) {
      i++
      continue
    }
    out += `${text.slice(from, i)}[REDACTED ${secrets.get(hit)}]`
    i += hit.length
    from = i
  }
  return from ? out + text.slice(from) : text
}

/** Redact a value of any shape by way of its JSON text. */
export function redactValue<T>(value: T): T {
  if (value === undefined) return value
  return JSON.parse(redact(JSON.stringify(value))) as T
}

/** The registry's entries (value, label), to hand to another process with the evidence it covers. */
export function registryEntries(): Array<[string, string]> {
  return [...secrets.entries()]
}

/** Take in another process's registry entries (see registryEntries). */
export function adoptRegistry(entries: Array<[string, string]>): void {
  for (const [value, label] of entries) {
    if (typeof value === 'string' && value.length >= 4 && !secrets.has(value)) {
      secrets.set(value, String(label))
      index = undefined
    }
  }
}
