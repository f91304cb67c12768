/**
 * The CI templates in examples/ run as their CI would run them, on this machine: each template's own steps, in
 * order, with its variables and the deployment's settings and secrets where the template puts them, in a project
 * folder of their own (the kit's files linked in), its cache kept in a store between "nights".
 *   GitLab: the job's script lines in one `bash -eo pipefail` (as GitLab's shell runs them), the cache restored
 *           before and saved after as its `cache:` says (`when:` on_success by default).
 *   GitHub: each step in turn, `run:` in `bash --noprofile --norc -eo pipefail`, `if:` and `${{ }}` evaluated
 *           (always(), success(), hashFiles(), ||, &&, the contexts), GITHUB_ENV/GITHUB_OUTPUT honoured, the cache
 *           actions as a copy from and to the store; any other action is refused (the simulation must learn it).
 * `npm` is a shim: `npm ci` uses the kit's installed node_modules; `npm run conformance` runs the kit once a night
 * and hands the other template, running beside it, the same night's results (shared to keep the self-test
 * affordable);
 * every call records the names of the OPENCRVS_ and CONFORMANCE_ variables it was given.
 */
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** Kit files a CI checkout has; never the user's .env, reports or cache. */
const NOT_CHECKED_OUT = new Set(['.git', '.env', 'reports', 'previous', 'node_modules'])

export interface Night {
  /** The folder the CI job runs in (a fresh checkout each night). */
  project: string
  /** Exit status of the job: 0 passed, anything else failed. */
  status: number
  /** What the job printed. */
  log: string
  /** Each npm call: its arguments and the OPENCRVS_/CONFORMANCE_ variable names it saw. */
  npmCalls: { args: string; vars: string[] }[]
}

export interface Deployment {
  /** CI variables (GitHub `vars`, GitLab CI/CD variables). */
  vars: Record<string, string>
  /** CI secrets (GitHub `secrets`; on GitLab, masked variables). */
  secrets: Record<string, string>
  /** GitLab File-type variables: name -> file path. */
  files: Record<string, string>
  /** The runner's own environment (what a self-hosted runner sets for every job). */
  runner: Record<string, string>
  /** Set over the template's own variables, each with its reason in the test (the slow checks' 11-minute wait). */
  override: Record<string, string>
}

const SHIM = `#!/usr/bin/env bash
{ printf '%s\\t' "$*"; env | grep -E '^(OPENCRVS|CONFORMANCE)_' | cut -d= -f1 | sort | tr '\\n' ' '; echo; } >> "$SIM_NPM_LOG"
if [ "$1" = ci ]; then echo "npm ci: the kit's installed node_modules (self-test)"; exit 0; fi
if [ "$1 $2" = "run conformance" ]; then
  share="$SIM_NIGHT_SHARE"
  mkdir -p "$CONFORMANCE_REPORT_DIR"
  if mkdir "$share/lock" 2>/dev/null; then
    code=0; "$SIM_REAL_NPM" "$@" > "$share/output" 2>&1 || code=$?
    mkdir -p "$share/reports"
    (cd "$CONFORMANCE_REPORT_DIR" && tar cf - --exclude=allure-history.jsonl .) | (cd "$share/reports" && tar xf -)
    echo "$code" > "$share/code.tmp" && mv "$share/code.tmp" "$share/code"
  else
    while [ ! -f "$share/code" ]; do sleep 0.2; done
    (cd "$share/reports" && tar cf - .) | (cd "$CONFORMANCE_REPORT_DIR" && tar xf -)
  fi
  cat "$share/output"; exit "$(cat "$share/code")"
fi
exec "$SIM_REAL_NPM" "$@"
`

