/**
 * The verdict history nightly runs keep (`npm run compare -- ... --history verdict-history.jsonl`): one JSON line
 * per run, its start, its target and each requirement's verdict; the last MAX_HISTORY runs. From it the comparison
 * says since when each FAILED requirement has been FAILED.
 */
import type { Verdict } from '../requirements/catalogue.ts'
import type { ConformanceReport } from './model.ts'

export interface HistoryPoint {
  startedAt: string
  target: string
  verdicts: Record<string, Verdict>
}

export const MAX_HISTORY = 90

export function pointOf(r: ConformanceReport): HistoryPoint {
  return {
    startedAt: r.startedAt,
    target: r.target.tokenUrl,
    verdicts: Object.fromEntries(r.results.map((x) => [x.id, x.verdict])),
  }
}

/** The history's lines; a line that is not a history point is left out (a file cut short, edited by hand). */
export function parseHistory(text: string): HistoryPoint[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        const p = JSON.parse(l) as Partial<HistoryPoint> | null
        if (!p || typeof p.startedAt !== 'string' || typeof p.target !== 'string') return []
        if (!p.verdicts || typeof p.verdicts !== 'object') return []
        // only what a point is: anything else a hand or a tool added is not carried on
        return [{ startedAt: p.startedAt, target: p.target, verdicts: p.verdicts }]
      } catch {
        return []
      }
    })
}

/** The history with this run in it (once: a run already there by its start is not added again), oldest first. */
export function withRun(history: HistoryPoint[], r: ConformanceReport): HistoryPoint[] {
  const points = history.some((p) => p.startedAt === r.startedAt) ? [...history] : [...history, pointOf(r)]
  return points.sort((a, b) => a.startedAt.localeCompare(b.startedAt)).slice(-MAX_HISTORY) // the caller's array unsorted
}

export interface FailedStreak {
  /** The start of the first run of the streak. */
  since: string
  runs: number
  /** The streak reaches back to the oldest run the history holds: it may be older. */
  atLeast: boolean
}

/** For each requirement FAILED in the latest run of `target`: since when it has been FAILED without a break. */
export function failedSince(history: HistoryPoint[], target: string): Record<string, FailedStreak> {
  const runs = history.filter((p) => p.target === target)
  const last = runs[runs.length - 1]
  if (!last) return {}
  const out: Record<string, FailedStreak> = {}
  for (const [id, verdict] of Object.entries(last.verdicts)) {
    if (verdict !== 'FAILED') continue
    let i = runs.length - 1
    while (i > 0 && runs[i - 1]!.verdicts[id] === 'FAILED') i--
    out[id] = { since: runs[i]!.startedAt, runs: runs.length - i, atLeast: i === 0 }
  }
  return out
}
