/**
 * npm run compare -- before.json after.json [--out comparison.md] [--history verdict-history.jsonl]
 * Prints the upgrade comparison as Markdown. With --history, reads the earlier runs' verdicts from the file (to say
 * since when each FAILED requirement has been FAILED) and writes it back with both runs in it (a run that checked
 * nothing is not kept). Exit 0: no requirement regressed; 1: one did (met before, FAILED now, SKIPPED now or not
 * checked at all, as after a NOT CHECKED run); 2: a file is missing or is not a conformance.json, the two runs cannot
 * be compared (the emulator's demonstration against a deployment), or --out/--history cannot be written (naming the
 * path and what is wrong). An after run older than the before one is said first, on the console and the page.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { cannotCompare, compareReports, notAReport, olderNote } from '../report/compare.ts'
import { neutral } from '../redact/neutral.ts'
import { parseHistory } from '../report/history.ts'
import type { ConformanceReport } from '../report/model.ts'

const USAGE =
  'Usage: npm run compare -- <before conformance.json> <after conformance.json> [--out comparison.md] [--history verdict-history.jsonl]'

function fail(message: string, usage = true): never {
  console.error(usage ? `${message}\n${USAGE}` : message)
  process.exit(2)
}

/** A file's trouble in words (a missing folder, a folder where a file belongs), never a Node stack read by CI as exit 1. */
function fileTrouble(path: string, what: string, e: unknown): never {
  const code = (e as NodeJS.ErrnoException).code
  const why =
    code === 'ENOENT'
      ? 'its folder does not exist'
      : code === 'EISDIR'
        ? 'it is a folder, not a file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : (e as Error).message
  fail(`The ${what} ${neutral(path, { max: 300 })} cannot be used: ${neutral(why, { max: 200 })}.`, false)
}

/** Before anything is printed: a file compare will write can be written (its folder exists, it is no folder itself). */
function writable(path: string, what: string): void {
  const folder = statSync(dirname(path), { throwIfNoEntry: false })
  if (!folder?.isDirectory()) fileTrouble(path, what, Object.assign(new Error(''), { code: 'ENOENT' }))
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory())
    fileTrouble(path, what, Object.assign(new Error(''), { code: 'EISDIR' }))
}

function write(path: string, what: string, text: string): void {
  try {
    writeFileSync(path, text)
  } catch (e) {
    fileTrouble(path, what, e)
  }
}

function readHistory(path: string | undefined): string {
  if (!path || !existsSync(path)) return ''
  try {
    return readFileSync(path, 'utf8')
  } catch (e) {
    fileTrouble(path, 'history file (--history)', e)
  }
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
if (out) writable(out, 'output file (--out)')
if (historyFile) writable(historyFile, 'history file (--history)')
const history = parseHistory(readHistory(historyFile).slice(-MAX_HISTORY_BYTES))
const before = load(args[0]!, 'before')
const after = load(args[1]!, 'after')
const mismatch = cannotCompare(before, after)
if (mismatch) fail(`Cannot compare ${args[0]} with ${args[1]}: ${mismatch}.`)
const older = olderNote(before, after)
if (older) console.error(`Note: ${older}`)
const result = compareReports(before, after, history)
process.stdout.write(result.markdown)
if (out) write(out, 'output file (--out)', result.markdown)
if (historyFile)
  write(
    historyFile,
    'history file (--history)',
    `${result.points
      .filter((p) => Object.keys(p.verdicts).length)
      .map((p) => JSON.stringify(p))
      .join('\n')}\n`,
  )
process.exit(result.regressions.length ? 1 : 0)
