/**
 * Linear scans for the output boundary. A target's text can be half a megabyte: every scan here does a bounded
 * amount of work per character (no regular expression that backtracks over a long run), so redaction stays linear.
 *   jwtSpans()     where compact JWS/JWTs are, as /eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*\/g
 *                  would find them, in one pass (that pattern retries every "eyJ" to the end of a long run).
 *   normalise()    a text as a target may have disguised a secret in it: JSON and %-escapes decoded (any depth of
 *                  backslashes), white space removed, lower-cased; with where each character came from.
 *   Fragments      runs of registered values (lower-cased) in a normalised text, read forwards and backwards.
 */

const isB64 = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95

/** [start, end) of every compact JWS in the text; `minSignature`: the fewest characters its third part needs. */
export function jwtSpans(text: string, minSignature = 0): Array<[number, number]> {
  const spans: Array<[number, number]> = []
  for (let i = 0; i < text.length; ) {
    if (!isB64(text.charCodeAt(i)) && text[i] !== '.') {
      i++
      continue
    }
    let e = i
    while (e < text.length && (isB64(text.charCodeAt(e)) || text[e] === '.')) e++
    spansInRun(text, i, e, minSignature, spans)
    i = e
  }
  return spans
}

/** The JWS in one run of base64url characters and dots, taken part by part (each part looked at a bounded time). */
function spansInRun(text: string, start: number, end: number, minSig: number, spans: Array<[number, number]>): void {
  const parts: Array<[number, number]> = []
  for (let s = start, d = text.indexOf('.', start); ; d = text.indexOf('.', s)) {
    if (d === -1 || d >= end) {
      parts.push([s, end])
      break
    }
    parts.push([s, d])
    s = d + 1
  }
  for (let k = 0; k + 2 < parts.length; ) {
    const [s, e] = parts[k]!
    const o = text.slice(s, e).indexOf('eyJ')
    const ok = o !== -1 && e - (s + o) >= 5 && parts[k + 1]![1] - parts[k + 1]![0] >= 2
    if (ok && parts[k + 2]![1] - parts[k + 2]![0] >= minSig) {
      spans.push([s + o, parts[k + 2]![1]])
      k += 3
    } else k++
  }
}

/** Replace every compact JWS in the text. */
export function replaceJwts(text: string, describe: (compact: string) => string): string {
  const spans = jwtSpans(text)
  if (!spans.length) return text
  let out = ''
  let from = 0
  for (const [s, e] of spans) {
    out += text.slice(from, s) + describe(text.slice(s, e))
    from = e
  }
  return out + text.slice(from)
}

export interface Normalised {
  text: string
  /** For each character of `text`: where in the original text the piece it came from starts, and ends. */
  from: number[]
  to: number[]
}

const HEX4 = /^[0-9a-fA-F]{4}$/
const HEX2 = /^[0-9a-fA-F]{2}$/
const isSpace = (ch: string) => ch.charCodeAt(0) <= 32 || (ch.charCodeAt(0) > 127 && /\s/.test(ch))

/** The text with escapes decoded, white space removed and lower-cased (see the file's head). Linear. */
export function normalise(text: string): Normalised {
  const out: string[] = []
  const from: number[] = []
  const to: number[] = []
  const emit = (ch: string, s: number, e: number) => {
    if (isSpace(ch)) return
    for (const c of ch.toLowerCase()) {
      out.push(c)
      from.push(s)
      to.push(e)
    }
  }
  for (let i = 0; i < text.length; ) {
    const ch = text[i]!
    if (ch === '\\') {
      let j = i
      while (text[j] === '\\') j++
      if (text[j] === 'u' && HEX4.test(text.slice(j + 1, j + 5))) {
        emit(String.fromCharCode(Number.parseInt(text.slice(j + 1, j + 5), 16)), i, j + 5)
        i = j + 5
      } else if (text[j] !== undefined && 'nrtbf'.includes(text[j]!)) i = j + 1
      else i = j
    } else if (ch === '%' && HEX2.test(text.slice(i + 1, i + 3))) {
      emit(String.fromCharCode(Number.parseInt(text.slice(i + 1, i + 3), 16)), i, i + 3)
      i += 3
    } else {
      emit(ch, i, i + 1)
      i++
    }
  }
  return { text: out.join(''), from, to }
}

