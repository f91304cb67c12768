// Allure 3 configuration for `npm run report` (the output folder is given on the command line).
// Allure has no WARNING status: the kit writes a WARNING or REVIEW as `broken` and an INFO as `unknown`
// (src/report/allure-reporter.ts), labels every test with its verdict ("verdict" label and tag), and these
// categories group them by verdict.
// History: each report appends its results to <report dir>/allure-history.jsonl, and shows each requirement's
// trend from it. The nightly CI templates carry that file from night to night.
import { join } from 'node:path'

const reportDir = process.env.CONFORMANCE_REPORT_DIR?.trim() || 'reports'

export default {
  name: 'OpenCRVS token endpoint conformance',
  historyPath: join(reportDir, 'allure-history.jsonl'),
  historyLimit: 90,
  plugins: {
    awesome: {
      options: {
        singleFile: true,
        reportName: 'OpenCRVS token endpoint conformance',
        groupBy: ['epic', 'feature'],
      },
    },
  },
  categories: [
    {
      name: 'FAILED: the deployment breaks the requirement',
      matchers: { labels: { verdict: 'FAILED' } },
      groupBy: ['severity'],
      expand: true,
    },
    {
      name: 'WARNING: a named deviation (docs erratum, RFC deviation of OpenCRVS itself), not a failure',
      matchers: { labels: { verdict: 'WARNING' } },
      expand: true,
    },
    { name: 'REVIEW: a person must look', matchers: { labels: { verdict: 'REVIEW' } }, expand: true },
    { name: 'INFO: how this deployment behaves', matchers: { labels: { verdict: 'INFO' } } },
    {
      name: 'SKIPPED: not checked here (the reason says what would enable it)',
      matchers: { labels: { verdict: 'SKIPPED' } },
    },
    // a broken result without a verdict label: a check that crashed before it recorded one
    { name: 'Kit errors: a check crashed', matchers: { statuses: ['broken'] } },
  ],
}
