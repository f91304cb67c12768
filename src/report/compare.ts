/**
 * The upgrade comparison: two conformance.json files (before and after an upgrade, or last night and
 * tonight) as Markdown: verdict changes with regressions first, the contract drift item by item, and what
 * integrators must change. A regression is a requirement that was met (PASSED, or graded WARNING, INFO or
 * REVIEW) and is now FAILED, or is now SKIPPED: lost coverage (what it needed stopped answering) is never quiet.
 */
import { REQUIREMENTS, VERDICTS, type Verdict } from '../requirements/catalogue.ts'
import { contractDrift, type Drift } from './contract.ts'
import { failedSince, type HistoryPoint, withRun } from './history.ts'
import { mdCode, neutral } from '../redact/neutral.ts'
import type { ConformanceReport, ResultEntry } from './model.ts'
import { PROFILES, RELEASE_ORDER } from '../profiles/profiles.ts'

export interface Comparison {
  markdown: string
  regressions: string[]
  drift: Drift[]
  /** The verdict history with both runs in it (what --history writes back). */
  points: HistoryPoint[]
}

const MET: Verdict[] = ['PASSED', 'WARNING', 'INFO', 'REVIEW']
/** Does a skip reason point at another requirement's verdict ("see GATEWAY-01"): what it needed stopped answering? */
const waitsOn = (id: string, reason: string) =>
  [...reason.matchAll(/\b[A-Z]+(?:-[A-Z]+)*-\d{2}\b/g)].some((m) => m[0] !== id)

interface Change {
  id: string
  before?: ResultEntry
  after?: ResultEntry
}

const cell = (s: string) => neutral(s).replace(/\|/g, '\\|')
const label = (r: ConformanceReport) =>
  `${r.target.version} at ${r.target.tokenUrl}${r.target.emulator ? ' (bundled emulator)' : ''}`

/**
 * The comparison of two runs. `history` (earlier runs, from --history) lets it say since when each FAILED
 * requirement has been FAILED; without it, the two runs are the history.
 */
export function compareReports(
  before: ConformanceReport,
  after: ConformanceReport,
  history: HistoryPoint[] = [],
): Comparison {
  const groups = classify(before, after)
  const points = withRun(withRun(history, before), after)
  const drift = contractDrift(before.contract ?? {}, after.contract ?? {})
  const { regressions, lost } = groups
  const backwards = releaseBackwards(before, after)
  const total = regressions.length + lost.length + backwards.length
  const lines = [
    ...header(before, after),
    ...backwards,
    ...stoppedClients(before, after),
    ...verdictChanges(groups),
    ...failedStreaks(after, points),
    ...driftSection(drift),
    ...integratorActions(drift, after),
    total
      ? `**${total} requirement(s) regressed${lost.length ? ` (${lost.length} of them no longer checked)` : ''}.**`
      : '**No requirement regressed.**',
    '',
  ]
  const ids = [...regressions, ...lost].map((c) => c.id)
  if (backwards.length && !ids.includes('PROFILE-01')) ids.push('PROFILE-01')
  return { markdown: lines.join('\n'), regressions: ids, drift, points }
}

/**
 * One target whose release goes backwards between two runs (v1.9 -> v1.7-v1.8): a downgrade, or identification
 * swayed by a deviation. Either way a finding, counted as a regression (PROFILE-01), never a quiet header cell.
 */