/** The fewest characters a window of a registered value has; longer runs are found by extending a window. */
const WINDOW = 8
/** A run of at least this many characters shared with a whole other UUID is no chance match (see Fragments.find). */
export const LONG_RUN = 16
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g

interface Source {
  value: string
  label: string
  min: number
}

/** Registered values whose runs (of each value's own minimum length or more) are secrets too. */
export class Fragments {
  private readonly windows = new Map<string, Array<{ source: Source; at: number }>>()
  private readonly values = new Set<string>()
  private readonly sources: Source[] = []

  /**
   * Add a value, normalised as the texts it is looked for in are (a secret may hold a space or a %):
   * any run of `min` (>= 8) or more of its characters is a piece of it.
   */
  add(value: string, label: string, min: number): void {
    const v = normalise(value).text
    if (v.length < Math.max(min, WINDOW) || this.values.has(v)) return
    this.values.add(v)
    const source = { value: v, label, min: Math.max(min, WINDOW) }
    this.sources.push(source)
    for (let at = 0; at + WINDOW <= v.length; at++) {
      const w = v.slice(at, at + WINDOW)
      const list = this.windows.get(w)
      if (list) list.push({ source, at })
      else this.windows.set(w, [{ source, at }])
    }
  }

  /** Every value (lower-cased), its label and shortest run, to hand to another process. */
  entries(): Array<[string, string, number]> {
    return this.sources.map((s) => [s.value, s.label, s.min])
  }

  get size(): number {
    return this.values.size
  }

  /** The runs in a normalised text, forwards or backwards: [start, end) in it, with the label of what they are. */
  find(text: string): Array<{ start: number; end: number; label: string }> {
    if (!this.values.size || text.length < WINDOW) return []
    const found = this.scan(text).map(([start, end, label]) => ({ start, end, label }))
    const n = text.length
    for (const [s, e, label] of this.scan(text.split('').reverse().join('')))
      found.push({ start: n - e, end: n - s, label })
    return found.sort((a, b) => a.start - b.start)
  }

  private scan(text: string): Array<[number, number, string]> {
    const runs: Array<[number, number, string]> = []
    for (let i = 0; i + WINDOW <= text.length; ) {
      const run = this.runAt(text, i)
      if (run) {
        runs.push([i, i + run.length, run.label])
        i += run.length
      } else i++
    }
    return runs
  }

  /**
   * The longest run starting at i, if long enough. A run shorter than LONG_RUN inside a whole UUID that is not a
   * registered value is left alone: client ids and request ids are UUIDs like most secrets, and an 8-character
   * window holds as few as 16 random bits, so another UUID shares one by chance now and then; it does not share 16.
   */
  private runAt(text: string, i: number): { length: number; label: string } | undefined {
    const found = this.windows.get(text.slice(i, i + WINDOW))
    if (!found) return undefined
    let best: { length: number; label: string } | undefined
    for (const { source, at } of found) {
      let n = WINDOW
      while (i + n < text.length && at + n < source.value.length && text[i + n] === source.value[at + n]) n++
      if (n >= source.min && (!best || n > best.length)) best = { length: n, label: source.label }
    }
    if (best && best.length < LONG_RUN && this.insideOtherUuid(text, i, best.length)) return undefined
    return best
  }

  private insideOtherUuid(text: string, i: number, n: number): boolean {
    const offset = Math.max(0, i - 36)
    for (const m of text.slice(offset, i + n + 36).matchAll(UUID)) {
      const start = offset + m.index
      if (start <= i && start + m[0].length >= i + n && !this.values.has(m[0])) return true
    }
    return false
  }
}
