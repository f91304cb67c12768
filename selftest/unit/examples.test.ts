/**
 * The CI templates in examples/ stay true to the kit: every npm script they call exists, every kit variable
 * they set is documented in .env.example, and every report file they publish is one a run writes.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { parse } from 'yaml'
import { runTimeoutMinutes } from '../../src/config/index.ts'

const root = new URL('../../', import.meta.url)
const TEMPLATES = ['examples/github/conformance-nightly.yml', 'examples/gitlab/.gitlab-ci.yml']
const scripts = Object.keys(
  (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }).scripts,
)
const example = readFileSync(new URL('.env.example', root), 'utf8')
// what a run (conformance.md/.json, junit.xml, html/, allure-results/), npm run report (allure-report/) and
// npm run compare --out (comparison.md) write in the report folder
const WRITTEN = [
  'conformance.md',
  'conformance.json',
  'junit.xml',
  'html/',
  'allure-results/',
  'allure-report/',
  'comparison.md',
  'conformance.html',
  'allure-history.jsonl', // npm run report appends to it (allurerc.mjs historyPath)
]

for (const file of TEMPLATES) {
  const text = readFileSync(new URL(file, root), 'utf8')
  test(`${file}: npm scripts, variables and report files exist`, () => {
    const used = [...text.matchAll(/npm run (?:-s )?([a-z-]+)/g)].map((m) => m[1]!)
    assert.ok(
      used.includes('conformance') && used.includes('compare') && used.includes('report'),
      'runs the checks, compares, renders the report',
    )
    assert.deepEqual(
      used.filter((s) => !scripts.includes(s)),
      [],
      'npm scripts that do not exist',
    )
    // OPENCRVS_PUBLIC_KEY_PEM and OPENCRVS_CA_PEM are the GitHub secrets holding the PEM texts the workflow writes
    // to OPENCRVS_PUBLIC_KEY's and OPENCRVS_CA_FILE's files
    const vars = new Set(
      [...text.matchAll(/\b((?:OPENCRVS|CONFORMANCE)_[A-Z_]+)\b/g)]
        .map((m) => m[1]!)
        .filter((v) => v !== 'OPENCRVS_PUBLIC_KEY_PEM' && v !== 'OPENCRVS_CA_PEM'),
    )
    assert.deepEqual(
      [...vars].filter((v) => !new RegExp(`^#?\\s*${v}=`, 'm').test(example)),
      [],
      'variables missing from .env.example',
    )
    const published = [...text.matchAll(/reports\/([\w.-]+\/?)/g)].map((m) => m[1]!)
    assert.deepEqual(
      published.filter((p) => !WRITTEN.some((w) => p === w || p === w.replace(/\/$/, ''))),
      [],
      'report files no run writes',
    )
  })
}

test('the nightly templates outlast the slow run and never keep a NOT CHECKED run as the baseline', () => {
  const github = readFileSync(new URL(TEMPLATES[0]!, root), 'utf8')
  const minutes = Number(/timeout-minutes: (\d+)/.exec(github)?.[1])
  assert.ok(
    minutes >= runTimeoutMinutes({ CONFORMANCE_SLOW: 'true' }) + 10,
    `the job's timeout-minutes (${minutes}) ends the job before the slow run's own deadline and its reports`,
  )
  for (const file of TEMPLATES) {
    const text = readFileSync(new URL(file, root), 'utf8')
    const keep = text.split('\n').filter((l) => /cp reports\/conformance\.json previous/.test(l))
    assert.ok(keep.length > 0, `${file} keeps a baseline`)
    // the copy is guarded by the check that the run checked something (results is empty on a NOT CHECKED run)
    const guard = /require\("\.\/reports\/conformance\.json"\)\.results\.length/
    const at = text.indexOf(keep[0]!)
    assert.ok(
      guard.test(text.slice(Math.max(0, at - 300), at + keep[0]!.length)),
      `${file}: a NOT CHECKED run must not become the baseline`,
    )
  }
})

test('the nightly templates carry the Allure history and the verdict history from night to night', () => {
  const rc = readFileSync(new URL('allurerc.mjs', root), 'utf8')
  assert.match(
    rc,
    /historyPath: join\(reportDir, 'allure-history\.jsonl'\)/,
    'Allure keeps its history in the report folder',
  )
  for (const file of TEMPLATES) {
    const text = readFileSync(new URL(file, root), 'utf8')
    const restore = text.indexOf('cp previous/allure-history.jsonl reports/')
    const run = text.indexOf('npm run conformance -- --quiet')
    const report = text.search(/^\s*(?:run: |- if .*then )npm run report/m)
    const keep = text.indexOf('cp reports/allure-history.jsonl previous/')
    assert.ok(restore >= 0 && restore < run, `${file}: the Allure history is put back before the run`)
    assert.ok(keep > report, `${file}: the history the report appended to is kept after it`)
    assert.match(
      text,
      /compare -- previous\/conformance\.json reports\/conformance\.json --history previous\/verdict-history\.jsonl/,
    )
    assert.match(text, /paths?: \[?previous\/?\]?|path: previous/, `${file}: previous/ is what the cache keeps`)
    assert.match(text, /reports\/conformance\.html/, `${file}: the sign-off page is kept with the artifacts`)
  }
})

test('the nightly templates: cache kept on a failing night, no swallowed regression, secrets in one step, pinned actions, every setting passed', () => {
  const gitlab = parse(readFileSync(new URL(TEMPLATES[1]!, root), 'utf8')) as {
    conformance: { timeout: string; cache: { when?: string }; script: string[]; variables: Record<string, string> }
  }
  const job = gitlab.conformance
  assert.equal(job.cache.when, 'always', 'gitlab: the cache (baseline, histories) is saved on a failing night too')
  assert.ok(
    Number(/^(\d+)m$/.exec(job.timeout)?.[1]) >= runTimeoutMinutes({ CONFORMANCE_SLOW: 'true' }) + 10,
    `gitlab: timeout ${job.timeout} ends the job before the slow run's own deadline and its reports`,
  )
  for (const line of job.script)
    assert.equal(typeof line, 'string', `gitlab: a script item YAML reads as a mapping: ${JSON.stringify(line)}`)
  const compare = job.script.find((l) => l.includes('npm run -s compare'))!
  assert.doesNotMatch(compare, /compare[^\n]*\|\|\s*(echo|true)/, "gitlab: the comparison's exit code is not swallowed")
  const github = parse(readFileSync(new URL(TEMPLATES[0]!, root), 'utf8')) as {
    jobs: {
      conformance: {
        env: Record<string, string>
        steps: { uses?: string; run?: string; env?: Record<string, string> }[]
      }
    }
  }
  const gh = github.jobs.conformance
  assert.doesNotMatch(JSON.stringify(gh.env), /secrets\./, 'github: no secret in the job-level env')
  for (const step of gh.steps) {
    if (step.uses && !step.uses.startsWith('actions/'))
      assert.match(step.uses, /@[0-9a-f]{40}$/, `github: third-party action ${step.uses} pinned to a commit SHA`)
    const secrets = JSON.stringify(step.env ?? {}).match(/secrets\.\w+/g) ?? []
    if (secrets.some((s) => /CLIENT_(ID|SECRET)/.test(s)))
      assert.match(step.run ?? '', /npm run conformance/, 'github: client secrets only in the step that runs the kit')
  }
  for (const [file, text] of TEMPLATES.map((f) => [f, readFileSync(new URL(f, root), 'utf8')] as const))
    for (const v of [
      'OPENCRVS_DOMAIN',
      'CONFORMANCE_REQUIRED_CLIENTS',
      'OPENCRVS_CA_FILE',
      'CONFORMANCE_CLIENTS_DIR',
      'CONFORMANCE_WAIVERS_FILE',
    ])
      assert.match(text, new RegExp(v), `${file}: passes ${v}`)
})
