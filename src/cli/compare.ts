/**
 * npm run compare -- before.json after.json [--out comparison.md] [--history verdict-history.jsonl]
 * Prints the upgrade comparison as Markdown. With --history, reads the earlier runs' verdicts from the file (to say
 * since when each FAILED requirement has been FAILED) and writes it back with both runs in it (a run that checked
 * nothing is not kept). Exit 0: no requirement regressed; 1: one did (met before, FAILED now, SKIPPED now or not
 * checked at all, as after a NOT CHECKED run); 2: a file is missing or is not a conformance.json (naming what is wrong).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { compareReports, notAReport } from '../report/compare.ts'
import { neutral } from '../redact/neutral.ts'
import { parseHistory } from '../report/history.ts'
import type { ConformanceReport } from '../report/model.ts'

const USAGE =
  'Usage: npm run compare -- <before conformance.json> <after conformance.json> [--out comparison.md] [--history verdict-history.jsonl]'

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`)
  process.exit(2)
}

function load(path: string, which: string): ConformanceReport {
  if (!existsSync(path))
    fail(
      `The ${which} report ${path} does not exist. Give the conformance.json a run wrote (CONFORMANCE_REPORT_DIR, default reports/).`,
    )
  let data: unknown
  try {
    data = JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    fail(`The ${which} report ${path} is not JSON (${(e as Error).message}).`)
  }
  const wrong = notAReport(data)
  if (wrong) fail(`The ${which} report ${path} is not a conformance.json: ${neutral(wrong, { max: 200 })}.`)
  const r = data as ConformanceReport
  if (!r.contract)
    console.error(
      `Note: the ${which} report ${path} has no contract fingerprint (written by an older kit): only verdicts are compared.`,
    )
  return r as ConformanceReport
}

/** The value after `--name`, taken out of the arguments. */
function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name)
  if (at < 0) return undefined
  const v = args[at + 1]
  if (!v || v.startsWith('--')) fail(`${name} needs a file name.`)
  args.splice(at, 2)
  return v
}

const args = process.argv.slice(2)
const out = option(args, '--out')
const historyFile = option(args, '--history')
if (args.length !== 2) fail(`Give exactly two reports (got ${args.length}).`)

// a history file is the kit's own, but bounded all the same: the last runs are at its end
const MAX_HISTORY_BYTES = 5 * 1024 * 1024
const historyText = historyFile && existsSync(historyFile) ? readFileSync(historyFile, 'utf8') : ''
const history = parseHistory(historyText.slice(-MAX_HISTORY_BYTES))
const before = load(args[0]!, 'before')
const after = load(args[1]!, 'after')
const result = compareReports(before, after, history)
process.stdout.write(result.markdown)
if (out) writeFileSync(out, result.markdown)
if (historyFile)
  writeFileSync(
    historyFile,
    `${result.points
      .filter((p) => Object.keys(p.verdicts).length)
      .map((p) => JSON.stringify(p))
      .join('\n')}\n`,
  )
process.exit(result.regressions.length ? 1 : 0)
