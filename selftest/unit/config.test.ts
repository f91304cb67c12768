import assert from 'node:assert/strict'
import { test } from 'node:test'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cleanedIdLines, ConfigError, formatConfigError, resolveConfig } from '../../src/config/index.ts'
import { knownNames, unknownNameLines } from '../../src/config/names.ts'
import { redact } from '../../src/redact/index.ts'

const base = { OPENCRVS_AUTH_URL: 'https://auth.example.org' }

function configError(env: Record<string, string>): ConfigError {
  try {
    resolveConfig(env)
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e))
    return e
  }
  assert.fail('expected a ConfigError')
}

test('no deployment configured: the bundled emulator, release 2.0 or OPENCRVS_VERSION', () => {
  assert.deepEqual(resolveConfig({}), {
    kind: 'emulator',
    release: '2.0',
    faults: [],
    mode: 'opencrvs',
    reportDir: 'reports',
    leewaySeconds: 60,
    slow: false,
    waivers: [],
    maxRequests: 150,
    requestTimeoutSeconds: 15,
    requiredClients: [],
    recorded: { dir: 'clients', clients: [], refused: [] },
  })
  const r = resolveConfig({ OPENCRVS_VERSION: '1.8', CONFORMANCE_EMULATOR_FAULTS: 'no-cache-control, opaque-token' })
  assert.equal(r.kind === 'emulator' && r.release, '1.8')
  assert.deepEqual(r.kind === 'emulator' && r.faults, ['no-cache-control', 'opaque-token'])
})

test('token URL precedence: explicit, then auth /token, then gateway /auth/token', () => {
  const t = (env: Record<string, string>) => {
    const r = resolveConfig(env)
    assert.equal(r.kind, 'deployment')
    return r.kind === 'deployment' ? r.target : assert.fail()
  }
  assert.equal(t(base).tokenUrl, 'https://auth.example.org/token')
  assert.equal(t(base).publicKey?.location, 'https://auth.example.org/.well-known')
  assert.equal(
    t({ OPENCRVS_GATEWAY_URL: 'https://gateway.example.org/' }).tokenUrl,
    'https://gateway.example.org/auth/token',
  )
  assert.equal(t({ OPENCRVS_GATEWAY_URL: 'https://gateway.example.org' }).tokenRoute, 'gateway')
  const explicit = t({ ...base, OPENCRVS_TOKEN_URL: 'https://gw.example.org/auth/token' })
  assert.equal(explicit.tokenUrl, 'https://gw.example.org/auth/token')
  assert.equal(explicit.tokenRoute, 'gateway')
})

test('clients: pairs, expected scopes, the deactivated client, unknown types', () => {
  const r = resolveConfig({
    ...base,
    OPENCRVS_NOTIFICATION_CLIENT_ID: 'n-id',
    OPENCRVS_NOTIFICATION_CLIENT_SECRET: 'n-secret',
    OPENCRVS_NOTIFICATION_CLIENT_SCOPES: 'notification-api, record.create[event=birth]',
    OPENCRVS_DEACTIVATED_CLIENT_ID: 'd-id',
    OPENCRVS_DEACTIVATED_CLIENT_SECRET: 'd-secret',
  })
  assert.equal(r.kind, 'deployment')
  if (r.kind !== 'deployment') return
  assert.deepEqual(r.target.clients.NOTIFICATION?.scopes, ['notification-api', 'record.create[event=birth]'])
  assert.equal(r.target.clients.SEARCH, undefined)
  assert.deepEqual(r.target.deactivated, { id: 'd-id', secret: 'd-secret' })
})