function releaseBackwards(before: ConformanceReport, after: ConformanceReport): string[] {
  if (before.target.tokenUrl !== after.target.tokenUrl) return []
  const rank = (r: ConformanceReport) =>
    RELEASE_ORDER.findIndex((id) => PROFILES[id].label === r.target.version.replace(/ \(.*$/, ''))
  const [b, a] = [rank(before), rank(after)]
  if (b < 0 || a < 0 || a >= b) return []
  return [
    '## The release went backwards',
    '',
    `The same target was ${cell(before.target.version)} and is now ${cell(after.target.version)}: a downgrade, or a deployment whose answers now look like an older line (see PROFILE-01 in the later run, which names the signals). Counted as a regression: check which release is deployed and set OPENCRVS_VERSION to it.`,
    '',
  ]
}

/** Each requirement FAILED now, and since when, as far as the history goes. */
function failedStreaks(after: ConformanceReport, points: HistoryPoint[]): string[] {
  const streaks = failedSince(points, after.target.tokenUrl)
  const ids = after.results.filter((x) => x.verdict === 'FAILED').map((x) => x.id)
  if (!ids.length) return []
  const runs = points.filter((p) => p.target === after.target.tokenUrl).length
  return [
    `## FAILED now, and since when (${runs} run(s) of this target in the history)`,
    '',
    '| Id | FAILED since | Runs in a row | Requirement |',
    '|---|---|---|---|',
    ...ids.map((id) => {
      const s = streaks[id]
      const since = s ? `${s.atLeast && s.runs > 1 ? 'at least ' : ''}${s.since}` : after.startedAt
      return `| ${id} | ${since} | ${s?.runs ?? 1} | ${cell(REQUIREMENTS[id]?.title ?? '')} |`
    }),
    '',
  ]
}

/** Each requirement whose verdict changed, in the group a reader acts on. */
function classify(before: ConformanceReport, after: ConformanceReport) {
  const b = new Map(before.results.map((r) => [r.id, r]))
  const a = new Map(after.results.map((r) => [r.id, r]))
  const ids = [...new Set([...b.keys(), ...a.keys()])]
  const changes: Change[] = ids
    .filter((id) => b.get(id)?.verdict !== a.get(id)?.verdict)
    .map((id) => ({ id, before: b.get(id), after: a.get(id) }))
  const isFailedNow = (c: Change) => c.after?.verdict === 'FAILED'
  const regressions = changes.filter((c) => isFailedNow(c) && c.before && MET.includes(c.before.verdict))
  // lost coverage: on the same release, any check no longer made; across an upgrade, one whose skip points at the
  // failure it waits on (a check of another requirement) rather than at what the new release no longer has
  const sameRelease = before.target.version === after.target.version
  // and any check the kit has that the later run did not make at all (a NOT CHECKED run makes none): a dead run
  // is never "no regression"
  const lost = changes.filter(
    (c) =>
      c.before &&
      MET.includes(c.before.verdict) &&
      (c.after
        ? c.after.verdict === 'SKIPPED' && (sameRelease || waitsOn(c.id, c.after.reason))
        : REQUIREMENTS[c.id] !== undefined),
  )
  const newlyFailed = changes.filter((c) => isFailedNow(c) && !regressions.includes(c))
  const fixed = changes.filter((c) => c.before?.verdict === 'FAILED' && c.after)
  const other = changes.filter((c) => !isFailedNow(c) && !fixed.includes(c) && !lost.includes(c))
  return { changes, regressions, lost, newlyFailed, fixed, other }
}

function header(before: ConformanceReport, after: ConformanceReport): string[] {
  const totals = (r: ConformanceReport) => VERDICTS.map((v) => `${r.totals[v]} ${v}`).join(', ')
  const lines = [
    '# Upgrade comparison',
    '',
    '| | Before | After |',
    '|---|---|---|',
    `| Target | ${cell(label(before))} | ${cell(label(after))} |`,
    `| Mode | ${before.target.mode} | ${after.target.mode} |`,
    `| Run started | ${before.startedAt} | ${after.startedAt} |`,
    `| Totals | ${totals(before)} | ${totals(after)} |`,
    '',
  ]
  const older = olderNote(before, after)
  if (older) lines.push(`> ${older}`, '')
  for (const [which, r] of [
    ['earlier', before],
    ['later', after],
  ] as const)
    if (r.stop)
      lines.push(
        `> The ${which} run was NOT CHECKED (${cell(r.stop.cause)}): ${cell(r.stop.reason)}${which === 'later' ? ' Every requirement met before is lost coverage until a run checks it again.' : ''}`,
        '',
      )
  if (before.target.mode !== after.target.mode)
    lines.push(
      `> The two runs used different modes (${before.target.mode}, ${after.target.mode}): some verdict changes are the mode's, not the deployment's.`,
      '',
    )
  return lines
}

/** The clients a country runs that stopped getting a token: the headline of an upgrade. */
function stoppedClients(before: ConformanceReport, after: ConformanceReport): string[] {
  const stopped = (after.clients ?? []).filter(
    (c) => c.works === false && (before.clients ?? []).some((x) => x.id === c.id && x.works === true),
  )
  if (!stopped.length) return []
  return [
    `## Integration clients that no longer get a token (${stopped.length})`,
    '',
    '| Client | Versions | Now | Fix |',
    '|---|---|---|---|',
    ...stopped.map(
      (c) =>
        `| ${cell(c.name)}${c.required ? ' (required)' : ''} | ${cell(c.versions)} | ${mdCode(c.reason)} | ${mdCode(c.fix ?? '')} |`,
    ),
    '',
  ]
}

function verdictChanges(g: ReturnType<typeof classify>): string[] {
  const row = (c: Change) => {
    const title = REQUIREMENTS[c.id]?.title ?? c.after?.title ?? c.before?.title ?? ''
    return `| ${c.id} | ${c.before?.verdict ?? '(not run)'} -> ${c.after?.verdict ?? '(not run)'} | ${cell(title)} | ${mdCode(c.after?.reason ?? c.before?.reason ?? '')} |`
  }
  const section = (title: string, list: Change[], note = '') =>
    list.length
      ? [
          `### ${title} (${list.length})`,
          '',
          ...(note ? [note, ''] : []),
          '| Id | Verdict | Requirement | Now |',
          '|---|---|---|---|',
          ...list.map(row),
          '',
        ]
      : []
  return [
    '## Verdict changes',
    '',
    ...(g.changes.length ? [] : ['No requirement changed its verdict.', '']),
    ...section('Regressions: met before, FAILED now', g.regressions),
    ...section(
      'Lost coverage: met before, SKIPPED or not checked now',
      g.lost,
      'These were checked before and are not now: what they need stopped answering, the run stopped before any check, or the configuration changed. Each is counted as a regression until it is checked again; the reason says what it needs.',
    ),
    ...section(
      'FAILED now, not checked before',
      g.newlyFailed,
      'These did not run (or were SKIPPED) in the earlier run, so they are not counted as regressions; they still need fixing.',
    ),
    ...section('Fixed: FAILED before, not now', g.fixed),
    ...section('Other changes', g.other),
  ]
}

function driftSection(drift: Drift[]): string[] {
  const lines = ['## Contract drift', '']
  if (!drift.length) return [...lines, 'The observed contract is the same.', '']
  let group = ''
  for (const d of drift) {
    if (d.group !== group) {
      if (group) lines.push('')
      lines.push(`**${d.group}**`, '')
      group = d.group
    }
    lines.push(`- ${mdCode(d.text, false)}`)
  }
  return [...lines, '']
}

function integratorActions(drift: Drift[], after: ConformanceReport): string[] {
  const actions = new Map<string, string[]>()
  for (const d of drift) if (d.action) actions.set(d.action, [...(actions.get(d.action) ?? []), d.key])
  const next = after.upgrade
  if (!actions.size && !next) return []
  return [
    '## What integrators must change',
    '',
    ...[...actions].map(([action, keys]) => `- ${action} (${keys.join(', ')})`),
    ...(next?.changes ?? []).map((c) => `- before ${next!.release}: ${c}`),
    '',
  ]
}

/**
 * Why two valid reports cannot be compared as before and after, or null when they can: the bundled emulator's
 * demonstration against a deployment (either way) says nothing about an upgrade. A run stopped in setup records no
 * emulator, so the test needs both runs checked.
 */
export function cannotCompare(before: ConformanceReport, after: ConformanceReport): string | null {
  const demo = (r: ConformanceReport) => r.target.emulator !== null && r.target.emulator !== undefined
  if (!before.stop && !after.stop && demo(before) !== demo(after)) {
    const [d, t] = demo(before) ? ['before', 'after'] : ['after', 'before']
    return `the ${d} run is the bundled emulator's demonstration and the ${t} run checked a deployment (${neutral(t === 'after' ? after.target.tokenUrl : before.target.tokenUrl, { max: 200 })}): compare two runs of the same deployment`
  }
  return null
}

/** An "after" run that started before the "before" one: said first, plainly, since every change then reads backwards. */
export function olderNote(before: ConformanceReport, after: ConformanceReport): string | null {
  const [b, a] = [Date.parse(before.startedAt), Date.parse(after.startedAt)]
  if (!(a < b)) return null
  return `The after run is older: it started ${cell(after.startedAt)}, before the before run (${cell(before.startedAt)}). Every change below reads from the second file to the first; to compare an upgrade, give the earlier run first.`
}

/**
 * What makes a parsed file not a conformance.json the comparison can read, in words, or null when it is one: the
 * members compare reads, each of the type the kit writes (a truncated, hand-edited or foreign file is named for
 * what is wrong, never a TypeError).
 */
export function notAReport(data: unknown): string | null {
  if (!isObject(data)) return `it is ${kindOf(data)}, not an object`
  const target = data.target
  if (!isObject(target)) return `its target is ${kindOf(target)}, not an object`
  for (const k of ['tokenUrl', 'version', 'mode'] as const)
    if (typeof target[k] !== 'string') return `its target.${k} is ${kindOf(target[k])}, not a string`
  if (typeof data.startedAt !== 'string') return `its startedAt is ${kindOf(data.startedAt)}, not a string`
  if (!isObject(data.totals)) return `its totals is ${kindOf(data.totals)}, not an object`
  for (const v of VERDICTS)
    if (typeof data.totals[v] !== 'number') return `its totals.${v} is ${kindOf(data.totals[v])}, not a number`
  if (!Array.isArray(data.results)) return `its results is ${kindOf(data.results)}, not a list`
  const bad = data.results.findIndex((r) => resultProblem(r) !== null)
  if (bad >= 0) return `its results[${bad}] ${resultProblem(data.results[bad])}`
  const ids = data.results.map((r) => (r as { id: string }).id)
  const twice = ids.find((id, i) => ids.indexOf(id) !== i)
  // one requirement, one verdict: a second entry would be read as both a failure and a pass
  if (twice !== undefined) return `duplicate id ${neutral(twice, { max: 40 })}`
  if (!data.results.length && !isObject(data.stop))
    return 'it is an empty run: no result, and no stop saying why none was checked'
  if (data.stop !== undefined && (!isObject(data.stop) || typeof data.stop.reason !== 'string'))
    return 'its stop is not an object with a reason'
  for (const k of ['contract', 'clients'] as const)
    if (data[k] !== undefined && data[k] !== null && typeof data[k] !== 'object')
      return `its ${k} is ${kindOf(data[k])}, not ${k === 'clients' ? 'a list' : 'an object'}`
  if (data.clients !== undefined && data.clients !== null && !Array.isArray(data.clients))
    return 'its clients is not a list'
  return null
}

function resultProblem(r: unknown): string | null {
  if (!isObject(r)) return `is ${kindOf(r)}, not a result`
  if (typeof r.id !== 'string') return `has an id that is ${kindOf(r.id)}, not a string`
  if (!VERDICTS.includes(r.verdict as Verdict)) return `(${neutral(r.id, { max: 40 })}) has no verdict the kit writes`
  if (typeof r.reason !== 'string') return `(${neutral(r.id, { max: 40 })}) has no reason`
  return null
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)
const kindOf = (x: unknown) =>
  x === null ? 'null' : Array.isArray(x) ? 'a list' : x === undefined ? 'missing' : `a ${typeof x}`
