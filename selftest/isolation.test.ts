/**
 * npm test beside a user's filled-in .env, exported settings, waivers file and report folders (all pointing at a
 * loopback listener that records every request): the self-tests read none of it, send nothing there and change no
 * file of theirs, and still pass. Shown in a copy of the kit, through npm test's own runner (selftest/run.ts) with a
 * representative few steps (selftest/isolation-probe.ts: a whole kit run and an in-process grading) and lint.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { test } from 'node:test'
import { filesUnder, ROOT } from './harness.ts'

const KIT = ['package.json', 'tsconfig.json', 'biome.jsonc', 'playwright.config.ts', 'allurerc.mjs']
const KIT_FOLDERS = ['src', 'specs', 'fixtures', 'emulator', 'selftest', 'schemas', 'docs', 'examples', '.ci']

/** Every file under the folders, by path, with a hash of its content (node_modules left out). */
function snapshot(...dirs: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const dir of dirs)
    for (const f of filesUnder(dir).filter((p) => !relative(dir, p).startsWith('node_modules')))
      out[f] = createHash('sha256').update(readFileSync(f)).digest('hex')
  return out
}

/** This environment as a shell's: without the test runner's mark, which would make npm test's runner skip its files. */
function outsideTestRunner(): Record<string, string | undefined> {
  const { NODE_TEST_CONTEXT: _runner, ...env } = process.env
  return env
}

/** A user's settings, all pointing at the listener. */
function usersSettings(url: string, reportDir: string): Record<string, string> {
  return {
    OPENCRVS_AUTH_URL: url,
    OPENCRVS_GATEWAY_URL: url,
    OPENCRVS_PUBLIC_KEY: `${url}/.well-known`,
    OPENCRVS_NOTIFICATION_CLIENT_ID: randomUUID(),
    OPENCRVS_NOTIFICATION_CLIENT_SECRET: randomUUID(),
    OPENCRVS_SEARCH_CLIENT_ID: randomUUID(),
    OPENCRVS_SEARCH_CLIENT_SECRET: randomUUID(),
    CONFORMANCE_ALLOW_HTTP: 'true',
    CONFORMANCE_REPORT_DIR: reportDir,
  }
}

/** A copy of the kit with a user's .env, waivers file and report folders in it. */
function usersCheckout(url: string): string {
  // a folder name with a space, as "My Documents" has: the kit finds its own files from there
  const copy = mkdtempSync(join(tmpdir(), 'users checkout-'))
  for (const entry of [...KIT, ...KIT_FOLDERS])
    if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(copy, entry), { recursive: true })
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir')
  const env = Object.entries(usersSettings(url, 'reports-v2.0')).map(([k, v]) => `${k}=${v}`)
  writeFileSync(join(copy, '.env'), `${env.join('\n')}\n`)
  // what a user's folders hold: last week's reports (not formatted as biome would), a waivers file that does not parse
  for (const dir of ['reports-v2.0', 'reports-v1.9', 'reports']) {
    mkdirSync(join(copy, dir))
    writeFileSync(join(copy, dir, 'conformance.json'), '{"totals":   {"FAILED":0},"results":[ ]}')
  }
  writeFileSync(join(copy, 'conformance.waivers.json'), 'not json: a file of the user, never read by a self-test')
  return copy
}

test('npm test beside a filled-in .env, exported settings and report folders: nothing reaches what they point at, nothing in them changes, the tests pass', async () => {
  const requests: string[] = []
  const listener = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`)
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
  try {
    const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`
    const copy = usersCheckout(url)
    const reportDir = mkdtempSync(join(tmpdir(), 'users-reports-'))
    writeFileSync(join(reportDir, 'conformance.html'), 'the sign-off page of last week')
    const before = snapshot(copy, reportDir)
    const exported = {
      ...usersSettings(url, reportDir),
      CONFORMANCE_ENV_FILE: join(copy, '.env'),
      DOTENV_CONFIG_PATH: join(copy, '.env'),
      DOTENV_CONFIG_OVERRIDE: 'true',
    }
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'selftest/run.ts', '--no-typecheck', 'selftest/isolation-probe.ts'],
        { cwd: copy, env: { ...outsideTestRunner(), ...exported }, stdio: ['ignore', 'pipe', 'pipe'] },
      )
      let output = ''
      child.stdout.on('data', (d) => (output += d))
      child.stderr.on('data', (d) => (output += d))
      child.on('error', reject)
      child.on('close', (code) => resolve({ code, output }))
    })
    assert.deepEqual(requests, [], 'a self-test sent requests where the user settings point')
    assert.deepEqual(snapshot(copy, reportDir), before, 'a self-test changed a file of the user')
    assert.equal(code, 0, output)
    assert.match(output, /\b4 passed, 0 failed/)
  } finally {
    listener.close()
  }
})
