/**
 * The kit against broken and hostile targets (selftest/hostile.ts): every run ends in bounded time, within a
 * bounded memory per process, with every report written, the cause named once, no stack trace, no request more
 * than the failure needs, and nothing leaked.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { startEmulator } from '../emulator/server.ts'
import { prepare } from '../src/runtime/prepare.ts'
import { HttpClient } from '../src/http/index.ts'
import { collect, gradeKit, gradeKitAgainst, kitEnv, leaks, ROOT, runKit, type KitRun } from './harness.ts'
import { startFailingProxy, startHostile, startRateLimiter, type Behaviour } from './hostile.ts'
import { isolatedEnv } from './isolation.ts'

const PAGE = 4096

/** The resident memory of every process under `root` (this machine's /proc), in bytes, by pid. */
function treeRss(root: number): Map<number, number> {
  const parent = new Map<number, number>()
  const rss = new Map<number, number>()
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      parent.set(Number(name), Number(fields[1]))
      rss.set(Number(name), Number(fields[21]) * PAGE)
    } catch {
      // the process ended while we looked
    }
  }
  const inTree = (pid: number): boolean => pid === root || (parent.has(pid) && pid > 1 && inTree(parent.get(pid)!))
  return new Map([...rss].filter(([pid]) => inTree(pid)))
}

/** npm run conformance's entry point, timed, with the peak memory of its largest process sampled. */
function runMeasured(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number; output: string; seconds: number; peakMb: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const clean = isolatedEnv()
    const child = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/conformance.ts'), ...args],
      {
        cwd: ROOT,
        env: { ...clean, ...env, CI: '1', FORCE_COLOR: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    let peak = 0
    const sampler = setInterval(() => {
      for (const bytes of treeRss(child.pid!).values()) peak = Math.max(peak, bytes)
    }, 200)
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('error', reject)
    child.on('close', (code) => {
      clearInterval(sampler)
      resolve({
        code: code ?? -1,
        output,
        seconds: (Date.now() - started) / 1000,
        peakMb: Math.round(peak / 1024 ** 2),
      })
    })
  })
}

/** The kit against a fresh hostile target of this behaviour, as its token endpoint (the auth URL). */
async function againstHostile(behaviour: Behaviour, env: Record<string, string>, args: string[] = []) {
  const target = await startHostile(behaviour)
  const reportDir = mkdtempSync(join(tmpdir(), `hostile-${behaviour}-`))
  try {
    const run = await runMeasured(
      {
        OPENCRVS_AUTH_URL: target.url,
        CONFORMANCE_ALLOW_HTTP: 'true',
        CONFORMANCE_REPORT_DIR: reportDir,
        CONFORMANCE_REQUEST_TIMEOUT_SECONDS: '3',
        ...env,
      },
      args,
    )
    return { run, reportDir, requests: target.requests(), bytesSent: target.bytesSent() }
  } finally {
    await target.stop()
  }
}

/** A raw control or bidi character: what a terminal, a log viewer or a renderer would act on. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/
/** The lines of a Markdown text outside its fenced blocks and code spans (CommonMark: a span closes at a run of the same length). */
function outsideCode(md: string): string[] {
  const out: string[] = []
  let fence = ''
  for (const line of md.split('\n')) {
    const f = /^(`{3,})/.exec(line)?.[1]
    if (fence) {
      if (f && f.length >= fence.length && line.trim() === f) fence = ''
      continue
    }
    if (f) {
      fence = f
      continue
    }
    let text = ''
    for (let i = 0; i < line.length; ) {
      const run = /^`+/.exec(line.slice(i))?.[0]
      if (!run) {
        text += line[i++]
        continue
      }
      const close = line.indexOf(run, i + run.length)
      const exact = close >= 0 && line[close + run.length] !== '`' && line[close - 1] !== '`'
      if (!exact) {
        text += run
        i += run.length
        continue
      }
      i = close + run.length
    }
    out.push(text)
  }
  return out
}

/** A whole run writing conformance.json and .md only, in one worker. */
const LEAN_REPORTS = ['--workers=1', '--reporter=./src/report/conformance-reporter.ts']

const STACK = /RangeError|TypeError|EISDIR|^\s+at .+:\d+:\d+\)?$/m
/**
 * Wall time is printed, not asserted closely: a loaded machine stretches it. The bound asserted is what the kit
 * promises whatever the load: the run ends by itself, well inside its own 10-minute run deadline (quiet: 3-20 s).
 */
