/**
 * A country's own clients: the recorder driven by real HTTP clients of different shapes (undici with a query string,
 * a JSON body, a form body, HTTP Basic; curl when installed), the files it writes (placeholders only), bad input
 * (nothing recorded, a name that escapes the folder, a name already taken, a hand-edited file), and `check`'s
 * judgement of each file per release agreeing with the same file replayed against the emulator of that release.
 */
import assert from 'node:assert/strict'
import { execFile, spawn, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { request } from 'undici'
import { startEmulator } from '../emulator/server.ts'
import { gradeKit, runTool } from './harness.ts'
import { KNOWN_CLIENTS, type KnownClient } from '../src/clients/catalogue.ts'
import { COLUMNS } from '../src/clients/check.ts'
import { clientRequest, clientUrl, judgeAnswer, judgeRelease } from '../src/clients/judge.ts'
import { loadRecorded, readRecorded } from '../src/clients/recorded.ts'
import { startRecorder } from '../src/clients/recorder.ts'
import type { HttpExchange } from '../src/http/index.ts'
import { PROFILES } from '../src/profiles/profiles.ts'

const id = randomUUID()
const secret = `s3cr3t-${randomUUID()}`
const dir = mkdtempSync(join(tmpdir(), 'kit-recorded-'))

/** Record one request sent by `send` (given the recorder's port) under `name`, with --once. */
async function recordOne(name: string, send: (port: number) => Promise<void>, as?: string): Promise<string> {
  const lines: string[] = []
  const rec = await startRecorder({
    name,
    dir,
    release: '2.0',
    once: true,
    ...(as ? { as } : {}),
    log: (l) => lines.push(l),
  })
  await send(rec.port)
  await rec.done
  const out = await rec.stop()
  assert.ok('file' in out, `${name}: ${'error' in out ? out.error : ''}\n${lines.join('\n')}`)
  const text = readFileSync(out.file, 'utf8')
  // no credential, nor 8 characters of one, in the file
  for (const c of [id, secret]) for (let i = 0; i + 8 <= c.length; i++) assert.ok(!text.includes(c.slice(i, i + 8)))
  return text
}

/** POST with undici to the recorder, as a client would, and check it got a well-formed token. */
async function post(
  port: number,
  path: string,
  init: { host: string; headers?: Record<string, string>; body?: string },
) {
  const res = await request(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { host: init.host, ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
  })
  const json = (await res.body.json()) as { access_token: string; token_type: string }
  assert.equal(res.statusCode, 200)
  assert.equal(json.access_token.split('.').length, 3)
  const claims = JSON.parse(Buffer.from(json.access_token.split('.')[1]!, 'base64url').toString()) as Record<
    string,
    unknown
  >
  assert.deepEqual(claims.aud, PROFILES['2.0'].jwt.aud, 'a token of the release asked for')
}

const q = (o: Record<string, string>) => new URLSearchParams(o).toString()

describe('recording clients', { concurrency: 1 }, () => {
  test('undici, credentials in the query string as OpenFn sends them: order, headers, empty body', async () => {
    const text = await recordOne('openfn-like', (port) =>
      post(port, `/token?${q({ grant_type: 'client_credentials', client_secret: secret, client_id: id })}`, {
        host: 'auth.example.org',
        headers: { accept: '*/*', 'content-type': 'application/json', 'content-length': '0' },
        body: '',
      }),
    )
    const f = JSON.parse(text)
    assert.equal(f.host, 'auth')
    assert.equal(f.path, '/token')
    assert.deepEqual(
      f.params.map((p: { name: string; in: string; value: string }) => `${p.name}@${p.in}=${p.value}`),
      ['grant_type@query=client_credentials', 'client_secret@query=<client_secret>', 'client_id@query=<client_id>'],
    )
    assert.equal(f.contentType, 'application/json')
    assert.equal(f.accept, '*/*')
    assert.equal(f.body, 'empty')
  })

  test('undici, a JSON body to the gateway; a form body; HTTP Basic with grant_type in the form', async () => {
    const json = JSON.parse(
      await recordOne('json-gateway', (port) =>
        post(port, '/auth/token', {
          host: 'gateway.example.org',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ client_id: id, client_secret: secret, grant_type: 'client_credentials' }),
        }),
      ),
    )
    assert.deepEqual([json.host, json.path, json.body], ['gateway', '/auth/token', 'json'])
    assert.ok(json.params.every((p: { in: string }) => p.in === 'json'))
    const form = JSON.parse(
      await recordOne(
        'form-setting',
        (port) =>
          post(port, '/auth/token', {
            host: `127.0.0.1:${port}`,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: q({ client_id: id, client_secret: secret, grant_type: 'client_credentials' }),
          }),
        'https://gateway.example.org/auth',
      ),
    )
    assert.deepEqual([form.host, form.body, form.urlSetting], ['gateway', 'form', 'https://gateway.example.org/auth'])
    const basic = JSON.parse(
      await recordOne('basic-form', (port) =>
        post(port, '/token', {
          host: 'auth.example.org',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
          },
          body: q({ grant_type: 'client_credentials' }),
        }),
      ),
    )
    assert.deepEqual(
      basic.params.map((p: { name: string; in: string }) => `${p.name}@${p.in}`),
      ['grant_type@form', 'client_id@basic', 'client_secret@basic'],
    )
  })

  test('curl, the Postman shape (query string, JSON content type, no body), when curl is installed', async (t) => {
    if (spawnSync('curl', ['--version']).status !== 0) return t.skip('curl is not installed')
    const text = await recordOne('curl-postman', async (port) => {
      const url = `http://auth.example.org:${port}/token?${q({ client_id: id, client_secret: secret, grant_type: 'client_credentials' })}`
      // asynchronously: the recorder answers in this process
      const { stdout: out } = await promisify(execFile)(
        'curl',
        [
          '-s',
          '--max-time',
          '20',
          '--resolve',
          `auth.example.org:${port}:127.0.0.1`,
          '-X',
          'POST',
          '-H',
          'Content-Type: application/json',
          url,
        ],
        { encoding: 'utf8' },
      )
      assert.match(out, /"access_token"/)
    })
    const f = JSON.parse(text)
    assert.deepEqual([f.host, f.body, f.contentType], ['auth', 'none', 'application/json'])
  })

  test('secrets under other names: nested JSON keys, case and spelling variants; only allow-listed values written', async () => {
    const nested = JSON.parse(
      await recordOne('nested-secret', (port) =>
        post(port, '/auth/token', {
          host: 'gateway.example.org',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            grant_type: 'client_credentials',
            client_id: id,
            credentials: { client_secret: secret, extra: { password: `pw-${secret}` } },
            audience: 'https://private.example.org/some-tenant-name',
          }),
        }),
      ),
    )
    assert.deepEqual(
      nested.params.map((p: { name: string; value: string }) => `${p.name}=${p.value}`),
      [
        'grant_type=client_credentials',
        'client_id=<client_id>',
        'credentials=<client_secret>',
        'audience=<not recorded>',
      ],
    )
    const form = JSON.parse(
      await recordOne('upper-secret', (port) =>
        post(port, '/token', {
          host: 'auth.example.org',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `client_id=${id}&Client_Secret=${secret}&API-Key=${secret}&scope=notification-api&note=${secret}x`,
        }),
      ),
    )
    assert.deepEqual(
      form.params.map((p: { name: string; value: string }) => `${p.name}=${p.value}`),
      [
        'client_id=<client_id>',
        'Client_Secret=<client_secret>',
        'API-Key=<client_secret>',
        'scope=notification-api',
        'note=<client_secret>',
      ],
    )
  })

  test('control characters in a parameter name or path: shown escaped on the console, nothing written', async () => {
    const lines: string[] = []
    const rec = await startRecorder({ name: 'esc-name', dir, release: '2.0', once: true, log: (l) => lines.push(l) })
    await post(rec.port, '/token?%1B%5B2J%1B%5B31mPWNED%E2%80%AE=1&grant_type=client_credentials', {
      host: 'auth.example.org',
    })
    await rec.done
    const out = await rec.stop()
    assert.match('error' in out ? out.error : '', /not a valid client file \(params\.0\.name/)
    assert.ok(!existsSync(join(dir, 'esc-name.json')))
    assert.ok(lines.length > 0 && lines.every((l) => !/[\u001b\u202e]/.test(l)), lines.join('\n'))
    assert.ok(
      lines.some((l) => l.includes('\\u001b[2J')),
      lines.join('\n'),
    )
  })

  test('bad input: nothing recorded, a name escaping the folder, a name taken, a hand-edited file', async () => {
    const rec = await startRecorder({ name: 'silent', dir, release: '2.0', log: () => {} })
    const out = await rec.stop()
    assert.match('error' in out ? out.error : '', /no token request/)
    assert.ok(!existsSync(join(dir, 'silent.json')))
    for (const name of ['../escape', 'a/b', 'openfn-adaptor', ''])
      await assert.rejects(startRecorder({ name, dir, release: '2.0', log: () => {} }))
    await assert.rejects(startRecorder({ name: 'openfn-like', dir, release: '2.0', log: () => {} }), /already exists/)
    const edited = JSON.parse(readFileSync(join(dir, 'json-gateway.json'), 'utf8'))
    edited.params[0].in = 'header'
    edited.params[1].value = 'a-real-looking-secret'
    writeFileSync(join(dir, 'edited.json'), JSON.stringify({ ...edited, name: 'edited' }))
    const got = readRecorded(join(dir, 'edited.json'))
    assert.ok('problems' in got)
    assert.ok(
      got.problems.some((p) => p.startsWith('params.0.in:') && /Write one of: query, json, form, basic/.test(p)),
      got.problems.join('\n'),
    )
    assert.ok(
      got.problems.some((p) => p.startsWith('params.1.value:')),
      got.problems.join('\n'),
    )
    writeFileSync(join(dir, 'broken.json'), '{ not json')
    const set = loadRecorded(dir)
    assert.deepEqual(set.refused.map((f) => f.id).sort(), ['broken', 'edited'])
    assert.ok(set.clients.length >= 4, 'the other files are still read')
  })
})