test('every bad value names its variable, says what is wrong and what to write', () => {
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ OPENCRVS_AUTH_URL: 'not-a-url' }, 'OPENCRVS_AUTH_URL', /not a URL/],
    [{ OPENCRVS_AUTH_URL: 'ftp://auth.example.org' }, 'OPENCRVS_AUTH_URL', /not an HTTP scheme/],
    [{ OPENCRVS_AUTH_URL: 'http://auth.example.org' }, 'OPENCRVS_AUTH_URL', /CONFORMANCE_ALLOW_HTTP=true/],
    [{ OPENCRVS_AUTH_URL: 'https://auth.example.org?x=1' }, 'OPENCRVS_AUTH_URL', /query string/],
    [
      {
        OPENCRVS_AUTH_URL: 'https://auth.example.org',
        OPENCRVS_REENABLED_CLIENT_ID: 'c',
        OPENCRVS_REENABLED_CLIENT_SECRET: 'a-secret',
        OPENCRVS_REENABLED_CLIENT_TYPE: 'HEALTH',
      },
      'OPENCRVS_REENABLED_CLIENT_TYPE',
      /not a client type/,
    ],
    [{ OPENCRVS_GATEWAY_URL: 'https://u:p@gateway.example.org' }, 'OPENCRVS_GATEWAY_URL', /user name or password/],
    [{ ...base, OPENCRVS_VERSION: '3.1' }, 'OPENCRVS_VERSION', /1\.8/],
    [{ ...base, CONFORMANCE_MODE: 'lenient' }, 'CONFORMANCE_MODE', /strict/],
    [{ ...base, CONFORMANCE_ALLOW_HTTP: 'maybe' }, 'CONFORMANCE_ALLOW_HTTP', /true or false/],
    [{ ...base, OPENCRVS_SEARCH_CLIENT_SECRET: 's' }, 'OPENCRVS_SEARCH_CLIENT_ID', /client id is missing/],
    [{ ...base, OPENCRVS_SEARCH_CLIENT_ID: 'i' }, 'OPENCRVS_SEARCH_CLIENT_SECRET', /secret is missing/],
    [
      { ...base, OPENCRVS_HEALTH_CLIENT_ID: 'i', OPENCRVS_HEALTH_CLIENT_SECRET: 's' },
      'OPENCRVS_HEALTH_CLIENT_ID',
      /OPENCRVS_NOTIFICATION_CLIENT_ID/,
    ],
    [{ OPENCRVS_SEARCH_CLIENT_ID: 'i', OPENCRVS_SEARCH_CLIENT_SECRET: 's' }, 'OPENCRVS_AUTH_URL', /no deployment URL/],
    [{ ...base, OPENCRVS_PUBLIC_KEY: '/nonexistent/key.pem' }, 'OPENCRVS_PUBLIC_KEY', /no file/],
    [{ ...base, CONFORMANCE_EMULATOR_FAULTS: 'no-cache-control' }, 'CONFORMANCE_EMULATOR_FAULTS', /emulator only/],
    [{ ...base, CONFORMANCE_LEEWAY_SECONDS: '-5' }, 'CONFORMANCE_LEEWAY_SECONDS', /whole number/],
    [{ ...base, OPENCRVS_TOKEN_LIFETIME_SECONDS: '10m' }, 'OPENCRVS_TOKEN_LIFETIME_SECONDS', /whole number/],
    [{ ...base, CONFORMANCE_SLOW: 'sometimes' }, 'CONFORMANCE_SLOW', /true or false/],
    [{ ...base, CONFORMANCE_MAX_REQUESTS: '5' }, 'CONFORMANCE_MAX_REQUESTS', /from 10 to/],
    [{ ...base, CONFORMANCE_WAIVERS_FILE: '/nonexistent/waivers.json' }, 'CONFORMANCE_WAIVERS_FILE', /no file/],
  ]
  for (const [env, variable, message] of cases) {
    const e = configError(env)
    assert.equal(e.variable, variable, JSON.stringify(env))
    assert.match(e.message, message)
    assert.ok(e.fix.length > 10, `a fix for ${variable}`)
  }
})

