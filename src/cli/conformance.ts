/**
 * npm run conformance [-- <playwright test options>]
 * Validates the configuration before any request (exit 2 on a bad value), runs the checks, and exits
 * 0 when no requirement FAILED, 1 when one did, 2 on configuration errors or when the request budget ran out.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cleanedIdLines, ConfigError, formatConfigError, reportDirFrom, resolveConfig } from '../config/index.ts'
import { envFilePath, loadEnvFile, QUIET_ENV } from '../config/env.ts'
import { unknownNameLines } from '../config/names.ts'
import { checkOptions } from '../config/options.ts'
import { removeStaleReports, writeConfigErrorReport } from '../report/config-error.ts'
import { preparesEarly, serveEarly } from '../runtime/early.ts'

const started = Date.now()
const fromFile = loadEnvFile()

let reportDir: string
try {
  checkOptions(process.argv.slice(2))
  const resolved = resolveConfig(process.env)
  reportDir = resolved.kind === 'emulator' ? resolved.reportDir : resolved.target.reportDir
} catch (e) {
  if (e instanceof ConfigError) stopOnConfigError(e)
  throw e
}
// a name the kit does not read is the person's slip, said before anything else (a near miss of an unset one stopped above)
for (const line of unknownNameLines(process.env, fromFile, relative('.', envFilePath()) || '.env')) console.error(line)
for (const line of cleanedIdLines(process.env)) console.error(line)

// --quiet is the kit's, not Playwright's: the console says only the totals, FAILED and REVIEW, and the reports
const args = process.argv.slice(2).filter((a) => a !== '--quiet')
// a stale report must never pass for this run's (Allure would count old results as retries of these); a listing
// (--list) writes no report and leaves the last run's alone
if (preparesEarly(args)) removeStaleReports(reportDir)
if (args.length < process.argv.length - 2) process.env[QUIET_ENV] = 'true'
// the run is prepared here while Playwright starts (src/runtime/early.ts); a listing prepares nothing
const early = preparesEarly(args) ? await serveEarly(process.env) : undefined
const require = createRequire(import.meta.url)
const cli = require.resolve('@playwright/test/cli')
// the kit's own configuration, wherever the command is started from: without it, Playwright started outside the
// kit's folder looks for tests in that folder and runs whatever it finds there
const ownConfig = args.some((a) => a === '-c' || a === '--config' || a.startsWith('--config='))
  ? []
  : ['--config', fileURLToPath(new URL('../../playwright.config.ts', import.meta.url))]
const playwright = spawn(process.execPath, [cli, 'test', ...ownConfig, ...args], {
  stdio: 'inherit',
  env: { ...process.env, ...early?.env },
})
early?.prepare()
// Ctrl-C reaches Playwright too, which ends the run and writes its reports: this process waits for that
process.on('SIGINT', () => {})
process.on('SIGTERM', () => playwright.kill('SIGTERM'))
const run = await new Promise<{ status: number | null; signal?: NodeJS.Signals | null }>((resolve) => {
  playwright.on('error', () => resolve({ status: 1 }))
  playwright.on('close', (status, signal) => resolve({ status, signal }))
})
await early?.close()
// a listing (or --help) runs no check and writes no report: Playwright's own exit code is the answer
if (!preparesEarly(args)) process.exit(run.status ?? 1)

const reportFile = join(reportDir, 'conformance.json')
if (!existsSync(reportFile)) {
  console.error(
    run.signal
      ? `The run was stopped (${run.signal}) before it wrote a report.`
      : `The run ended without a report (${reportFile}); see the output above.`,
  )
  process.exit(run.status === 0 ? 1 : (run.status ?? 1))
}
const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
  totals: { FAILED: number }
  requests: { budgetReached: boolean; max: number | null }
  results: unknown[]
}
if (report.results.length === 0) process.exit(run.status === 0 ? 1 : (run.status ?? 1)) // nothing was checked: never a pass
if (report.requests.budgetReached) {
  console.error(
    `Stopped: the request budget (CONFORMANCE_MAX_REQUESTS=${report.requests.max}) was reached before every check ran. Exit code 2.`,
  )
  process.exit(2)
}
process.exit(report.totals.FAILED > 0 || run.status !== 0 ? 1 : 0)

/**
 * A configuration error: said on the console and on the sign-off page (conformance.html, .md, .json: NOT CHECKED, the
 * variable, what to write), exit 2. When CONFORMANCE_REPORT_DIR is the variable at fault, the page goes to the default
 * folder, reports, and the console says so.
 */
function stopOnConfigError(e: ConfigError): never {
  const message = formatConfigError(e)
  console.error(message)
  const faulty = e.variable === 'CONFORMANCE_REPORT_DIR'
  const dir = faulty ? 'reports' : reportDirFrom(process.env)
  try {
    const files = writeConfigErrorReport(dir, e, message, started)
    console.error(
      `Reports (NOT CHECKED: configuration error): ${files.join(', ')}${faulty ? ' (in the default folder, reports, since CONFORMANCE_REPORT_DIR itself is at fault)' : ''}`,
    )
  } catch (w) {
    console.error(
      `The reports could not be written to ${dir} (${(w as NodeJS.ErrnoException).code ?? (w as Error).message}).`,
    )
  }
  process.exit(2)
}