/** The exchange the kit's judge reads, from undici's answer. */
async function exchange(req: ReturnType<typeof clientRequest>, edgePort: number): Promise<HttpExchange> {
  const u = new URL(req.url)
  const res = await request(`http://127.0.0.1:${edgePort}${u.pathname}${u.search}`, {
    method: req.method as 'POST',
    headers: { ...req.headers, host: u.host },
    ...(req.body !== undefined ? { body: req.body } : {}),
  })
  const bodyText = await res.body.text()
  let json: unknown
  try {
    json = JSON.parse(bodyText)
  } catch {}
  const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]))
  return { request: req, status: res.statusCode, headers, bodyText, json, durationMs: 0 }
}

describe('check agrees with replaying the same file against the emulator of each release', () => {
  let recorded: KnownClient[] = []
  before(() => {
    recorded = loadRecorded(dir).clients
  })
  after(() => {})
  for (const col of COLUMNS) {
    test(col.label, async () => {
      assert.ok(recorded.length >= 4, `recorded clients: ${readdirSync(dir).join(', ')}`)
      const emu = await startEmulator({
        release: col.id,
        ...(col.production ? {} : { faults: ['node-env-development'] }),
      })
      try {
        const p = PROFILES[col.id]
        const dummy = { id: randomUUID(), secret: randomUUID() }
        for (const c of [...recorded, ...KNOWN_CLIENTS]) {
          const checked = judgeRelease(c, p, col.production)
          const replayed = await Promise.all(
            c.hosts.map(async (host) => {
              const url = clientUrl(host, { scheme: 'http:', domain: emu.edge.domain }) as string
              return judgeAnswer(c, host, url, await exchange(clientRequest(c, url, dummy), emu.edge.port), p)
            }),
          )
          const works = replayed.some((a) => a.works)
          assert.equal(
            works,
            checked.works,
            `${c.id} on ${col.label}: check says ${checked.works ? 'token' : `no token (${checked.why})`}, the replay ${replayed.map((a) => a.answered).join('; ')}`,
          )
          if (!works)
            assert.ok(
              replayed.every((a) => a.release),
              `${c.id} on ${col.label}: the release's own refusal`,
            )
        }
      } finally {
        await emu.stop()
      }
    })
  }
})