test('files that are folders, null JSON, impossible dates, twin client ids, keys and CAs that do not parse: exit 2 naming the variable, no crash', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'))
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text)
    return join(dir, name)
  }
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ ...base, OPENCRVS_CA_FILE: dir }, 'OPENCRVS_CA_FILE', /is a directory/],
    [
      {
        ...base,
        OPENCRVS_CA_FILE: file('bad-ca.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
      },
      'OPENCRVS_CA_FILE',
      /does not parse/,
    ],
    [{ ...base, OPENCRVS_RETIRED_CREDENTIALS: dir }, 'OPENCRVS_RETIRED_CREDENTIALS', /is a directory/],
    [{ ...base, CONFORMANCE_WAIVERS_FILE: dir }, 'CONFORMANCE_WAIVERS_FILE', /is a directory/],
    [
      { ...base, CONFORMANCE_WAIVERS_FILE: file('null.json', 'null') },
      'CONFORMANCE_WAIVERS_FILE',
      /no "waivers" array/,
    ],
    [
      {
        ...base,
        CONFORMANCE_WAIVERS_FILE: file(
          'feb30.json',
          JSON.stringify({ waivers: [{ id: 'TOKEN-RESP-03', reason: 'proxy fix', until: '2027-02-30' }] }),
        ),
      },
      'CONFORMANCE_WAIVERS_FILE',
      /until "2027-02-30" is not a date/,
    ],
    [{ ...base, CONFORMANCE_REPORT_DIR: file('not-a-dir', '') }, 'CONFORMANCE_REPORT_DIR', /is a file, not a folder/],
    [
      {
        ...base,
        OPENCRVS_NOTIFICATION_CLIENT_ID: 'same',
        OPENCRVS_NOTIFICATION_CLIENT_SECRET: 'secret-one',
        OPENCRVS_SEARCH_CLIENT_ID: 'same',
        OPENCRVS_SEARCH_CLIENT_SECRET: 'secret-two',
      },
      'OPENCRVS_SEARCH_CLIENT_ID',
      /the same client id as OPENCRVS_NOTIFICATION_CLIENT_ID/,
    ],
    [
      {
        ...base,
        OPENCRVS_PUBLIC_KEY: file('bad-key.pem', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'),
      },
      'OPENCRVS_PUBLIC_KEY',
      /holds no public key/,
    ],
    [
      { ...base, OPENCRVS_PUBLIC_KEY: file('html.pem', '<html>not a key</html>') },
      'OPENCRVS_PUBLIC_KEY',
      /holds no public key/,
    ],
    [{ ...base, OPENCRVS_PUBLIC_KEY: dir }, 'OPENCRVS_PUBLIC_KEY', /is a directory/],
  ]
  for (const [env, variable, problem] of cases) {
    const e = configError(env)
    assert.equal(e.variable, variable, `${variable}: ${e.message}`)
    assert.match(e.problem, problem)
  }
  // a URL's user:password@ is never echoed, even when the URL does not parse
  const e = configError({ OPENCRVS_AUTH_URL: 'https://admin:hunter2-secret@auth example.org' })
  assert.doesNotMatch(e.message, /hunter2|admin:/)
})

test('a config error never echoes a secret', () => {
  const e = configError({
    OPENCRVS_SEARCH_CLIENT_SECRET: 'top-secret-value',
    OPENCRVS_AUTH_URL: 'https://a.example.org',
  })
  assert.doesNotMatch(e.message, /top-secret-value/)
})

test('.env.example documents every variable the kit reads', async () => {
  const { readFileSync, readdirSync } = await import('node:fs')
  const root = new URL('../../', import.meta.url)
  const example = readFileSync(new URL('.env.example', root), 'utf8')
  const sources = ['src/config/index.ts', 'fixtures/tokens.ts']
    .map((f) => readFileSync(new URL(f, root), 'utf8'))
    .join('\n')
  const named = new Set([...sources.matchAll(/'((?:OPENCRVS|CONFORMANCE)_[A-Z_]+)'/g)].map((m) => m[1]!))
  assert.ok(named.size >= 8, 'found the variable names')
  for (const name of named) assert.match(example, new RegExp(`^#?\\s*${name}=`, 'm'), `${name} in .env.example`)
  assert.ok(readdirSync(new URL('src/config', root)).length > 0)
})

