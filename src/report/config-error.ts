/**
 * A run stopped by a configuration error still writes its sign-off page (conformance.html, .md, .json, junit.xml), through
 * the same renderers as every run: NOT CHECKED, the variable, what is wrong and what to write, nothing sent, nothing
 * secret (every configured secret was registered before the configuration was read, so redact() removes it).
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type ConfigError, makeFolder } from '../config/env.ts'
import { noRequests } from '../http/index.ts'
import { redact } from '../redact/index.ts'
import { SETUP_CONTEXT_ENV, type SetupContext } from '../runtime/runtime.ts'
import { signoffHtml } from './html.ts'
import { markdown } from './markdown.ts'
import { junitXml } from './junit.ts'
import { buildReport } from './model.ts'

/**
 * What a run leaves in the report folder: removed before a run (and by a run stopped by its configuration), so a
 * stale report never passes for this run's (`npm run report` would render the old Allure results as the last run,
 * CI would read the old junit.xml, and Allure would count old results as retries of these).
 */
export const RUN_OUTPUTS = [
  'conformance.json',
  'conformance.md',
  'conformance.html',
  'junit.xml',
  'html',
  'allure-results',
  'allure-report',
]

export function removeStaleReports(reportDir: string): void {
  for (const name of RUN_OUTPUTS) rmSync(join(reportDir, name), { recursive: true, force: true })
}

/** Write the stopped run's reports into `reportDir`; returns the files written, or throws what the file system said. */
export function writeConfigErrorReport(reportDir: string, e: ConfigError, message: string, started: number): string[] {
  const context: Omit<SetupContext, 'max'> = {
    tokenUrl: '(not resolved: configuration error)',
    tokenRoute: '',
    mode: '',
    declared: '',
    requests: noRequests(),
    identification: { profile: null, supporting: [], contradicting: [] },
    stop: {
      verdict: 'NOT CHECKED',
      cause: 'configuration',
      reason: redact(
        `Configuration error in ${e.variable}: ${e.problem}. ${e.fix} Nothing was sent to any deployment.`,
      ),
    },
  }
  process.env[SETUP_CONTEXT_ENV] = JSON.stringify(context) // how buildReport learns why a run stopped before its checks
  const report = buildReport(
    { results: [], contract: {}, errors: [redact(message)], budgetReached: false, started },
    undefined,
  )
  const problem = makeFolder(reportDir)
  if (problem) throw new Error(problem)
  removeStaleReports(reportDir)
  const files = {
    'conformance.json': `${redact(JSON.stringify(report, null, 2))}\n`,
    'conformance.md': redact(markdown(report)),
    'conformance.html': redact(signoffHtml(report)),
    // CI reads junit.xml: one <error> saying NOT CHECKED and why
    'junit.xml': redact(junitXml(report)),
  }
  for (const [name, text] of Object.entries(files)) writeFileSync(join(reportDir, name), text)
  return Object.keys(files).map((name) => join(reportDir, name))
}
