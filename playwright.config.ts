import { defineConfig } from '@playwright/test'
import { join } from 'node:path'
import { loadEnvFile } from './src/config/env.ts'
import { reportDirFrom, runTimeoutMinutes } from './src/config/index.ts'

loadEnvFile()
const reportDir = reportDirFrom(process.env)
// Listing the checks (npx playwright test --list) runs none: it must leave the last run's reports as they are
const listing = process.argv.includes('--list')
// the run as a whole has a deadline: a stalling target cannot hold a CI job until its own timeout
let globalTimeout = 10 * 60_000
try {
  globalTimeout = runTimeoutMinutes(process.env) * 60_000
} catch {
  // a bad value is reported, naming the variable, by the configuration check that runs first
}

export default defineConfig({
  testDir: 'specs',
  globalSetup: './src/runtime/global-setup.ts',
  fullyParallel: true,
  workers: 2,
  retries: 0, // no retries: a 4xx is an answer, and a retry is an extra request to the deployment
  timeout: 30_000,
  globalTimeout,
  forbidOnly: true,
  outputDir: join(reportDir, 'test-results'),
  metadata: { reportDir },
  reporter: listing
    ? [['list']]
    : [
        ['./src/report/conformance-reporter.ts'],
        ['html', { outputFolder: join(reportDir, 'html'), open: 'never' }],
        // junit.xml is the conformance reporter's: a FAILED requirement a <failure>, a crash an <error>
        [
          './src/report/allure-reporter.ts',
          { resultsDir: join(reportDir, 'allure-results'), detail: false, suiteTitle: false },
        ],
      ],
  use: {
    // API checks only: no browser, and no traces or videos that could hold credentials
    trace: 'off',
    screenshot: 'off',
    video: 'off',
  },
})