describe('recorded files replayed in a conformance run, beside the known clients', () => {
  test('v2.0: a required recorded client on auth.<domain> is FAILED by name; a refused file is listed, the others replayed; v1.9: it gets a token', async () => {
    const own = mkdtempSync(join(tmpdir(), 'kit-own-clients-'))
    for (const name of ['openfn-like', 'json-gateway'])
      writeFileSync(join(own, `${name}.json`), readFileSync(join(dir, `${name}.json`)))
    writeFileSync(
      join(own, 'hand-edited.json'),
      JSON.stringify({ format: 'opencrvs-token-client/1', name: 'hand-edited' }),
    )
    const env = { CONFORMANCE_CLIENTS_DIR: own, CONFORMANCE_REQUIRED_CLIENTS: 'openfn-like' }
    const v20 = await gradeKit('2.0', [], { env })
    const c20 = v20.records.find((r) => r.id === 'CLIENTS-01')!
    assert.equal(c20.verdict, 'FAILED', c20.reason)
    assert.match(c20.reason, /required by this country \(CONFORMANCE_REQUIRED_CLIENTS\): openfn-like \(recorded\)/)
    assert.match(c20.detail ?? '', /json-gateway \(recorded\) recorded \S+: gets a token/)
    assert.match(
      c20.detail ?? '',
      /hand-edited \(recorded\) recorded: not checked: \S+hand-edited\.json is refused: \(file\): must have required property 'host'/,
    )
    // both files send what a known client sends, byte for byte: each request goes once, the budget is unchanged
    const base = await gradeKit('2.0', [])
    assert.equal(v20.requests, base.requests)
    const v19 = await gradeKit('1.9', [], { env })
    const c19 = v19.records.find((r) => r.id === 'CLIENTS-01')!
    assert.equal(c19.verdict, 'PASSED', c19.reason)
  })
})