test('waivers: validated on load; a waived FAILED becomes WARNING, an expired waiver does not apply', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const { applyWaiver } = await import('../../fixtures/check.ts')
  const dir = mkdtempSync(join(tmpdir(), 'waivers-'))
  const file = (body: unknown) => {
    const p = join(dir, `w${Math.random()}.json`)
    writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body))
    return p
  }
  const ok = resolveConfig({
    CONFORMANCE_WAIVERS_FILE: file({
      waivers: [{ id: 'TOKEN-RESP-03', reason: 'proxy fix in sprint 12', until: '2027-01-31' }],
    }),
  })
  assert.deepEqual(ok.kind === 'emulator' && ok.waivers, [
    { id: 'TOKEN-RESP-03', reason: 'proxy fix in sprint 12', until: '2027-01-31' },
  ])
  for (const [body, message] of [
    ['{not json', /not valid JSON/],
    [{ items: [] }, /no "waivers" array/],
    [{ waivers: [{ id: 'NOPE-01', reason: 'x y z', until: '2027-01-01' }] }, /not a requirement id/],
    [{ waivers: [{ id: 'TOKEN-RESP-03', until: '2027-01-01' }] }, /no reason/],
    [{ waivers: [{ id: 'TOKEN-RESP-03', reason: 'because', until: 'next year' }] }, /not a date/],
  ] as Array<[unknown, RegExp]>) {
    const e = configError({ CONFORMANCE_WAIVERS_FILE: file(body) })
    assert.equal(e.variable, 'CONFORMANCE_WAIVERS_FILE')
    assert.match(e.message, message)
  }
  const failed = { id: 'TOKEN-RESP-03', verdict: 'FAILED' as const, reason: 'Cache-Control is absent' }
  const waivers = [{ id: 'TOKEN-RESP-03', reason: 'proxy fix in sprint 12', until: '2027-01-31' }]
  const waived = applyWaiver(failed, waivers, '2027-01-31')
  assert.equal(waived.verdict, 'WARNING')
  assert.match(waived.reason, /^waived: proxy fix in sprint 12 \(until 2027-01-31\)/)
  const expired = applyWaiver(failed, waivers, '2027-02-01')
  assert.equal(expired.verdict, 'FAILED')
  assert.match(expired.reason, /waiver expired on 2027-01-31/)
  assert.equal(applyWaiver({ ...failed, verdict: 'PASSED' }, waivers, '2027-01-01').verdict, 'PASSED')
  // issue 35 case 7: an expired entry, then a renewed one for the same requirement: the renewed one applies
  const renewed = [{ id: 'TOKEN-RESP-03', reason: 'old', until: '2020-01-01' }, ...waivers]
  assert.equal(applyWaiver(failed, renewed, '2027-01-01').verdict, 'WARNING')
  assert.match(applyWaiver(failed, renewed, '2027-01-01').reason, /until 2027-01-31/)
  assert.equal(applyWaiver(failed, [...waivers, renewed[0]!], '2027-01-01').verdict, 'WARNING', 'in either order')
})

test('lifecycle credentials: each group whole or not at all; the retired file validated and bounded', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(join(tmpdir(), 'retired-'))
  const file = (text: string) => {
    const p = join(dir, `r${Math.random()}.csv`)
    writeFileSync(p, text)
    return p
  }
  const partial = configError({ ...base, OPENCRVS_ROTATED_CLIENT_ID: 'id', OPENCRVS_ROTATED_CLIENT_SECRET: 'new-one' })
  assert.equal(partial.variable, 'OPENCRVS_ROTATED_CLIENT_OLD_SECRET')
  assert.equal(configError({ ...base, OPENCRVS_DELETED_CLIENT_SECRET: 's' }).variable, 'OPENCRVS_DELETED_CLIENT_ID')
  assert.match(
    configError({ ...base, OPENCRVS_RETIRED_CREDENTIALS: file('just-an-id\n') }).message,
    /line 1 is not "client_id,client_secret"/,
  )
  assert.match(
    configError({ ...base, OPENCRVS_RETIRED_CREDENTIALS: file('# nothing\n') }).message,
    /lists no credentials/,
  )
  assert.match(
    configError({
      ...base,
      OPENCRVS_RETIRED_CREDENTIALS: file(Array.from({ length: 26 }, (_, i) => `id${i},s${i}`).join('\n')),
    }).message,
    /at most 25/,
  )
  const ok = resolveConfig({
    ...base,
    OPENCRVS_RETIRED_CREDENTIALS: file('# rehearsal\nid-1,secret-1\n\nid-2, secret-2\n'),
    OPENCRVS_REENABLED_CLIENT_ID: 'r',
    OPENCRVS_REENABLED_CLIENT_SECRET: 'rs',
  })
  assert.equal(ok.kind, 'deployment')
  if (ok.kind !== 'deployment') return
  assert.deepEqual(ok.target.lifecycle.retired?.credentials, [
    { id: 'id-1', secret: 'secret-1' },
    { id: 'id-2', secret: 'secret-2' },
  ])
  assert.deepEqual(ok.target.lifecycle.reenabled, { id: 'r', secret: 'rs' })
})

