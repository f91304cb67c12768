// Allure 3 configuration for `npm run report` (the output folder is given on the command line).
// Allure has no WARNING status: a check graded WARNING, REVIEW or INFO passed as a Playwright test, so
// the kit labels every test with its verdict ("verdict" label and tag) and these categories group them.
export default {
  name: 'OpenCRVS token endpoint conformance',
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
    { name: 'Kit errors: a check crashed', matchers: { statuses: ['broken'] } },
  ],
}
