/**
 * The contract fingerprint: what a run observed of the token contract, as flat facts, and how two
 * fingerprints differ (the upgrade comparison). Keys are dotted: a group, then an item, then (for facts
 * that differ per client type) the type, e.g. 'jwt.aud.NOTIFICATION'. Only what the deployment answered
 * is here, never what the release profile expects.
 */

export type ContractFacts = Record<string, unknown>

/** One group of the fingerprint: its title, and what an integrator must do when it changes. */
interface Group {
  prefix: string
  title: string
  advice: (d: Drift) => string | null
}

export interface Drift {
  key: string
  group: string
  /** "sub (NOTIFICATION): Mongo id -> client_id". */
  text: string
  before: unknown
  after: unknown
  /** What integrators must change, when they must. */
  action: string | null
}

const MONGO_ID = /^[0-9a-f]{24}$/

/** How a token's sub relates to the client: the rule, never the value. */
export function describeSub(sub: unknown, clientId: string): string {
  if (typeof sub !== 'string' || sub === '') return `not a non-empty string (${JSON.stringify(sub)})`
  if (sub === clientId) return 'client_id'
  return MONGO_ID.test(sub) ? 'Mongo id (not the client_id)' : 'another id (not the client_id)'
}

/** The shape of a release's scope strings: v1.x plain names, v1.9 "record.create[event=birth|death]", v2.0 "type=record.create&event=birth". */
export function scopeFormat(scopes: unknown): string | null {
  if (!Array.isArray(scopes) || !scopes.length) return null
  const kinds = new Set<string>(
    scopes
      .map(String)
      .map((x) =>
        /^type=[^&]+(&[^=&]+=[^&]*)*$/.test(x)
          ? 'type=<action>&<key>=<values>'
          : /^[\w.-]+\[[^\]]*\]$/.test(x)
            ? '<scope>[<key>=<values>]'
            : /^[A-Za-z][\w.-]*$/.test(x)
              ? 'plain names'
              : 'other',
      ),
  )
  const order = ['plain names', '<scope>[<key>=<values>]', 'type=<action>&<key>=<values>', 'other']
  const shape = order.filter((k) => kinds.has(k)).join(' + ')
  const era: Record<string, string> = {
    'plain names': 'v1.x style',
    'plain names + <scope>[<key>=<values>]': 'v1.9 style',
    '<scope>[<key>=<values>]': 'v1.9 style',
    'type=<action>&<key>=<values>': 'v2.0 style',
  }
  return era[shape] ? `${shape} (${era[shape]})` : shape
}

const changed = (d: Drift, text: string) => (JSON.stringify(d.before) === JSON.stringify(d.after) ? null : text)

const GROUPS: Group[] = [
  { prefix: 'release', title: 'Release', advice: () => null },
  {
    prefix: 'tokenRoute',
    title: 'Token route',
    advice: (d) => changed(d, 'Update the token URL in every integration.'),
  },
  {
    prefix: 'requestFormats',
    title: 'Request formats',
    advice: (d) =>
      d.before === true && d.after !== true
        ? `Integrations that send ${d.key.split('.')[1]} requests must move to a format the new release reads.`
        : d.after === true && d.before !== true && d.key.endsWith('.form')
          ? 'Integrations can now send a form body: move client_secret out of the URL (RFC 6749 §2.3.1).'
          : null,
  },
  {
    prefix: 'request',
    title: 'Parameter precedence',
    advice: () => 'Send every parameter in one place (the body where the release reads it).',
  },
  {
    prefix: 'response',
    title: 'Token response',
    advice: () => 'Check that token clients parse the new response (members, Content-Type) and never cache it.',
  },
  {
    prefix: 'errors',
    title: 'Error code per failure case',
    advice: () => 'Error handling keyed on the old code or status must accept the new one.',
  },
  { prefix: 'methods', title: 'HTTP methods on the token route', advice: () => null },
  {
    prefix: 'jwt.alg',
    title: 'JWT header',
    advice: () => 'Verifiers pin the algorithm: update the pinned list before the upgrade.',
  },
  { prefix: 'jwt.typ', title: 'JWT header', advice: () => 'Verifiers that check typ must accept the new value.' },
  { prefix: 'jwt.headerNames', title: 'JWT header', advice: () => null },
  {
    prefix: 'jwt.claimNames',
    title: 'JWT claims',
    advice: () => 'Code that reads a removed claim must stop relying on it.',
  },
  { prefix: 'jwt.iss', title: 'JWT claims', advice: () => 'Services that validate iss must accept the new issuer.' },
  {
    prefix: 'jwt.aud',
    title: 'Audience (aud)',
    advice: () => 'Services that validate aud must accept the new audience list.',
  },
  {
    prefix: 'jwt.sub',
    title: 'Subject (sub)',
    advice: () =>
      'Anything keyed on sub (audit logs, per-client limits, mappings) must be re-keyed: the same client now has another sub.',
  },
  {
    prefix: 'scopes',
    title: 'Scopes per client type',
    advice: () =>
      "Code that checks scope strings must match the new names and format; re-check each client's permissions.",
  },
  {
    prefix: 'lifetime',
    title: 'Token lifetime per client type',
    advice: () => 'Token caches must renew before the new exp.',
  },
  {
    prefix: 'key',
    title: 'Signing key',
    advice: (d) =>
      d.key === 'key.fingerprint' ? 'Verifiers that pinned or cached the public key must fetch the new one.' : null,
  },
  { prefix: 'tls', title: 'TLS', advice: () => null },
]

