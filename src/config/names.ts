/**
 * The variables the kit knows, from one list: every name .env.example documents (a self-test holds it to every name
 * the source reads), each client type's three, and the few the kit sets for its own processes. An unknown
 * OPENCRVS_* or CONFORMANCE_* name is named with the closest known one: a misspelt setting is the person's mistake,
 * reported as theirs, never silently ignored.
 */
import { existsSync, readFileSync } from 'node:fs'
import { CLIENT_TYPES } from '../profiles/profiles.ts'
import type { Env } from './env.ts'

const EXAMPLE = new URL('../../.env.example', import.meta.url)

/** Set by the kit for Playwright and its workers (the prepared run, its runtime and evidence), never by a person. */
export const INTERNAL_NAMES = [
  'CONFORMANCE_RUNTIME',
  'CONFORMANCE_SETUP_VERDICT',
  'CONFORMANCE_SETUP_CONTEXT',
  'CONFORMANCE_EVIDENCE',
  'CONFORMANCE_PREPARED',
]

/** A client type's variables: parseClients names an unknown type itself. */
const CLIENT_VARIABLE = /^OPENCRVS_[A-Z0-9_]+?_CLIENT_(ID|SECRET|SCOPES)$/

let known: Set<string> | undefined

/** Every variable the kit reads; empty when .env.example is missing (then no name is called unknown). */
export function knownNames(): Set<string> {
  if (known) return known
  if (!existsSync(EXAMPLE)) return (known = new Set())
  const documented = [...readFileSync(EXAMPLE, 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!)
  const clients = Object.keys(CLIENT_TYPES).flatMap((t) =>
    ['ID', 'SECRET', 'SCOPES'].map((k) => `OPENCRVS_${t}_CLIENT_${k}`),
  )
  return (known = new Set([...documented, ...clients, ...INTERNAL_NAMES]))
}

/** Edits between two names, a swap of neighbours counting one (ULR for URL is one slip, not two). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) d[0]![j] = j
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1)
      d[i]![j] = v
    }
  return d[a.length]![b.length]!
}

/**
 * The known name a person most likely meant: a few slips away (3 for a long name), or the name cut short or run
 * on (OPENCRVS_GATEWAY for OPENCRVS_GATEWAY_URL). Undefined when nothing is that close.
 */
export function closestName(name: string, candidates: Iterable<string> = knownNames()): string | undefined {
  let best: { name: string; d: number } | undefined
  for (const c of candidates) {
    const d = distance(name, c)
    const near = d <= (name.length > 16 ? 3 : 2) || c.startsWith(`${name}_`) || name.startsWith(`${c}_`)
    if (near && (!best || d < best.d)) best = { name: c, d }
  }
  return best?.name
}

/** A set OPENCRVS_* or CONFORMANCE_* name the kit does not read, and the known one closest to it. */
export interface UnknownName {
  name: string
  closest?: string
}

/** A name that looks like one of the kit's, in any case (a lower-case one is still the person's setting). */
export const OURS = /^(OPENCRVS|CONFORMANCE)_/i

export function unknownNames(env: Env): UnknownName[] {
  const names = knownNames()
  if (!names.size) return []
  return Object.keys(env)
    .filter((n) => OURS.test(n) && env[n]?.trim() && !names.has(n) && !CLIENT_VARIABLE.test(n))
    .sort()
    .map((name) => {
      // opencrvs_gateway_url is OPENCRVS_GATEWAY_URL written in the wrong case: the environment's names are exact
      const upper = name.toUpperCase()
      const closest = names.has(upper) || CLIENT_VARIABLE.test(upper) ? upper : closestName(upper, names)
      return closest ? { name, closest } : { name }
    })
}

/** What the console says of each unknown name (the run goes on when none is a near miss of an unset setting). */
export function unknownNameLines(env: Env, fromFile: string[], file: string): string[] {
  return unknownNames(env).map(
    (u) =>
      `Unknown variable ${u.name} (${fromFile.includes(u.name) ? `in ${file}` : 'in the environment'}): ` +
      (u.closest ? `did you mean ${u.closest}? ` : '') +
      'The kit ignores it; .env.example lists every variable.',
  )
}
