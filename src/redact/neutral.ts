/**
 * The output boundary for a target's text (DESIGN: "Target text is data, never markup or control"). Anything a target
 * sent may reach a terminal, a CI log, a job summary or a report only through these functions:
 *   neutral()  C0 and C1 control characters (ESC sequences, CR, BEL, ...), DEL, the Unicode bidi controls and the
 *              line and paragraph separators, the noncharacters U+FFFE and U+FFFF and unpaired surrogates (which XML 1.0
 *              forbids) are shown escaped (\u001b), never raw; new lines are folded (or kept,
 *              for multi-line evidence, each line then cut to a bound); and the whole has a bounded length.
 *   mdCode()   text as a Markdown code span no backtick run can break out of: no link, image, HTML or autolink
 *              forms in it, and a | cannot split a table cell.
 *   mdText()   plain text in Markdown (a table cell, a line): neutral, and every Markdown or HTML metacharacter
 *              backslash-escaped, so no link, image, HTML, emphasis or table cell break can form.
 *   mdBlock()  the same for a fenced block.
 *   listed()   a list of a target's items, a handful shown and the rest counted.
 */

/** Controls and invisible formatting a terminal, a log viewer or a renderer would act on. */
const UNSAFE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
const UNSAFE_WITH_TAB_NL =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

const escaped = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`

/** The most characters of one line, and of one text, that leave the kit. */
export const MAX_LINE = 1000
export const MAX_TEXT = 8000

/** Cut to `max` characters, saying how many more there were. */
export function bounded(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text
}

/**
 * A short excerpt of a target's text for a one-line reason: at most `max` characters, cut at a word (or JSON
 * punctuation) boundary when one is near, and saying it is cut ("… (cut)"), never ending mid-word silently.
 */
export function excerpt(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ').trim()
  if (one.length <= max) return one
  const head = one.slice(0, max)
  const at = Math.max(head.lastIndexOf(' '), head.lastIndexOf(','), head.lastIndexOf(':'))
  return `${at > max / 2 ? head.slice(0, at + 1).trimEnd() : head}… (cut)`
}

/**
 * Text safe for any output. `lines`: keep new lines (multi-line evidence), each line cut to MAX_LINE; otherwise
 * every line break is folded into a space.
 */
export function neutral(text: string, opts: { lines?: boolean; max?: number } = {}): string {
  const max = opts.max ?? (opts.lines ? MAX_TEXT : MAX_LINE)
  if (opts.lines) {
    const kept = text.replace(/\r\n/g, '\n').replace(UNSAFE, escaped).replace(/\t/g, '  ')
    return bounded(
      kept
        .split('\n')
        .map((l) => bounded(l, MAX_LINE))
        .join('\n'),
      max,
    )
  }
  return bounded(
    foldLines(text).replace(UNSAFE_WITH_TAB_NL, (c) => (c === '\t' ? ' ' : escaped(c))),
    max,
  )
}

/**
 * Every line break with the spaces and tabs around it as one space, in one pass (a pattern such as
 * /[ \t]*\n[ \t]*\/g retries each space of a long run to its end: a target's half megabyte of spaces took minutes).
 */
function foldLines(text: string): string {
  if (!text.includes('\n')) return text
  const blank = (c: string | undefined) => c === ' ' || c === '\t'
  return text
    .split('\n')
    .map((line, i, all) => {
      let s = 0
      let e = line.length
      if (i > 0) while (s < e && blank(line[s])) s++
      if (i < all.length - 1) while (e > s && blank(line[e - 1])) e--
      return line.slice(s, e)
    })
    .join(' ')
}

/** A Markdown code span that cannot be broken out of (the fence is longer than any backtick run inside). */
export function mdCode(text: string, inTable = true): string {
  const safe = neutral(text)
  if (!safe) return ''
  const longest = Math.max(0, ...(safe.match(/`+/g) ?? []).map((r) => r.length))
  const fence = '`'.repeat(longest + 1)
  const body = inTable ? safe.replace(/\|/g, '\\|') : safe
  return `${fence} ${body} ${fence}`
}

/** Plain text in Markdown: shown as written, never markup ([x](url), <img>, `code`, *emphasis*, a | cell break). */
export function mdText(text: string): string {
  return neutral(text).replace(/[\\`*_{}[\]()<>#+!|~&]/g, (c) => `\\${c}`)
}

/** A fenced Markdown block that cannot be closed from inside. */
export function mdBlock(text: string): string {
  const safe = neutral(text, { lines: true })
  const longest = Math.max(2, ...(safe.match(/`+/g) ?? []).map((r) => r.length))
  const fence = '`'.repeat(longest + 1)
  return `${fence}text\n${safe}\n${fence}`
}

/** A target's list, a handful of items shown: "a, b, c, d, e and 5 995 more". */
export function listed(items: unknown[], show = 5, join = ', '): string {
  const shown = items.slice(0, show).map((x) => (typeof x === 'string' ? x : JSON.stringify(x)))
  return items.length > show ? `${shown.join(join)} and ${items.length - show} more` : shown.join(join)
}