/** A fresh checkout of the kit, the npm shim first on PATH; returns the environment every command starts from. */
function checkout(work: string, night: string): { project: string; base: Record<string, string>; npmLog: string } {
  const project = join(work, 'project')
  rmSync(project, { recursive: true, force: true })
  mkdirSync(project, { recursive: true })
  for (const entry of readdirSync(ROOT))
    if (!NOT_CHECKED_OUT.has(entry)) symlinkSync(join(ROOT, entry), join(project, entry))
  symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'))
  const bin = join(work, 'bin')
  mkdirSync(bin, { recursive: true })
  writeFileSync(join(bin, 'npm'), SHIM, { mode: 0o755 })
  const npmLog = join(work, 'npm-calls.log')
  writeFileSync(npmLog, '')
  const realNpm = spawnSync('bash', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim()
  const base: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(OPENCRVS_|CONFORMANCE_|GITHUB_|CI_|npm_)/.test(k)) base[k] = v
  Object.assign(base, {
    PATH: `${bin}:${process.env.PATH}`,
    CI: 'true',
    FORCE_COLOR: '0',
    // npm itself stays off the network: no update check, no audit, no funding message
    NPM_CONFIG_UPDATE_NOTIFIER: 'false',
    NPM_CONFIG_AUDIT: 'false',
    NPM_CONFIG_FUND: 'false',
    SIM_NPM_LOG: npmLog,
    SIM_REAL_NPM: realNpm,
    SIM_NIGHT_SHARE: night,
  })
  return { project, base, npmLog }
}

function npmCalls(log: string): Night['npmCalls'] {
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [args, vars] = l.split('\t')
      return { args: args ?? '', vars: (vars ?? '').trim().split(' ').filter(Boolean) }
    })
}

/** bash, without blocking this process (the emulator answering the kit runs in it). */
function bash(args: string[], cwd: string, env: Record<string, string>): Promise<{ status: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('error', () => resolve({ status: 127, out }))
    child.on('close', (code) => resolve({ status: code ?? 1, out }))
  })
}

const copyDir = (from: string, to: string) => {
  rmSync(to, { recursive: true, force: true })
  if (existsSync(from)) cpSync(from, to, { recursive: true })
}

/** One night of the GitLab template's `conformance` job, for one matrix value. */
export async function gitlabNight(
  work: string,
  store: string,
  night: string,
  d: Deployment,
  deployment: string,
): Promise<Night> {
  const doc = parse(readFileSync(join(ROOT, 'examples/gitlab/.gitlab-ci.yml'), 'utf8')) as {
    conformance: {
      variables: Record<string, string>
      script: string[]
      cache: { paths: string[]; when?: string; policy?: string }
    }
  }
  const job = doc.conformance
  const { project, base, npmLog } = checkout(work, night)
  const cached = job.cache.paths[0]!.replace(/\/$/, '')
  copyDir(store, join(project, cached))
  const env = {
    ...base,
    ...d.runner,
    ...d.vars,
    ...d.secrets,
    ...d.files,
    ...job.variables,
    DEPLOYMENT: deployment,
    ...d.override,
  }
  const script = ['set -eo pipefail', ...job.script].join('\n')
  const { status, out } = await bash(['--noprofile', '--norc', '-c', script], project, env)
  const when = job.cache.when ?? 'on_success'
  if (when === 'always' || (when === 'on_success' && status === 0) || (when === 'on_failure' && status !== 0))
    copyDir(join(project, cached), store)
  return { project, status, log: out, npmCalls: npmCalls(npmLog) }
}

interface GithubStep {
  name?: string
  id?: string
  if?: string
  run?: string
  uses?: string
  env?: Record<string, string>
  with?: Record<string, string>
}

/** One night of the GitHub template's `conformance` job, for one matrix value. */
export async function githubNight(
  work: string,
  store: string,
  night: string,
  d: Deployment,
  environment: string,
): Promise<Night> {
  const doc = parse(readFileSync(join(ROOT, 'examples/github/conformance-nightly.yml'), 'utf8')) as {
    jobs: { conformance: { env: Record<string, string>; steps: GithubStep[] } }
  }
  const job = doc.jobs.conformance
  const { project, base, npmLog } = checkout(work, night)
  const temp = join(work, 'runner-temp')
  mkdirSync(temp, { recursive: true })
  const files = { env: join(temp, 'github-env'), summary: join(temp, 'summary.md') }
  writeFileSync(files.env, '')
  writeFileSync(files.summary, '')
  const ctx: Ctx = {
    contexts: { matrix: { environment }, vars: d.vars, secrets: d.secrets, github: { run_id: '42' }, steps: {} },
    project,
  }
  const jobEnv = { ...mapValues(job.env ?? {}, (v) => interpolate(v, ctx)), ...d.override }
  let failed = false
  let log = ''
  for (const step of job.steps) {
    const condition = step.if ?? ''
    const statusFree = !/\b(always|failure|success|cancelled)\(\)/.test(condition)
    if ((statusFree && failed) || (condition && !truthy(evaluate(unwrap(condition), ctx)))) continue
    const code = step.uses
      ? useAction(step, ctx, store)
      : await runStep(
          step,
          ctx,
          {
            ...base,
            ...d.runner,
            ...jobEnv,
            ...readEnvFile(files.env),
            RUNNER_TEMP: temp,
            GITHUB_ENV: files.env,
            GITHUB_STEP_SUMMARY: files.summary,
          },
          (out) => (log += out),
        )
    if (code !== 0) failed = true
    log += `[step ${step.name ?? step.uses ?? step.run?.split('\n')[0]}: exit ${code}]\n`
  }
  return { project, status: failed ? 1 : 0, log, npmCalls: npmCalls(npmLog) }
}