function groupOf(key: string): Group {
  return (
    GROUPS.find((g) => key === g.prefix || key.startsWith(`${g.prefix}.`)) ?? {
      prefix: key.split('.')[0]!,
      title: key.split('.')[0]!,
      advice: () => null,
    }
  )
}

/** Fingerprint keys in reading order: by group, then by key. */
export function orderFacts(facts: ContractFacts): ContractFacts {
  // a key of no known group goes last
  const rank = (k: string) => {
    const i = GROUPS.indexOf(groupOf(k))
    return i < 0 ? GROUPS.length : i
  }
  return Object.fromEntries(Object.entries(facts).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)))
}

const show = (v: unknown): string =>
  v === undefined ? '(not observed)' : typeof v === 'string' ? v : JSON.stringify(v)

/** "aud: 12 -> 6 entries (-a, -b; +c)", "request formats: +json +form", "sub: Mongo id -> client_id". */
function describe(key: string, before: unknown, after: unknown): string {
  const parts = key.split('.')
  const type = ['jwt.aud', 'jwt.sub', 'scopes', 'lifetime'].some((p) => key.startsWith(`${p}.`))
    ? parts[parts.length - 1]
    : undefined
  const name = type
    ? `${parts
        .slice(0, -1)
        .join('.')
        .replace(/^jwt\./, '')} (${type})`
    : key.replace(/^jwt\./, '')
  if (key.startsWith('requestFormats.')) {
    const f = parts[1]
    return before === true && after !== true
      ? `request formats: -${f}`
      : after === true && before !== true
        ? `request formats: +${f}`
        : `request formats: ${f} ${show(before)} -> ${show(after)}`
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const removed = before.filter((x) => !after.includes(x))
    const added = after.filter((x) => !before.includes(x))
    const lists = [
      removed.length ? removed.map((x) => `-${show(x)}`).join(', ') : '',
      added.length ? added.map((x) => `+${show(x)}`).join(', ') : '',
    ]
      .filter(Boolean)
      .join('; ')
    const entries = (n: number) => `${n} ${n === 1 ? 'entry' : 'entries'}`
    const count =
      before.length !== after.length
        ? `${before.length} -> ${entries(after.length)}`
        : removed.length || added.length
          ? entries(after.length)
          : 'same entries, new order'
    let text = `${name}: ${count}${lists ? ` (${lists})` : ''}`
    if (key.startsWith('scopes.')) {
      const [fb, fa] = [scopeFormat(before), scopeFormat(after)]
      if (fb && fa && fb !== fa) text = `${name}: scope format ${fb} -> ${fa}; ${count}${lists ? ` (${lists})` : ''}`
    }
    return text
  }
  if (key.startsWith('lifetime.') && typeof before === 'number' && typeof after === 'number')
    return `${name}: ${before} s -> ${after} s`
  return `${name}: ${show(before)} -> ${show(after)}`
}

/** Every fact that differs between two fingerprints, in reading order, with what integrators must change. */
export function contractDrift(before: ContractFacts, after: ContractFacts): Drift[] {
  const keys = Object.keys(orderFacts({ ...before, ...after }))
  const out: Drift[] = []
  for (const key of keys) {
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue
    const g = groupOf(key)
    const d: Drift = {
      key,
      group: g.title,
      text: describe(key, before[key], after[key]),
      before: before[key],
      after: after[key],
      action: null,
    }
    // a fact one run did not observe is not drift an integrator acts on
    d.action = before[key] === undefined || after[key] === undefined ? null : g.advice(d)
    out.push(d)
  }
  return out
}
