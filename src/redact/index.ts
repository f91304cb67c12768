/**
 * The secret registry. Every configured client secret and every token the kit obtains is registered the
 * moment it exists; everything that leaves the kit (console, reports, error messages) goes through redact().
 * A whole signed JWT is never printed, registered or not: tokens are shown only as decoded header and claims.
 */

import { decodeCompact } from '../jwt/index.ts'
import { Fragments, LONG_RUN, normalise, replaceJwts } from './scan.ts'

const secrets = new Map<string, string>() // value -> label
/**
 * Client secrets' forms whose every run of FRAGMENT characters is a secret too: a target that echoes half a secret
 * has leaked it. Tokens are not among them: they are redacted whole, and by their signature.
 */
const fragmentSources = new Set<string>()
/**
 * What a target may echo in another form (upper-cased, reversed, \u-escaped, split over lines): client secrets (any
 * FRAGMENT characters of one) and issued tokens' signatures (any TOKEN_RUN characters), looked for in the normalised
 * text (scan.ts) once the usual redaction is done.
 */
const disguised = new Fragments()
/** The shortest run of a token's signature that is a secret too (long base64url: 16 characters are no chance). */
export const TOKEN_RUN = 16
/** The shortest run of a secret's characters that is itself a secret (a target may echo a part of one). */
export const FRAGMENT = 8

/**
 * The registry indexed by each value's first four characters, each list longest first: redact() looks up the
 * values that can start at a position instead of searching the text for every value (a run registers thousands:
 * every token, forged token and secret form), which made redaction the kit's most expensive step. Built once, when
 * first needed, and kept up to date as values are registered (rebuilding it at each new token made a run's
 * redaction grow with the square of its tokens).
 */
let index: Map<string, string[]> | undefined
/** Every FRAGMENT-character window of a fragment source, with the source and where in it the window starts. */
let windows: Map<string, Array<{ source: string; at: number }>> | undefined
const KEY = 4
function lookup(): Map<string, string[]> {
  if (index) return index
  index = new Map()
  windows = new Map()
  for (const source of fragmentSources) indexWindows(source)
  for (const value of secrets.keys()) indexValue(value)
  return index
}

/** A newly registered value into the index, if built: its list stays longest first. */
function indexValue(value: string): void {
  if (!index) return
  const k = value.slice(0, KEY)
  const list = index.get(k)
  if (!list) index.set(k, [value])
  else {
    const at = list.findIndex((v) => v.length < value.length)
    list.splice(at === -1 ? list.length : at, 0, value)
  }
}

/** A newly registered fragment source's windows, if the index is built. */
function indexWindows(source: string): void {
  if (!windows) return
  for (let at = 0; at + FRAGMENT <= source.length; at++) {
    const w = source.slice(at, at + FRAGMENT)
    const list = windows.get(w)
    if (list) list.push({ source, at })
    else windows.set(w, [{ source, at }])
  }
}