// issue 35 case 5: a lifecycle setting that contradicts the run is a configuration error naming the variable
test('lifecycle settings naming a live configured client, and CSV files with a header and quoted fields', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(join(tmpdir(), 'lifecycle-'))
  const file = (text: string) => {
    const p = join(dir, `r${Math.random()}.csv`)
    writeFileSync(p, text)
    return p
  }
  const live = { ...base, OPENCRVS_NOTIFICATION_CLIENT_ID: 'live-id', OPENCRVS_NOTIFICATION_CLIENT_SECRET: 'live-s' }
  const deleted = configError({ ...live, OPENCRVS_DELETED_CLIENT_ID: 'live-id', OPENCRVS_DELETED_CLIENT_SECRET: 'x' })
  assert.equal(deleted.variable, 'OPENCRVS_DELETED_CLIENT_ID')
  assert.match(deleted.message, /configured event notification client/)
  // a spreadsheet's export: a header line, quoted fields; one of them a live client
  const csv = file('"client_id","client_secret"\n"old-1","s-1"\n"live-id","s-2"\n')
  const retired = configError({ ...live, OPENCRVS_RETIRED_CREDENTIALS: csv })
  assert.equal(retired.variable, 'OPENCRVS_RETIRED_CREDENTIALS')
  assert.match(retired.message, /credential 2 of .* names the configured event notification client/)
  const ok = resolveConfig({
    ...live,
    OPENCRVS_RETIRED_CREDENTIALS: file('client_id,client_secret\n"old-1","s,""1"\n'),
  })
  assert.deepEqual(ok.kind === 'deployment' && ok.target.lifecycle.retired?.credentials, [
    { id: 'old-1', secret: 's,"1' },
  ])
  assert.match(
    configError({ ...live, OPENCRVS_RETIRED_CREDENTIALS: file('"old-1,s-1\n') }).message,
    /line 1 is not "client_id,client_secret"/,
  )
})

test('a configuration error never echoes a configured secret, even one pasted into the wrong variable', () => {
  const secret = 'f3a9c1d2-5b7e-4c8a-9e0f-123456789abc'
  const e = configError({
    OPENCRVS_VERSION: `1.9.x-${secret}`,
    OPENCRVS_AUTH_URL: 'https://auth.example.org',
    OPENCRVS_NOTIFICATION_CLIENT_ID: 'n',
    OPENCRVS_NOTIFICATION_CLIENT_SECRET: secret,
  })
  const shown = formatConfigError(e)
  assert.match(shown, /OPENCRVS_VERSION/)
  assert.doesNotMatch(shown, new RegExp(secret.slice(0, 8)))
})

// issue 32: a base URL that already holds the route the kit adds is the configuration's error, named, before any request
test('a URL that already holds the path (/token, /auth, /auth/token) stops with exit 2 naming the variable and the base to write', () => {
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [
      { OPENCRVS_AUTH_URL: 'https://auth.example.org/token' },
      'OPENCRVS_AUTH_URL',
      /OPENCRVS_AUTH_URL=https:\/\/auth\.example\.org;/,
    ],
    [
      { OPENCRVS_AUTH_URL: 'https://auth.example.org/token/' },
      'OPENCRVS_AUTH_URL',
      /OPENCRVS_AUTH_URL=https:\/\/auth\.example\.org;/,
    ],
    [
      { OPENCRVS_AUTH_URL: 'https://auth.example.org/.well-known' },
      'OPENCRVS_AUTH_URL',
      /OPENCRVS_AUTH_URL=https:\/\/auth\.example\.org;/,
    ],
    [
      { OPENCRVS_AUTH_URL: 'https://auth.example.org/auth' },
      'OPENCRVS_AUTH_URL',
      /OPENCRVS_AUTH_URL=https:\/\/auth\.example\.org;/,
    ],
    [
      { OPENCRVS_GATEWAY_URL: 'https://gateway.example.org/auth/token' },
      'OPENCRVS_GATEWAY_URL',
      /OPENCRVS_GATEWAY_URL=https:\/\/gateway\.example\.org;/,
    ],
    [
      { OPENCRVS_GATEWAY_URL: 'https://gateway.example.org/auth' },
      'OPENCRVS_GATEWAY_URL',
      /OPENCRVS_GATEWAY_URL=https:\/\/gateway\.example\.org;/,
    ],
  ]
  for (const [env, variable, fix] of cases) {
    const e = configError(env)
    assert.equal(e.variable, variable, JSON.stringify(env))
    assert.match(e.fix, fix, JSON.stringify(env))
    assert.doesNotMatch(formatConfigError(e), /\/token\/token"/)
  }
  // a path prefix in front of the service is a base, and stays one
  const r = resolveConfig({ OPENCRVS_AUTH_URL: 'https://register.example.org/api/auth' })
  assert.equal(r.kind === 'deployment' && r.target.tokenUrl, 'https://register.example.org/api/auth/token')
})

