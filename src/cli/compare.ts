/**
 * npm run compare -- before.json after.json [--out comparison.md]
 * Prints the upgrade comparison as Markdown. Exit 0: no requirement regressed; 1: one did (met before,
 * FAILED now); 2: a file is missing or is not a conformance.json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { compareReports } from '../report/compare.ts'
import type { ConformanceReport } from '../report/model.ts'

const USAGE = 'Usage: npm run compare -- <before conformance.json> <after conformance.json> [--out comparison.md]'

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
  const r = data as Partial<ConformanceReport>
  if (!r || !Array.isArray(r.results) || !r.totals || !r.target)
    fail(`The ${which} report ${path} is not a conformance.json (no results, totals or target).`)
  if (!r.contract)
    console.error(
      `Note: the ${which} report ${path} has no contract fingerprint (written by an older kit): only verdicts are compared.`,
    )
  return r as ConformanceReport
}

const args = process.argv.slice(2)
const outAt = args.indexOf('--out')
const out = outAt >= 0 ? args[outAt + 1] : undefined
if (outAt >= 0 && !out) fail('--out needs a file name.')
const files = outAt >= 0 ? args.filter((_, i) => i !== outAt && i !== outAt + 1) : args
if (files.length !== 2) fail(`Give exactly two reports (got ${files.length}).`)

const result = compareReports(load(files[0]!, 'before'), load(files[1]!, 'after'))
process.stdout.write(result.markdown)
if (out) writeFileSync(out, result.markdown)
process.exit(result.regressions.length ? 1 : 0)