const ENDS_BY_ITSELF_S = 300

/** Cases: what the target does, what the verdict must name, how many requests the failure needs at most. */
const CASES: Array<{ behaviour: Behaviour; names: RegExp; maxRequests: number }> = [
  { behaviour: 'silent', names: /did not complete within 3 s/, maxRequests: 1 },
  { behaviour: 'drip', names: /did not complete within 3 s/, maxRequests: 1 },
  { behaviour: 'huge', names: /body over 512 kB/, maxRequests: 1 },
  { behaviour: 'html-502', names: /answers HTTP 502 \(text\/html\) to every request/, maxRequests: 3 },
  {
    behaviour: 'html-200',
    names: /answers HTTP 200 with a body that is not JSON \(text\/html\) to every request/,
    maxRequests: 3,
  },
]

/** Targets that answered, badly: said in words, never "cannot reach", never a raw library code (prepared in process). */
const BAD_ANSWERS: Array<{ behaviour: Behaviour; names: RegExp }> = [
  { behaviour: 'header-flood', names: /answered with response headers over 16 kB/ },
  { behaviour: 'reset-mid-body', names: /closed the connection in the middle of its answer \(HTTP 200/ },
  { behaviour: 'bad-status-line', names: /answered with a malformed HTTP response/ },
]

/** Why the run's preparation stopped, in its own words: 'prepared' when it did not stop. */
function setupFailure(env: Record<string, string | undefined>): Promise<string> {
  return prepare(env, () => {}).then(
    async (p) => {
      await p.stop()
      return 'prepared'
    },
    (e: Error) => e.message,
  )
}

describe('hostile and broken targets', { concurrency: 2 }, () => {
  for (const c of CASES) {
    test(`a ${c.behaviour} token endpoint: NOT CHECKED naming the cause, bounded time and memory, reports written, ${c.maxRequests} request(s) at most`, async () => {
      const secrets = [randomUUID(), randomUUID()]
      const { run, reportDir, requests, bytesSent } = await againstHostile(c.behaviour, {
        OPENCRVS_NOTIFICATION_CLIENT_ID: randomUUID(),
        OPENCRVS_NOTIFICATION_CLIENT_SECRET: secrets[0]!,
        OPENCRVS_SEARCH_CLIENT_ID: randomUUID(),
        OPENCRVS_SEARCH_CLIENT_SECRET: secrets[1]!,
      })
      const facts = `${c.behaviour}: exit ${run.code}, ${run.seconds.toFixed(1)} s, peak ${run.peakMb} MB in one process, ${requests} request(s) received, ${Math.round(bytesSent / 1024)} kB sent by the target`
      console.log(`  ${facts}`)
      assert.equal(run.code, 1, `${facts}\n${run.output}`)
      assert.match(run.output, /Verdict: NOT CHECKED/, run.output)
      assert.match(run.output, c.names, run.output)
      assert.doesNotMatch(run.output, STACK, 'no stack trace or raw error')
      assert.doesNotMatch(run.output, /UND_ERR|HPE_|ECONNRESET/, 'no raw library code')
      assert.ok(requests <= c.maxRequests, facts)
      assert.ok(run.seconds < ENDS_BY_ITSELF_S, `bounded time: ${facts}`)
      assert.ok(run.peakMb < 400, `bounded memory: ${facts}`)
      for (const file of ['conformance.json', 'conformance.md', 'conformance.html', 'junit.xml'])
        assert.ok(existsSync(join(reportDir, file)), `${file} written`)
      assert.deepEqual(leaks(collect(run.code, run.output, reportDir, secrets)), [])
    })
  }

  test('a target that answers badly (2 MB of headers, a reset mid-body, a malformed status line) is named for what it did, in words', async () => {
    for (const c of BAD_ANSWERS) {
      const target = await startHostile(c.behaviour)
      try {
        const env: Record<string, string | undefined> = {
          OPENCRVS_AUTH_URL: target.url,
          CONFORMANCE_ALLOW_HTTP: 'true',
          CONFORMANCE_REQUEST_TIMEOUT_SECONDS: '3',
          OPENCRVS_NOTIFICATION_CLIENT_ID: randomUUID(),
          OPENCRVS_NOTIFICATION_CLIENT_SECRET: randomUUID(),
        }
        const failure = await setupFailure(env)
        assert.match(failure, c.names, c.behaviour)
        assert.doesNotMatch(failure, /Cannot reach|UND_ERR|HPE_|ECONNRESET/, `${c.behaviour}: it answered, in words`)
        assert.ok(target.requests() <= 1, `${c.behaviour}: ${target.requests()} requests`)
      } finally {
        await target.stop()
      }
    }
  })

  // issue 31: a 503 is the service unavailable (RFC 9110 §15.6.4), not a rate limit (only 429 is, RFC 6585 §4)
  test('a whole deployment down for maintenance (503, Retry-After: 120, HTML): NOT CHECKED naming the 503, never a rate limit', async () => {
    const target = await startHostile('maintenance-503')
    try {
      const env: Record<string, string | undefined> = {
        OPENCRVS_AUTH_URL: target.url,
        CONFORMANCE_ALLOW_HTTP: 'true',
        OPENCRVS_NOTIFICATION_CLIENT_ID: randomUUID(),
        OPENCRVS_NOTIFICATION_CLIENT_SECRET: randomUUID(),
      }
      const failure = await setupFailure(env)
      assert.match(failure, /HTTP 503/)
      assert.doesNotMatch(failure, /rate|CONFORMANCE_MAX_RATE|prepared/i)
      assert.doesNotMatch(env.CONFORMANCE_SETUP_CONTEXT ?? '', /"cause":"rate-limited"/)
      // Retry-After: 120 is over the kit's short wait for a 503: nothing resent, nothing waited for
      assert.ok(target.requests() <= 3, `${target.requests()} requests`)
    } finally {
      await target.stop()
    }
  })

  // a 5xx says nothing of where the release reads credentials: on v2.0 (which reads the body) no real secret ever
  // goes into a URL for it, and one transient 502 is no FAILED format check
  test('v2.0 behind a proxy whose upstream fails once (502 to the first form body): no secret in a URL, no FAILED', async () => {
    const emu = await startEmulator({ release: '2.0' })
    const edge = await startFailingProxy(emu.url, 502)
    try {
      const run = await gradeKitAgainst(emu, { OPENCRVS_AUTH_URL: edge.url, OPENCRVS_VERSION: '2.0' })
      const inUrl = edge.urls().filter((u) => emu.clients.some((c) => u.includes(c.secret)))
      assert.deepEqual(inUrl.length, 0, 'a real secret went into a URL after a 502')
      assert.equal(run.secretInUrl, 0)
      assert.ok(edge.urls().length > 0)
      assert.deepEqual(
        run.records.filter((r) => r.verdict === 'FAILED').map((r) => `${r.id}: ${r.reason}`),
        [],
      )
    } finally {
      await Promise.all([edge.stop(), emu.stop()])
    }
  })

  test("v2.0 whose gateway's /auth/token is behind a maintenance page (503): NOT CHECKED naming the 503, no secret in a URL", async () => {
    const emu = await startEmulator({ release: '2.0' })
    const edge = await startFailingProxy(emu.gatewayUrl, 503, { every: true })
    try {
      for (const declared of ['2.0', 'auto']) {
        const env = kitEnv(emu, mkdtempSync(join(tmpdir(), 'kit-503-')), { OPENCRVS_VERSION: declared }, true)
        const failure = await setupFailure({ ...env, OPENCRVS_GATEWAY_URL: edge.url })
        assert.match(failure, /HTTP 503/, failure)
        assert.doesNotMatch(failure, /rate|prepared/i, failure)
      }
      const inUrl = edge.urls().filter((u) => emu.clients.some((c) => u.includes(c.secret)))
      assert.equal(inUrl.length, 0, 'a real secret went into a URL after a 503')
      assert.ok(edge.urls().length > 0)
    } finally {
      await Promise.all([edge.stop(), emu.stop()])
    }
  })

  test('a token endpoint whose token claims nest 20 000 deep: verdicts, no crash, bounded, nothing leaked', async () => {
    const secrets = [randomUUID()]
    // every check that reads a token or an answer's body; not the refusal probes, which FAIL here only because the
    // target answers anything with 200 (their status codes are all they read), each FAILED costing a worker restart
    const { run, reportDir, requests } = await againstHostile(
      'deep-jwt',
      {
        OPENCRVS_NOTIFICATION_CLIENT_ID: randomUUID(),
        OPENCRVS_NOTIFICATION_CLIENT_SECRET: secrets[0]!,
      },
      ['--grep-invert', 'TOKEN-(DUP|GRANT|AUTH|METHOD)-'],
    )
    console.log(
      `  deep-jwt: exit ${run.code}, ${run.seconds.toFixed(1)} s, peak ${run.peakMb} MB in one process, ${requests} request(s) received`,
    )
    const kit: KitRun = { ...collect(run.code, run.output, reportDir, secrets), writes: [] }
    assert.equal(run.code, 1, run.output)
    assert.match(kit.report.results.find((r) => r.id === 'JWT-01')!.reason, /nests JSON more than 16 levels/)
    assert.doesNotMatch(run.output, STACK, 'no stack trace or raw error')
    assert.deepEqual(
      kit.report.results.filter((r) => /could not complete|crashed/.test(r.reason)).map((r) => `${r.id}: ${r.reason}`),
      [],
    )
    assert.ok(run.seconds < ENDS_BY_ITSELF_S && run.peakMb < 400, `${run.seconds} s, ${run.peakMb} MB`)
    assert.deepEqual(leaks(kit), [])
  })

  test('an edge allowing 5 requests a second in front of a sound target: the kit waits and resends, names the limit, and blames the deployment for nothing', async () => {
    const emu = await startEmulator({ release: '1.9' })
    const [auth, gateway] = await Promise.all([startRateLimiter(emu.url, 5), startRateLimiter(emu.gatewayUrl, 5)])
    try {
      const started = Date.now()
      const run = await gradeKitAgainst(emu, { OPENCRVS_AUTH_URL: auth.url, OPENCRVS_GATEWAY_URL: gateway.url })
      const refused = auth.refused() + gateway.refused()
      console.log(
        `  rate limit 5/s: ${((Date.now() - started) / 1000).toFixed(1)} s, ${auth.forwarded() + gateway.forwarded()} forwarded, ${refused} refused with 429`,
      )
      assert.ok(refused > 0, 'the edge did limit the run')
      assert.deepEqual(
        run.records.filter((r) => r.verdict === 'FAILED').map((r) => `${r.id}: ${r.reason}`),
        [],
      )
      assert.doesNotMatch(run.output, /HTTP 429/, "no verdict quotes the edge's refusal as the deployment's answer")
    } finally {
      await Promise.all([auth.stop(), gateway.stop(), emu.stop()])
    }
  })

  test("told the edge's limit (CONFORMANCE_MAX_RATE), the kit keeps under it from the first request", async () => {
    const emu = await startEmulator({ release: '2.0' })
    const edge = await startRateLimiter(emu.gatewayUrl, 20)
    try {
      const http = new HttpClient({ maxRate: 16 })
      const answers = await Promise.all(
        Array.from({ length: 40 }, () => http.send({ method: 'POST', url: `${edge.url}/auth/token` })),
      )
      assert.deepEqual([...new Set(answers.map((a) => a.status))], [400], 'every request answered by the target')
      assert.ok(edge.refused() <= 1, `${edge.refused()} refused`)
      assert.equal(http.stats.rateLimited, edge.refused())
    } finally {
      await Promise.all([edge.stop(), emu.stop()])
    }
  })

  test('an edge that refuses every request for its rate: NOT CHECKED, the one named cause the rate limit, a few requests', async () => {
    const edge = await startRateLimiter('http://127.0.0.1:9', 0)
    try {
      const env: Record<string, string | undefined> = {
        OPENCRVS_AUTH_URL: edge.url,
        CONFORMANCE_ALLOW_HTTP: 'true',
        OPENCRVS_NOTIFICATION_CLIENT_ID: randomUUID(),
        OPENCRVS_NOTIFICATION_CLIENT_SECRET: randomUUID(),
      }
      const failure = await setupFailure(env)
      assert.match(failure, /limits the request rate[\s\S]*CONFORMANCE_MAX_RATE/)
      assert.ok(edge.refused() <= 5, `${edge.refused()} requests`)
      // and the report keeps the stop's cause
      assert.match(env.CONFORMANCE_SETUP_CONTEXT ?? '', /"cause":"rate-limited"/)
    } finally {
      await edge.stop()
    }
  })

  test('a target whose text would inject into terminals, CI logs and job summaries: every output neutral, no link or image it chose', async () => {
    const secrets = [randomUUID()]
    // the checks that quote what the target said, in one worker, with the kit's reporter (its JUnit too; the HTML and Allure
    // reports render the same neutral verdicts; every FAILED check costs a worker restart)
    const { run, reportDir, requests } = await againstHostile(
      'inject',
      {
        OPENCRVS_NOTIFICATION_CLIENT_ID: randomUUID(),
        OPENCRVS_NOTIFICATION_CLIENT_SECRET: secrets[0]!,
      },
      [
        '--workers=1',
        '--reporter=./src/report/conformance-reporter.ts',
        '--grep',
        'TOKEN-CRED-01|TOKEN-ERR-0|TOKEN-AUTH-0[156]|PROFILE-01',
      ],
    )
    const outputs: Record<string, string> = {
      stdout: run.output,
      ...Object.fromEntries(
        ['junit.xml', 'conformance.md', 'conformance.json', 'conformance.html'].map((f) => [
          f,
          readFileSync(join(reportDir, f), 'utf8'),
        ]),
      ),
    }
    console.log(
      `  inject: exit ${run.code}, ${run.seconds.toFixed(1)} s, ${requests} requests, ${Object.entries(outputs)
        .map(([k, v]) => `${k} ${Math.round(v.length / 1024)} kB`)
        .join(', ')}`,
    )
    assert.match(outputs['conformance.json']!, /evil\.example/, "the target's text is reported, as data")
    for (const [name, text] of Object.entries(outputs)) {
      assert.deepEqual(
        text
          .split('\n')
          .filter((l) => RAW_CONTROL.test(l))
          .map((l) => JSON.stringify(l.slice(0, 80))),
        [],
        `${name}: no raw control or bidi character`,
      )
      assert.deepEqual(
        text.split('\n').filter((l) => /^\s*::/.test(l)),
        [],
        `${name}: no line a target's text starts (a forged workflow command)`,
      )
    }
    // rendered as GitHub Markdown, the target's text is only ever inside code: no link, image or HTML of its choosing
    assert.deepEqual(
      outsideCode(outputs['conformance.md']!).filter((l) => /evil\.example/.test(l)),
      [],
    )
    // on the sign-off page, nothing the target wrote is an element or a link
    assert.doesNotMatch(outputs['conformance.html']!, /<(?:script|img|iframe|a\b[^>]*evil)|href="[^"]*evil/i)
    assert.deepEqual(leaks(collect(run.code, run.output, reportDir, secrets)), [])
  })

  test('a valid token with 3 000 audiences and 3 000 scopes: output bounded (lists cut to a handful, lines and reports to a size)', async () => {
    // the checks that quote the token's claims (every FAILED check costs a worker restart)
    const run = await runKit('2.0', ['huge-claim-arrays'], {
      args: [...LEAN_REPORTS, '--grep', 'JWT-01|JWT-CLM-0[2-49]|DOCS-0|SCOPE-01|GATEWAY-01'],
    })
    const md = readFileSync(join(run.reportDir, 'conformance.md'), 'utf8')
    const longest = Math.max(...run.output.split('\n').map((l) => l.length))
    console.log(
      `  huge claims: stdout ${Math.round(run.output.length / 1024)} kB, longest line ${longest} characters, conformance.md ${Math.round(md.length / 1024)} kB, conformance.json ${Math.round(readFileSync(join(run.reportDir, 'conformance.json'), 'utf8').length / 1024)} kB`,
    )
    assert.ok(run.output.length < 100_000, `stdout ${run.output.length} bytes`)
    assert.ok(longest <= 1_200, `longest line ${longest}`)
    assert.ok(md.length < 400_000, `conformance.md ${md.length} bytes`)
    assert.match(JSON.stringify(run.report.contract), /and 29\d\d more/)
    // a token no server will read in a header (hapi: a bare 400 past 16 kB) is no positive control: GATEWAY-01 says so
    assert.equal(run.verdicts['GATEWAY-01'], 'FAILED')
    assert.match(
      run.report.results.find((r) => r.id === 'GATEWAY-01')!.reason,
      /the token is \d+ kB, and servers refuse request headers over their limit/,
    )
  })

  test('a standards-following OAuth server that is not OpenCRVS: NOT CHECKED, "does not look like an OpenCRVS token endpoint", with why', async () => {
    const { run, requests, reportDir } = await againstHostile('generic-oauth', {
      OPENCRVS_NOTIFICATION_CLIENT_ID: 'generic-client',
      OPENCRVS_NOTIFICATION_CLIENT_SECRET: randomUUID(),
    })
    assert.equal(run.code, 1, run.output)
    // the stopped run's report keeps its context: what was checked, how, what was sent and seen, and why it stopped
    const report = JSON.parse(readFileSync(join(reportDir, 'conformance.json'), 'utf8')) as KitRun['report']
    assert.match(report.target.tokenUrl, /^http:\/\/127\.0\.0\.1:\d+\/token$/)
    assert.equal(report.target.mode, 'opencrvs')
    assert.equal(report.target.declared, 'auto')
    assert.equal(report.requests.total, requests, 'the requests actually sent')
    assert.equal(report.stop?.cause, 'not-opencrvs')
    assert.match(report.stop!.reason, /does not look like an OpenCRVS token endpoint/)
    assert.doesNotMatch(readFileSync(join(reportDir, 'conformance.md'), 'utf8'), /of at most \?/)
    assert.match(
      run.output,
      /does not look like an OpenCRVS token endpoint: .*no error_uri into the OpenCRVS documentation.*iss is "https:\/\/idp\.example\.org".*expires_in.*Verdict: NOT CHECKED/s,
    )
    assert.doesNotMatch(run.output, /FAILED\s+[A-Z]+-/, 'judged against no OpenCRVS profile')
    assert.ok(requests <= 3, `${requests} requests`)
  })

  for (const behaviour of ['html-200', 'html-502', 'huge'] as const) {
    // the huge answer runs whole, its memory measured; the other two are graded in process
    test(`a published key that is not a key (${behaviour} at the key URL) is FAILED, never a pass`, async () => {
      const key = await startHostile(behaviour)
      try {
        const expected = {
          huge: /body over 512 kB/,
          'html-502': /answered HTTP 502/,
          'html-200': /neither a PEM public key nor JSON/,
        }[behaviour]
        const env = { OPENCRVS_PUBLIC_KEY: `${key.url}/.well-known`, CONFORMANCE_REQUEST_TIMEOUT_SECONDS: '3' }
        if (behaviour !== 'huge') {
          const run = await gradeKit('2.0', [], { gatewayOnly: true, env })
          const sig = run.records.find((r) => r.id === 'JWT-SIG-01')!
          assert.equal(sig.verdict, 'FAILED', sig.reason)
          assert.match(sig.reason, expected)
          assert.doesNotMatch(run.output, STACK)
          assert.ok(key.requests() <= 2, `${key.requests()} requests to the key URL`)
          assert.deepEqual(leaks(run), [])
          return
        }
        const emu = await startEmulator({ release: '2.0' })
        const reportDir = mkdtempSync(join(tmpdir(), `hostile-key-`))
        try {
          const [n, s] = emu.clients
          const run = await runMeasured({
            ...env,
            OPENCRVS_GATEWAY_URL: emu.gatewayUrl,
            CONFORMANCE_ALLOW_HTTP: 'true',
            CONFORMANCE_REPORT_DIR: reportDir,
            OPENCRVS_NOTIFICATION_CLIENT_ID: n!.clientId,
            OPENCRVS_NOTIFICATION_CLIENT_SECRET: n!.secret,
            OPENCRVS_SEARCH_CLIENT_ID: s!.clientId,
            OPENCRVS_SEARCH_CLIENT_SECRET: s!.secret,
          })
          const kit = collect(
            run.code,
            run.output,
            reportDir,
            emu.clients.map((x) => x.secret),
          )
          const sig = kit.report.results.find((r) => r.id === 'JWT-SIG-01')!
          assert.equal(sig.verdict, 'FAILED', sig.reason)
          assert.match(sig.reason, expected)
          assert.equal(run.code, 1)
          assert.doesNotMatch(run.output, STACK)
          assert.ok(run.peakMb < 400, `peak ${run.peakMb} MB`)
          assert.ok(key.requests() <= 2, `${key.requests()} requests to the key URL`)
          assert.deepEqual(leaks(kit), [])
        } finally {
          await emu.stop()
        }
      } finally {
        await key.stop()
      }
    })
  }
})