// issue 32: a misspelt variable is named as written, with the one meant; never silently replaced by the demo
test('a misspelt variable whose intended one is unset stops with exit 2 naming it and the one meant, the URL one first', () => {
  const gateway = 'https://gateway.example.org'
  const cases: Array<[Record<string, string>, string, string]> = [
    [{ OPENCRVS_GATEWAY_ULR: gateway }, 'OPENCRVS_GATEWAY_ULR', 'OPENCRVS_GATEWAY_URL'],
    [{ ...base, OPENCRVS_GATEWAY_ULR: gateway }, 'OPENCRVS_GATEWAY_ULR', 'OPENCRVS_GATEWAY_URL'],
    [
      { OPENCRVS_GATEWAY_ULR: gateway, OPENCRVS_SEARCH_CLIENT_ID: 'i', OPENCRVS_SEARCH_CLIENT_SECRET: 's' },
      'OPENCRVS_GATEWAY_ULR',
      'OPENCRVS_GATEWAY_URL',
    ],
    [{ OPENCRVS_GATEWAY: gateway }, 'OPENCRVS_GATEWAY', 'OPENCRVS_GATEWAY_URL'],
    [{ CONFORMANCE_REPORTS_DIR: 'out' }, 'CONFORMANCE_REPORTS_DIR', 'CONFORMANCE_REPORT_DIR'],
    [
      { ...base, OPENCRVS_NOTIFICATON_CLIENT_ID: 'i' },
      'OPENCRVS_NOTIFICATON_CLIENT_ID',
      'OPENCRVS_NOTIFICATION_CLIENT_ID',
    ],
  ]
  for (const [env, variable, meant] of cases) {
    const e = configError(env)
    assert.equal(e.variable, variable, JSON.stringify(env))
    assert.match(e.fix, new RegExp(`Did you mean ${meant}\\?`), JSON.stringify(env))
  }
  // a name far from every known one, or a slip beside the right one set, is only named: the run goes on
  const far = { ...base, OPENCRVS_FAVOURITE_COLOUR: 'green', OPENCRVS_AUTH_ULR: 'x' }
  assert.equal(resolveConfig(far).kind, 'deployment')
  assert.deepEqual(unknownNameLines(far, ['OPENCRVS_AUTH_ULR'], '.env'), [
    'Unknown variable OPENCRVS_AUTH_ULR (in .env): did you mean OPENCRVS_AUTH_URL? The kit ignores it; .env.example lists every variable.',
    'Unknown variable OPENCRVS_FAVOURITE_COLOUR (in the environment): The kit ignores it; .env.example lists every variable.',
  ])
  // a secret under a misspelt name is a secret all the same: never echoed
  const secret = 'a-secret-under-a-misspelt-name'
  configError({ ...base, OPENCRVS_SEARCH_CLIENT_ID: 'i', OPENCRVS_SEARCH_CLIENT_SECERT: secret })
  assert.doesNotMatch(redact(`echo ${secret}`), /misspelt/)
})

