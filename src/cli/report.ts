/**
 * npm run report: renders the last run's Allure results (<report dir>/allure-results) as one self-contained
 * HTML file, <report dir>/allure-report/index.html, with the allure package (Allure 3) and allurerc.mjs.
 * Offline: the report needs no network to build or to open. Allure's template loads Google Analytics when
 * the report is opened; the kit removes that script, so opening a sign-off report contacts no one.
 * Exit 0 when written, 2 when there are no results to render, 1 when Allure failed.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadEnvFile } from '../config/env.ts'
import { reportDirFrom } from '../config/index.ts'

loadEnvFile()
const reportDir = reportDirFrom(process.env)
const results = join(reportDir, 'allure-results')
const output = join(reportDir, 'allure-report')

if (!existsSync(results) || !readdirSync(results).some((f) => f.endsWith('-result.json'))) {
  console.error(
    `${lastRunStopped() ?? 'No Allure results'} in ${results}: run the checks first (npm run conformance), with the same CONFORMANCE_REPORT_DIR.`,
  )
  process.exit(2)
}

/** "The last run was NOT CHECKED (...): no Allure results", when conformance.json says so. */
function lastRunStopped(): string | null {
  try {
    const r = JSON.parse(readFileSync(join(reportDir, 'conformance.json'), 'utf8')) as {
      stop?: { verdict?: string; cause?: string }
    }
    return r.stop?.verdict === 'NOT CHECKED'
      ? `The last run was NOT CHECKED (${r.stop.cause ?? 'stopped'}): no Allure results`
      : null
  } catch {
    return null
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url))
const require = createRequire(import.meta.url)
const allure = join(dirname(require.resolve('allure')), '..', 'cli.js') // the package's bin (it exports no package.json)
const run = spawnSync(
  process.execPath,
  [allure, 'generate', '--config', join(root, 'allurerc.mjs'), '--output', resolve(output), resolve(results)],
  {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, FORCE_COLOR: '0' },
  },
)
const index = join(output, 'index.html')
if (run.status !== 0 || !existsSync(index)) {
  console.error(`Allure could not build the report (exit ${run.status}); see its output above.`)
  process.exit(1)
}

// no request leaves the machine when someone opens the report
const html = readFileSync(index, 'utf8')
const offline = stripAnalytics(html)
writeFileSync(index, offline)
const external = [...offline.matchAll(/<(?:script|link|img)\b[^>]*\b(?:src|href)="(https?:[^"]+)"/g)].map((m) => m[1])
if (external.length) {
  console.error(`The report still loads ${external.join(', ')}: it is not offline. Report this as a kit bug.`)
  process.exit(1)
}
console.log(`Allure report (one offline HTML file): ${index}`)

/** Remove the Google Analytics loader and its inline configuration script. */
function stripAnalytics(text: string): string {
  return text
    .replace(/<script[^>]*src="https:\/\/www\.googletagmanager\.com\/[^"]*"[^>]*><\/script>/g, '')
    .replace(/<script>(?:(?!<\/script>)[\s\S])*gtag\((?:(?!<\/script>)[\s\S])*<\/script>/g, '')
}
