/**
 * Files a user or a folder names are read only when they are regular files, and only so far: a FIFO (no writer) must
 * not hang the kit, a symbolic link to /dev/zero must not fill memory, an oversized file is refused. Covers the
 * recorded clients folder (npm run clients -- check, and the run, load it the same way) and readConfigFile.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { readBounded, UnsafeFileError } from '../../src/config/bounded-read.ts'
import { ConfigError, resolveConfig } from '../../src/config/index.ts'
import { loadRecorded } from '../../src/clients/recorded.ts'

const dir = mkdtempSync(join(tmpdir(), 'bounded-'))
const fifo = join(dir, 'fifo.json')
const hasFifo = spawnSync('mkfifo', [fifo]).status === 0
symlinkSync('/dev/zero', join(dir, 'zero.json'))
writeFileSync(join(dir, 'big.json'), 'x'.repeat(70 * 1024))

test('readBounded: a FIFO, a link to /dev/zero and an oversized file are refused; a small regular file is read', (t) => {
  if (hasFifo)
    assert.throws(
      () => readBounded(fifo, 1000),
      (e) => e instanceof UnsafeFileError && /named pipe/.test(e.message),
    )
  else t.diagnostic('mkfifo not available: FIFO case not run')
  assert.throws(
    () => readBounded(join(dir, 'zero.json'), 1000),
    (e) => e instanceof UnsafeFileError && /device/.test(e.message),
  )
  assert.throws(() => readBounded(join(dir, 'big.json'), 1000), /over 1000 bytes/)
  writeFileSync(join(dir, 'small.txt'), 'hello')
  assert.equal(readBounded(join(dir, 'small.txt'), 5), 'hello')
})

test('the recorded clients folder: each unsafe file is refused by name, none read', () => {
  const set = loadRecorded(dir)
  const why = Object.fromEntries(set.refused.map((f) => [f.id, f.problems.join('; ')]))
  assert.match(why.zero ?? '', /not a regular file \(a device\)/)
  assert.match(why.big ?? '', /over 65536 bytes/)
  if (hasFifo) assert.match(why.fifo ?? '', /not a regular file \(a named pipe\)/)
})

test('readConfigFile: waivers and retired credentials that are a FIFO, /dev/zero or too big are configuration errors', () => {
  const base = {
    OPENCRVS_AUTH_URL: 'https://auth.example.org',
    OPENCRVS_NOTIFICATION_CLIENT_ID: 'id-1',
    OPENCRVS_NOTIFICATION_CLIENT_SECRET: 'secret-1',
  }
  writeFileSync(join(dir, 'huge.csv'), 'a,b\n'.repeat(300_000))
  const cases: Array<[string, string, RegExp]> = [
    ['CONFORMANCE_WAIVERS_FILE', join(dir, 'zero.json'), /not a regular file \(a device\)/],
    ['OPENCRVS_RETIRED_CREDENTIALS', join(dir, 'zero.json'), /not a regular file/],
    ['OPENCRVS_RETIRED_CREDENTIALS', join(dir, 'huge.csv'), /over \d+ bytes/],
    ...(hasFifo ? ([['CONFORMANCE_WAIVERS_FILE', fifo, /named pipe/]] as Array<[string, string, RegExp]>) : []),
  ]
  for (const [variable, path, message] of cases) {
    let err: unknown
    try {
      resolveConfig({ ...base, [variable]: path })
    } catch (e) {
      err = e
    }
    assert.ok(err instanceof ConfigError, `${variable}=${path}: ${String(err)}`)
    assert.equal(err.variable, variable)
    assert.match(err.message, message)
  }
})

test('the env file: a named pipe or /dev/zero is not read (said on stderr), a plain file is', async () => {
  const { ENV_FILE_VAR, loadEnvFile } = await import('../../src/config/env.ts')
  const before = process.env[ENV_FILE_VAR]
  const errors: string[] = []
  const error = console.error
  console.error = (m: string) => void errors.push(m)
  try {
    for (const path of [join(dir, 'zero.json'), ...(hasFifo ? [fifo] : [])]) {
      process.env[ENV_FILE_VAR] = path
      assert.deepEqual(loadEnvFile(), [])
    }
    assert.ok(errors.length >= 1 && errors.every((m) => /was not read: not a regular file/.test(m)), errors.join('\n'))
    writeFileSync(join(dir, 'plain.env'), 'BOUNDED_READ_TEST_VAR=yes\n')
    process.env[ENV_FILE_VAR] = join(dir, 'plain.env')
    assert.deepEqual(loadEnvFile(), ['BOUNDED_READ_TEST_VAR'])
    assert.equal(process.env.BOUNDED_READ_TEST_VAR, 'yes')
  } finally {
    console.error = error
    if (before === undefined) delete process.env[ENV_FILE_VAR]
    else process.env[ENV_FILE_VAR] = before
    delete process.env.BOUNDED_READ_TEST_VAR
  }
})
