/**
 * The CI templates, run as their CI would run them (ci-sim.ts) for two nights against the emulator: a good night,
 * then a night with a fault (the deployment signs with another key: JWT-SIG-01 FAILED). The second night's
 * comparison names the regression; the baseline, the verdict history and the Allure history survive the failing
 * night in the cache; each job's exit status is what its template says (0, then failed); the kit is given the
 * deployment's domain, required clients, CA file and public key; on GitHub no client secret reaches `npm ci`.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { demoClients, startEmulator, type RunningEmulator } from '../emulator/server.ts'
import { type Deployment, githubNight, gitlabNight, type Night } from './ci-sim.ts'

const FAULT = 'wrong-signing-key'
const REGRESSION = 'JWT-SIG-01'

function deployment(emu: RunningEmulator): Deployment {
  const [notification, search, deactivated] = emu.clients
  const ca = emu.caFile!
  return {
    vars: {
      OPENCRVS_GATEWAY_URL: emu.gatewayUrl,
      OPENCRVS_DOMAIN: emu.edge.domain,
      CONFORMANCE_REQUIRED_CLIENTS: 'postman-v2',
    },
    secrets: {
      OPENCRVS_NOTIFICATION_CLIENT_ID: notification!.clientId,
      OPENCRVS_NOTIFICATION_CLIENT_SECRET: notification!.secret,
      OPENCRVS_SEARCH_CLIENT_ID: search!.clientId,
      OPENCRVS_SEARCH_CLIENT_SECRET: search!.secret,
      OPENCRVS_DEACTIVATED_CLIENT_ID: deactivated!.clientId,
      OPENCRVS_DEACTIVATED_CLIENT_SECRET: deactivated!.secret,
      // GitHub: PEM texts the workflow writes to files
      OPENCRVS_PUBLIC_KEY_PEM: emu.publicKeyPem,
      OPENCRVS_CA_PEM: readFileSync(ca, 'utf8'),
    },
    // GitLab: File-type variables
    files: { OPENCRVS_PUBLIC_KEY: emu.publicKeyFile, OPENCRVS_CA_FILE: ca },
    // the runner's own: the emulator's names at its edge
    runner: { CONFORMANCE_CONNECT_TO: `*.${emu.edge.domain}=127.0.0.1:${emu.edge.port}` },
    // the one setting changed from the templates': their nights wait for a token to expire (11 minutes), and a
    // short-lived token would expire under the other checks
    override: { CONFORMANCE_SLOW: 'false' },
  }
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [])

test('the CI templates, two nights against the emulator: the regression named, the history kept, the job failed', async () => {
  const work = mkdtempSync(join(tmpdir(), 'ci-nights-'))
  const templates = { gitlab: gitlabNight, github: githubNight } as const
  const nights: Record<string, Night[]> = { gitlab: [], github: [] }
  const stores = Object.fromEntries(Object.keys(templates).map((t) => [t, join(work, `${t}-cache`)]))
  let port: number | undefined
  for (const [n, faults] of [
    [1, []],
    [2, [FAULT]],
  ] as const) {
    const emu = await startEmulator({
      release: '2.0',
      faults: [...faults],
      tls: true,
      clients: demoClients(),
      ...(port ? { port } : {}),
    })
    port ??= Number(new URL(emu.url).port)
    try {
      const share = join(work, `night-${n}`)
      mkdirSync(share, { recursive: true })
      // the two templates side by side, as two CI systems would run them the same night
      const runs = await Promise.all(
        Object.entries(templates).map(([name, night]) =>
          night(join(work, name), stores[name]!, share, deployment(emu), 'staging'),
        ),
      )
      for (const [i, name] of Object.keys(templates).entries()) {
        const run = runs[i]!
        nights[name]!.push(run)
        console.log(
          `  ${name}, night ${n}${faults.length ? ` (fault ${faults.join(', ')})` : ''}: job ${run.status ? `failed (exit ${run.status})` : 'passed'}`,
        )
      }
    } finally {
      await emu.stop()
    }
  }
  for (const [name, [first, second]] of Object.entries(nights) as [string, Night[]][]) {
    assert.equal(first!.status, 0, `${name}: a good night passes\n${first!.log.slice(-3000)}`)
    assert.notEqual(second!.status, 0, `${name}: a night with a FAILED fails the job`)
    if (name === 'gitlab') assert.equal(second!.status, 1, "gitlab: the run's exit code (1: a requirement FAILED)")
    // the comparison names the regression
    const comparison = readFileSync(join(second!.project, 'reports/comparison.md'), 'utf8')
    console.log(
      `  ${name}, night 2 comparison: ${comparison
        .split('\n')
        .filter((l) => l.includes(REGRESSION))
        .slice(0, 2)
        .join(' | ')
        .slice(0, 300)}`,
    )
    assert.match(
      comparison,
      new RegExp(`${REGRESSION}[^\\n]*PASSED[^\\n]*FAILED|${REGRESSION}[^\\n]*FAILED`),
      `${name}: names ${REGRESSION}`,
    )
    // the cache after the failing night: tonight's baseline, both nights in the histories
    const store = stores[name]!
    const baseline = JSON.parse(readFileSync(join(store, 'conformance.json'), 'utf8')) as {
      results: { id: string; verdict: string }[]
    }
    assert.equal(
      baseline.results.find((r) => r.id === REGRESSION)?.verdict,
      'FAILED',
      `${name}: night 2 is the baseline`,
    )
    assert.ok(lines(join(store, 'verdict-history.jsonl')).length >= 2, `${name}: the verdict history holds both nights`)
    assert.ok(lines(join(store, 'allure-history.jsonl')).length >= 2, `${name}: the Allure history holds both nights`)
    // what the kit was given
    const kit = second!.npmCalls.find((c) => c.args.startsWith('run conformance'))!
    for (const v of [
      'OPENCRVS_GATEWAY_URL',
      'OPENCRVS_DOMAIN',
      'CONFORMANCE_REQUIRED_CLIENTS',
      'OPENCRVS_CA_FILE',
      'OPENCRVS_PUBLIC_KEY',
      'OPENCRVS_NOTIFICATION_CLIENT_SECRET',
    ])
      assert.ok(kit.vars.includes(v), `${name}: the kit is given ${v}`)
  }
  // GitHub: the secrets are the run step's alone
  const ci = nights.github![0]!.npmCalls.find((c) => c.args === 'ci')!
  assert.deepEqual(
    ci.vars.filter((v) => /SECRET|_ID$/.test(v)),
    [],
    'github: npm ci sees no client secret',
  )
})