/** npm run clients -- record, as a user runs it: the port read from its first line, then `act`, then SIGTERM. */
function recordCli(
  dirOf: string,
  args: string[],
  act: (port: number) => Promise<void>,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), join(import.meta.dirname, '../src/cli/clients.ts'), 'record', ...args],
      {
        cwd: join(import.meta.dirname, '..'),
        env: { PATH: process.env.PATH ?? '', CONFORMANCE_CLIENTS_DIR: dirOf, CI: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    let acted = false
    const onData = (d: Buffer) => {
      output += d
      const m = /127\.0\.0\.1:(\d+)/.exec(output)
      if (m && !acted) {
        acted = true
        act(Number(m[1]))
          .then(() => child.kill('SIGTERM'))
          .catch(reject)
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('close', (code) => resolve({ code: code ?? -1, output }))
  })
}

describe('npm run clients', () => {
  test('record: SIGTERM writes what was recorded (exit 0); with no token request, exit 1 and no file', async () => {
    const d = mkdtempSync(join(tmpdir(), 'kit-cli-clients-'))
    const ok = await recordCli(d, ['hospital', '--as', 'https://auth.example.org'], (port) =>
      post(port, `/token?${q({ client_id: id, client_secret: secret, grant_type: 'client_credentials' })}`, {
        host: `127.0.0.1:${port}`,
        headers: { 'content-type': 'application/json' },
      }),
    )
    assert.equal(ok.code, 0, ok.output)
    assert.match(readFileSync(join(d, 'hospital.json'), 'utf8'), /"hostFrom": "--as https:\/\/auth\.example\.org"/)
    const none = await recordCli(d, ['silent'], async () => {})
    assert.equal(none.code, 1, none.output)
    assert.match(none.output, /no token request/)
    assert.ok(!existsSync(join(d, 'silent.json')))
    const taken = await runTool('clients', { CONFORMANCE_CLIENTS_DIR: d }, ['record', 'hospital', '--once'])
    assert.equal(taken.code, 1, taken.output)
    assert.match(taken.output, /already exists/)
  })

  test('check --release: exit 1 when a required client gets no token on that release, 0 when every one does', async () => {
    const env = { CONFORMANCE_CLIENTS_DIR: dir, CONFORMANCE_REQUIRED_CLIENTS: 'openfn-adaptor,openfn-like' }
    const to20 = await runTool('clients', env, ['check', '--release', '2.0'])
    assert.equal(to20.code, 1, to20.output)
    assert.match(
      to20.output,
      /Not ready for v2\.0: required client\(s\) with no token there: openfn-adaptor, openfn-like/,
    )
    const to19 = await runTool('clients', env, ['check', 'openfn-adaptor', 'openfn-like', '--release', '1.9', '--json'])
    assert.equal(to19.code, 0, to19.output)
    const json = JSON.parse(to19.output.slice(to19.output.indexOf('{'))) as {
      clients: Array<{ id: string; recorded: boolean }>
    }
    assert.deepEqual(
      json.clients.map((c) => [c.id, c.recorded]),
      [
        ['openfn-adaptor', false],
        ['openfn-like', true],
      ],
    )
  })
})
