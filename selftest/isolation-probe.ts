/**
 * Run by isolation.test.ts, through npm test's own runner, inside a copy of the kit whose .env, environment, waivers
 * file and report folders are a user's (pointing at a listener that records every request): a few representative
 * self-test steps, none of which may read them, reach what they point at, or write where they say.
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { resolveConfig } from '../src/config/index.ts'
import { gradeKit, runCli } from './harness.ts'
import { USER_SETTING } from './isolation.ts'

test("a self-test process sees none of the caller's settings, and the configuration it reads is the demo's", () => {
  const settings = Object.keys(process.env).filter((k) => USER_SETTING.test(k) && !/_(ENV|WAIVERS)_FILE$/.test(k))
  assert.deepEqual(settings, [])
  assert.equal(resolveConfig(process.env).kind, 'emulator')
})

test('a kit run a self-test starts, with no deployment configured, checks the bundled emulator', async () => {
  const reportDir = mkdtempSync(join(tmpdir(), 'isolation-run-'))
  const { code, output } = await runCli({ CONFORMANCE_REPORT_DIR: reportDir }, ['--grep', 'PROFILE-01'])
  assert.equal(code, 0, output)
  assert.match(output, /No deployment configured/)
})

test('a grading in process verifies against the emulator key, never a configured one', async () => {
  const run = await gradeKit('1.9')
  assert.equal(run.verdicts['JWT-SIG-01'], 'PASSED')
})