test("the known names are .env.example's: every variable the source reads is documented there, and every section a text points at exists", () => {
  const root = fileURLToPath(new URL('../../', import.meta.url))
  const sources = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((d) =>
      d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
    )
  const files = [...sources('src'), 'playwright.config.ts', '.env.example']
  const known = knownNames()
  for (const f of files) {
    const text = readFileSync(join(root, f), 'utf8')
    for (const [, name] of text.matchAll(/'((?:OPENCRVS|CONFORMANCE)_[A-Z0-9_]+)'/g))
      assert.ok(known.has(name!), `${f} reads ${name}: document it in .env.example`)
    for (const [, doc, section] of text.matchAll(/see (README|docs\/[\w-]+\.md)[^"\n]{0,4}"([^"]+)"/g)) {
      const page = readFileSync(join(root, doc === 'README' ? 'README.md' : doc!), 'utf8')
      assert.match(page, new RegExp(`^#+ ${section}$`, 'm'), `${f} points at ${doc}, "${section}"`)
    }
  }
})

test('no deployment URL, and a setting of ours under another name or case: exit 2 naming it, never the demo', () => {
  const gateway = 'https://gateway.example.org'
  // the right name in the wrong case is named with the right spelling
  const lower = configError({ opencrvs_gateway_url: gateway })
  assert.equal(lower.variable, 'opencrvs_gateway_url')
  assert.match(lower.fix, /Did you mean OPENCRVS_GATEWAY_URL\? Rename opencrvs_gateway_url to OPENCRVS_GATEWAY_URL/)
  assert.match(configError({ Opencrvs_Auth_Url: gateway }).fix, /Did you mean OPENCRVS_AUTH_URL\?/)
  // a name of ours far from every known one, its name or its value a URL
  for (const env of <Record<string, string>[]>[
    { OPENCRVS_GW_URL: gateway },
    { CONFORMANCE_GATEWAY_URL: gateway },
    { opencrvs_deployment: gateway },
  ]) {
    const e = configError(env)
    assert.equal(e.variable, Object.keys(env)[0], JSON.stringify(env))
    assert.match(e.problem, /no deployment URL is set: the run would check the bundled emulator/)
    assert.match(e.fix, /OPENCRVS_GATEWAY_URL/)
    assert.doesNotMatch(formatConfigError(e), /gateway\.example\.org/, 'the value is not echoed')
  }
  // beside a deployment URL, or neither name nor value a URL: only named, the run goes on
  assert.equal(resolveConfig({ ...base, OPENCRVS_GW_URL: gateway }).kind, 'deployment')
  assert.equal(resolveConfig({ OPENCRVS_FAVOURITE_COLOUR: 'green' }).kind, 'emulator')
  // a secret under a lower-case name is a secret all the same
  const secret = 'a-secret-under-a-lower-case-name'
  configError({ ...base, OPENCRVS_SEARCH_CLIENT_ID: 'i', opencrvs_search_client_secret: secret })
  assert.doesNotMatch(redact(`echo ${secret}`), /lower-case/)
})

test("the self-tests' isolation strips the caller's settings in any case", async () => {
  const { isolatedEnv } = await import('../isolation.ts')
  process.env.opencrvs_gateway_url = 'https://gateway.example.org'
  process.env.Conformance_Mode = 'strict'
  try {
    const env = isolatedEnv()
    assert.equal(env.opencrvs_gateway_url, undefined)
    assert.equal(env.Conformance_Mode, undefined)
  } finally {
    delete process.env.opencrvs_gateway_url
    delete process.env.Conformance_Mode
  }
})

test('every base URL the parser rejects for its path is told a value the next run accepts', () => {
  const segments = ['', '/api', '/auth', '/token', '/.well-known', '/auth/token']
  const paths = new Set<string>()
  for (const a of segments) for (const b of segments) for (const c of segments) paths.add(`${a}${b}${c}`)
  let rejected = 0
  for (const name of ['OPENCRVS_AUTH_URL', 'OPENCRVS_GATEWAY_URL'])
    for (const path of paths)
      for (const slash of ['', '/']) {
        const env = { [name]: `https://host.example.org${path}${slash}` }
        let e: ConfigError
        try {
          resolveConfig(env)
          continue
        } catch (thrown) {
          e = thrown as ConfigError
        }
        rejected++
        assert.equal(e.variable, name, JSON.stringify(env))
        const told = [...e.fix.matchAll(/\b(OPENCRVS_[A-Z_]+)=(\S+?)[;.,)]*(?=\s|$)/g)]
        assert.ok(told.length, `no value told for ${JSON.stringify(env)}: ${e.fix}`)
        for (const [, variable, suggested] of told) {
          const next = resolveConfig({ [variable!]: suggested! })
          assert.equal(next.kind, 'deployment', `${JSON.stringify(env)} -> ${variable}=${suggested}`)
        }
      }
  assert.ok(rejected > 20, `${rejected} rejected forms`)
  // the finding: a gateway's token URL written as the auth base
  const e = configError({ OPENCRVS_AUTH_URL: 'https://x.example.org/auth/token' })
  assert.match(e.fix, /OPENCRVS_TOKEN_URL=https:\/\/x\.example\.org\/auth\/token\b/)
  assert.doesNotMatch(e.fix, /OPENCRVS_AUTH_URL=https:\/\/x\.example\.org\/auth\b/)
})

test('a private key given as OPENCRVS_PUBLIC_KEY is refused, and nothing of it is shown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kit-private-key-'))
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const texts = {
    'pkcs8.pem': privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    'pkcs1.pem': privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    'jwk.json': JSON.stringify({ keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'k1' }] }),
  }
  for (const [name, text] of Object.entries(texts)) {
    const path = join(dir, name)
    writeFileSync(path, text)
    const e = configError({ ...base, OPENCRVS_PUBLIC_KEY: path })
    assert.equal(e.variable, 'OPENCRVS_PUBLIC_KEY', name)
    assert.match(e.problem, /is a private key/, name)
    assert.match(e.fix, /Give the public key.*never hand the private key to a test tool/, name)
    // no run of 8 characters of the key text in what is printed
    const shown = formatConfigError(e)
    const body = text.replace(/-----[A-Z ]+-----|\s/g, '')
    for (let i = 0; i + 8 <= body.length; i += 4)
      assert.ok(!shown.includes(body.slice(i, i + 8)), `${name}: the message shows part of the key`)
  }
})

