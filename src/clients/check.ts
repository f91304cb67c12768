/**
 * `npm run clients -- check`: every known and recorded client judged against every release as officially installed,
 * with no deployment, by the rules CLIENTS-01 applies (src/clients/judge.ts judgeRelease): a token or not, why, and
 * what to change in the client. The upgrade gate: a required client with no token on the release asked about.
 */
import { PROFILES, RELEASE_ORDER, type ProfileId } from '../profiles/profiles.ts'
import type { KnownClient } from './catalogue.ts'
import { judgeRelease, type ReleaseJudgement } from './judge.ts'
import type { RefusedFile } from './recorded.ts'
import { neutral } from '../redact/neutral.ts'

/** One column: a release, and for the preview after v2.0 whether NODE_ENV is production. */
export interface ReleaseColumn {
  id: ProfileId
  production: boolean
  label: string
}

export const COLUMNS: ReleaseColumn[] = RELEASE_ORDER.flatMap((id) =>
  PROFILES[id].queryDeprecation
    ? [
        { id, production: true, label: `${PROFILES[id].label}, production` },
        { id, production: false, label: `${PROFILES[id].label}, not production` },
      ]
    : [{ id, production: true, label: PROFILES[id].label }],
)

export interface ClientRow {
  id: string
  name: string
  source: string
  recorded: boolean
  required: boolean
  /** Per column label; null when the client's file is refused. */
  releases: Record<string, ReleaseJudgement> | null
  refused?: string[]
}

export function checkClients(clients: KnownClient[], refused: RefusedFile[], required: string[]): ClientRow[] {
  return [
    ...clients.map((c) => ({
      id: c.id,
      name: c.name,
      source: c.source,
      recorded: c.recorded !== undefined,
      required: required.includes(c.id),
      releases: Object.fromEntries(
        COLUMNS.map((col) => [col.label, judgeRelease(c, PROFILES[col.id], col.production)]),
      ),
    })),
    ...refused.map((f) => ({
      id: f.id,
      name: `${f.id} (recorded)`,
      source: f.file,
      recorded: true,
      required: required.includes(f.id),
      releases: null,
      refused: f.problems,
    })),
  ]
}

/** The columns a --release gate looks at: the release's line (both environments for the preview, unless production). */
export function gateColumns(id: ProfileId, productionOnly: boolean): ReleaseColumn[] {
  return COLUMNS.filter((c) => c.id === id && (!productionOnly || c.production))
}

/** The required clients that get no token on those columns (a refused file gets none anywhere). */
export function blocked(rows: ClientRow[], cols: ReleaseColumn[]): ClientRow[] {
  return rows.filter((r) => r.required && (!r.releases || cols.some((c) => !r.releases![c.label]!.works)))
}

/** The table, as plain text: one row a client, one column a release; then why and the fix for each "no". */
export function table(rows: ClientRow[]): string {
  const head = ['client', ...COLUMNS.map((c) => c.label)]
  const cells = rows.map((r) => [
    neutral(`${r.id}${r.required ? ' *' : ''}${r.recorded ? ' (recorded)' : ''}`, { max: 100 }),
    ...COLUMNS.map((c) => (!r.releases ? 'refused' : r.releases[c.label]!.works ? 'token' : 'NO')),
  ])
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)))
  const line = (row: string[]) =>
    row
      .map((x, i) => x.padEnd(width[i]!))
      .join(' | ')
      .trimEnd()
  const out = [line(head), width.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)]
  // a recorded file's names, paths and problems are a hand-edited file's text: neutral, as a target's text is
  const notes = rows.flatMap((r) => notesFor(r)).map((n) => neutral(n, { max: 4000 }))
  return [...out, '', '* required (CONFORMANCE_REQUIRED_CLIENTS)', ...(notes.length ? ['', ...notes] : [])].join('\n')
}

/** Why and the fix, once per distinct reason, naming the releases it applies to. */
function notesFor(r: ClientRow): string[] {
  if (!r.releases) return [`${r.id}: ${r.source} is refused: ${r.refused!.join('; ')}`]
  const byWhy = new Map<string, { cols: string[]; fix?: string }>()
  for (const c of COLUMNS) {
    const j = r.releases[c.label]!
    if (j.works) continue
    const e = byWhy.get(j.why!) ?? { cols: [], ...(j.fix ? { fix: j.fix } : {}) }
    e.cols.push(c.label)
    byWhy.set(j.why!, e)
  }
  return [...byWhy].map(
    ([why, e]) => `${r.id} on ${e.cols.join('; ')}: no token: ${why}.${e.fix ? ` Fix: ${e.fix}` : ''}`,
  )
}

/** The --json form: JSON escapes control characters; bidi controls and separators are escaped too. */
export function asJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}