interface Ctx {
  contexts: Record<string, unknown>
  project: string
}

async function runStep(
  step: GithubStep,
  ctx: Ctx,
  env: Record<string, string>,
  print: (s: string) => void,
): Promise<number> {
  const output = join(env.RUNNER_TEMP!, `output-${step.id ?? 'step'}`)
  writeFileSync(output, '')
  const stepEnv = mapValues(step.env ?? {}, (v) => interpolate(v, ctx))
  const script = interpolate(step.run!, ctx)
  const run = await bash(['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], ctx.project, {
    ...env,
    ...stepEnv,
    GITHUB_OUTPUT: output,
  })
  print(run.out)
  if (step.id) (ctx.contexts.steps as Record<string, unknown>)[step.id] = { outputs: readEnvFile(output) }
  return run.status
}

/** The actions the template uses, as they act on files; any other is refused. */
function useAction(step: GithubStep, ctx: Ctx, store: string): number {
  const action = step.uses!.split('@')[0]
  const path = step.with?.path ? join(ctx.project, interpolate(step.with.path, ctx)) : ''
  if (action === 'actions/checkout' || action === 'actions/setup-node' || action === 'actions/upload-artifact') return 0
  if (action === 'actions/cache/restore') copyDir(store, path)
  else if (action === 'actions/cache/save') copyDir(path, store)
  else throw new Error(`the simulation does not know the action ${step.uses}`)
  return 0
}

function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {}
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  )
}

const mapValues = (o: Record<string, string>, f: (v: string) => string) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(String(v))]))
const unwrap = (s: string) => s.replace(/^\s*\$\{\{\s*([\s\S]*?)\s*\}\}\s*$/, '$1')
const truthy = (v: unknown) => v !== '' && v !== undefined && v !== null && v !== false && v !== 0
const interpolate = (s: string, ctx: Ctx) =>
  s.replace(/\$\{\{\s*([\s\S]*?)\s*\}\}/g, (_, e: string) => {
    const v = evaluate(e, ctx)
    return v === undefined || v === null ? '' : String(v)
  })

/** The expressions the templates use: a || b, a && b, x != '', always(), hashFiles(), literals, contexts. */
function evaluate(expr: string, ctx: Ctx): unknown {
  const or = expr.split('||')
  if (or.length > 1) return or.map((e) => evaluate(e, ctx)).find(truthy) ?? evaluate(or.at(-1)!, ctx)
  const and = expr.split('&&')
  if (and.length > 1) return and.every((e) => truthy(evaluate(e, ctx)))
  const e = expr.trim()
  const ne = /^(.*)\s!=\s(.*)$/.exec(e)
  if (ne) return evaluate(ne[1]!, ctx) !== evaluate(ne[2]!, ctx)
  if (e === 'always()') return true
  const hash = /^hashFiles\('([^']+)'\)$/.exec(e)
  if (hash) return hashFiles(ctx.project, hash[1]!)
  if (/^'.*'$/.test(e)) return e.slice(1, -1)
  if (/^\d+$/.test(e)) return Number(e)
  return e.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], ctx.contexts)
}

/** hashFiles: non-empty when a file matches (a path, or a folder's direct children with /*). */
function hashFiles(project: string, pattern: string): string {
  const star = pattern.endsWith('/*')
  const path = join(project, star ? pattern.slice(0, -2) : pattern)
  if (!existsSync(path)) return ''
  return star ? (readdirSync(path).length ? 'h' : '') : 'h'
}