/** Register a value under a label, and a fragment source, keeping the index current. */
function addSecret(value: string, label: string): void {
  if (secrets.has(value)) return
  secrets.set(value, label)
  indexValue(value)
}
function addFragmentSource(value: string): void {
  if (value.length <= FRAGMENT || fragmentSources.has(value)) return
  fragmentSources.add(value)
  indexWindows(value)
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

/**
 * Register a secret value under a label shown in its place ("notification client secret"): every form of it, and
 * every run of FRAGMENT or more of its characters (a target that echoes half a secret has leaked it).
 */
export function registerSecret(value: string | undefined, label: string): void {
  registerValue(value, label, true)
}

function registerValue(value: string | undefined, label: string, fragments: boolean): void {
  if (!value || value.length < 4) return
  for (const variant of secretForms(value)) {
    addSecret(variant, label)
    if (fragments) addFragmentSource(variant)
  }
  if (fragments) disguised.add(value, label, FRAGMENT)
}

/** Register a token: the compact form and its signature alone, so a fragment cannot leak either. */
export function registerToken(compact: string | undefined, label = 'access token'): void {
  if (!compact) return
  registerValue(compact, label, false)
  const signature = compact.split('.')[2]
  if (signature && signature.length >= 16) registerValue(signature, `${label} signature`, false)
  if (signature) disguised.add(signature, `${label} signature`, TOKEN_RUN)
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi

/**
 * The first run of FRAGMENT or more characters of a secret (in any of its forms) that a text holds, or null; also in
 * the text normalised (escapes decoded, white space removed, lower-cased) and read backwards, as a target may echo
 * it upper-cased, reversed, \u-escaped or split over lines. Whole UUIDs that are not the secret are left out first
 * when they share fewer than LONG_RUN characters with it: the kit's client ids and a target's request ids are UUIDs
 * like most secrets, and an 8-character window of one holds as few as 16 random bits, so another UUID matches one
 * by chance now and then; it does not share 16 (a secret with one character changed is still the secret).
 */
export function secretFragmentIn(text: string, secret: string): string | null {
  if (!text || secret.length < FRAGMENT) return null
  const forms = secretForms(secret)
  if (forms.some((f) => text.includes(f))) return secret
  const rest = text.replace(UUID, (u) => (u === secret ? u : ' '))
  for (const form of forms)
    for (let at = 0; at + FRAGMENT <= form.length; at++) {
      const w = form.slice(at, at + FRAGMENT)
      if (rest.includes(w)) return w
    }
  const one = new Fragments()
  one.add(secret, 'secret', FRAGMENT)
  const norm = normalise(text).text
  const run = one.find(norm)[0]
  return run ? norm.slice(run.start, run.end) : null
}

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

/**
 * Redact every registered secret, every whole JWT (three base64url parts, the first a JSON object: "eyJ") and every
 * credential-shaped URL parameter or header; then any piece of a secret or token signature left in another form.
 * Linear in the text's length (scan.ts): a target's body may be half a megabyte.
 */
export function redact(text: string): string {
  if (!text) return text
  let out = replaceRegistered(replaceJwts(text, describeJwt))
  out = out.replace(QUERY_SECRET_PATTERN, '$1[REDACTED]')
  out = out.replace(AUTH_HEADER_PATTERN, '$1[REDACTED]')
  return removeDisguised(out)
}

/**
 * Every run of a client secret (FRAGMENT or more characters) or of a token's signature (TOKEN_RUN or more) that the
 * text still holds once normalised (scan.ts: escapes decoded, white space removed, lower-cased, also read backwards),
 * replaced with all the text it came from.
 */
function removeDisguised(text: string): string {
  if (!disguised.size) return text
  const norm = normalise(text)
  const runs = disguised.find(norm.text)
  if (!runs.length) return text
  let out = ''
  let from = 0
  for (const r of runs) {
    const start = norm.from[r.start]!
    if (start >= from) out += `${text.slice(from, start)}[REDACTED piece of the ${r.label}, in another form]`
    from = Math.max(from, norm.to[r.end - 1]!)
  }
  return out + text.slice(from)
}

/**
 * Every registered value in the text replaced by its label, left to right, the longest that starts at a position
 * first; then any run of FRAGMENT or more characters of a client secret (see fragmentAt).
 */
function replaceRegistered(text: string): string {
  if (!secrets.size || text.length < KEY) return text
  const idx = lookup()
  let out = ''
  let from = 0
  for (let i = 0; i <= text.length - KEY; ) {
    const candidates = idx.get(text.slice(i, i + KEY))
    const hit = candidates?.find((v) => text.startsWith(v, i))
    const piece = hit ? undefined : fragmentAt(text, i)
    if (!hit && !piece) {
      i++
      continue
    }
    out += `${text.slice(from, i)}[REDACTED ${hit ? secrets.get(hit) : `fragment of a ${secrets.get(piece!.source)}`}]`
    i += hit ? hit.length : piece!.length
    from = i
  }
  return from ? out + text.slice(from) : text
}

/**
 * The longest run of a client secret's characters (FRAGMENT or more) starting at position i, or undefined. A window
 * inside a whole UUID that is not a registered secret is left alone (another UUID, matching by chance: see
 * secretFragmentIn).
 */
function fragmentAt(text: string, i: number): { source: string; length: number } | undefined {
  if (!windows?.size) return undefined
  const found = windows.get(text.slice(i, i + FRAGMENT))
  if (!found) return undefined
  let best: { source: string; length: number } | undefined
  for (const { source, at } of found) {
    let n = FRAGMENT
    while (i + n < text.length && at + n < source.length && text[i + n] === source[at + n]) n++
    if (!best || n > best.length) best = { source, length: n }
  }
  if (best && best.length < LONG_RUN && insideOtherUuid(text, i, best.length)) return undefined
  return best
}

function insideOtherUuid(text: string, i: number, n: number): boolean {
  const near = text.slice(Math.max(0, i - 36), i + n + 36)
  const offset = Math.max(0, i - 36)
  for (const m of near.matchAll(UUID)) {
    const start = offset + m.index
    if (start <= i && start + m[0].length >= i + n && !secrets.has(m[0])) return true
  }
  return false
}

/**
 * Redact a value of any shape by way of its JSON text (a piece removed across its punctuation leaves no JSON: the
 * value is then replaced whole).
 */
export function redactValue<T>(value: T): T {
  if (value === undefined) return value
  try {
    return JSON.parse(redact(JSON.stringify(value))) as T
  } catch {
    return '[REDACTED: a value that held a piece of a secret]' as T
  }
}

/**
 * The registry's entries (value, label, whether its fragments are secrets too, or the shortest run of it that is:
 * a token's signature), to hand to another process.
 */
export function registryEntries(): Array<[string, string, (boolean | number)?]> {
  const entries = [...secrets.entries()].map(([v, l]): [string, string, boolean?] =>
    fragmentSources.has(v) ? [v, l, true] : [v, l],
  )
  return [...entries, ...disguised.entries().filter((e) => e[2] !== FRAGMENT)]
}

/** Take in another process's registry entries (see registryEntries). */
export function adoptRegistry(entries: Array<[string, string, (boolean | number)?]>): void {
  for (const [value, label, fragments] of entries) {
    if (typeof value !== 'string' || value.length < 4) continue
    if (typeof fragments === 'number') {
      disguised.add(value, String(label), Math.max(FRAGMENT, fragments))
      continue
    }
    if (fragments === true) disguised.add(value, String(label), FRAGMENT)
    addSecret(value, String(label))
    if (fragments === true) addFragmentSource(value)
  }
}