// a live client hidden by spaces or invisible characters, or named as the deactivated client, is a configuration error
test('lifecycle ids are compared with live ones once spaces and invisible characters are removed', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(join(tmpdir(), 'lifecycle-'))
  const live = {
    ...base,
    OPENCRVS_NOTIFICATION_CLIENT_ID: 'live-id',
    OPENCRVS_NOTIFICATION_CLIENT_SECRET: 'live-s',
    OPENCRVS_SEARCH_CLIENT_ID: 'search-id',
    OPENCRVS_SEARCH_CLIENT_SECRET: 'search-s',
  }
  const csv = join(dir, 'bom.csv')
  writeFileSync(csv, '\uFEFFclient_id,client_secret\r\n" live-id",other-secret\r\n')
  const retired = configError({ ...live, OPENCRVS_RETIRED_CREDENTIALS: csv })
  assert.equal(retired.variable, 'OPENCRVS_RETIRED_CREDENTIALS')
  assert.match(retired.message, /credential 1 of .* invisible characters/)
  const zw = join(dir, 'zw.csv')
  writeFileSync(zw, 'live-id\u200B,other-secret\n')
  assert.equal(configError({ ...live, OPENCRVS_RETIRED_CREDENTIALS: zw }).variable, 'OPENCRVS_RETIRED_CREDENTIALS')
  const deleted = { OPENCRVS_DELETED_CLIENT_ID: 'live-id\u200B', OPENCRVS_DELETED_CLIENT_SECRET: 'x' }
  assert.equal(configError({ ...live, ...deleted }).variable, 'OPENCRVS_DELETED_CLIENT_ID')
  const off = { OPENCRVS_DEACTIVATED_CLIENT_ID: 'search-id', OPENCRVS_DEACTIVATED_CLIENT_SECRET: 'wrong' }
  const deactivated = configError({ ...live, ...off })
  assert.equal(deactivated.variable, 'OPENCRVS_DEACTIVATED_CLIENT_ID')
  assert.match(deactivated.message, /configured record search client/)
  // an id that is no live one is sent as the deployment stores it
  const ok = resolveConfig({
    ...live,
    OPENCRVS_DELETED_CLIENT_ID: '\uFEFF gone-id',
    OPENCRVS_DELETED_CLIENT_SECRET: 'x',
  })
  assert.equal(ok.kind === 'deployment' && ok.target.lifecycle.deleted?.id, 'gone-id')
  // and the console says so, naming the characters, never the value
  assert.deepEqual(cleanedIdLines({ OPENCRVS_DELETED_CLIENT_ID: 'gone-id\u200B', OPENCRVS_SEARCH_CLIENT_ID: 'ok' }), [
    'OPENCRVS_DELETED_CLIENT_ID: removed spaces or invisible characters (U+200B) from the client id; the id as used has none',
  ])
  assert.deepEqual(cleanedIdLines({ OPENCRVS_RETIRED_CREDENTIALS: zw }), [
    'OPENCRVS_RETIRED_CREDENTIALS: removed spaces or invisible characters (U+200B) from 1 client id(s) in the file; the id as used has none',
  ])
  // a live id is used as the deployment stores it too
  const spaced = resolveConfig({ ...live, OPENCRVS_SEARCH_CLIENT_ID: '\uFEFFsearch-id\u200B' })
  assert.equal(spaced.kind === 'deployment' && spaced.target.clients.SEARCH?.id, 'search-id')
})

// a report folder that cannot be created stops the run before anything is sent (Node's recursive mkdir spins on /proc)
test('CONFORMANCE_REPORT_DIR that cannot be created is a configuration error naming it', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(join(tmpdir(), 'reportdir-'))
  writeFileSync(join(dir, 'notadir'), '')
  for (const bad of ['/proc/nonexistent/reports', join(dir, 'notadir', 'sub')]) {
    const e = configError({ ...base, CONFORMANCE_REPORT_DIR: bad })
    assert.equal(e.variable, 'CONFORMANCE_REPORT_DIR')
  }
  const fresh = join(dir, 'a', 'b')
  const ok = resolveConfig({ ...base, CONFORMANCE_REPORT_DIR: fresh })
  assert.equal(ok.kind === 'deployment' && ok.target.reportDir, fresh)
})
