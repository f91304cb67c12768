/**
 * The leak scan must find what it looks for: a planted secret and a planted JWT, in a plain file, in console
 * output, inside the zip the HTML report embeds, and in the base64 data files the single-file Allure report
 * embeds. Otherwise "zero leaks" would prove nothing.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { deflateRawSync } from 'node:zlib'
import { leaks, unzipEntries, type KitRun } from '../harness.ts'

/** A one-entry deflated zip (local header, data, central directory, end record). */
function zip(name: string, text: string): Buffer {
  const data = deflateRawSync(Buffer.from(text))
  const n = Buffer.from(name)
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(8, 8)
  local.writeUInt32LE(data.length, 18)
  local.writeUInt32LE(text.length, 22)
  local.writeUInt16LE(n.length, 26)
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(8, 10)
  central.writeUInt32LE(data.length, 20)
  central.writeUInt32LE(text.length, 24)
  central.writeUInt16LE(n.length, 28)
  central.writeUInt32LE(0, 42)
  const cdOffset = 30 + n.length + data.length
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(1, 8)
  end.writeUInt16LE(1, 10)
  end.writeUInt32LE(46 + n.length, 12)
  end.writeUInt32LE(cdOffset, 16)
  return Buffer.concat([local, n, data, central, n, end])
}

const SECRET = 'c0ffee00-dead-4bee-8f00-123456789abc'
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.abcdefghijklmnopqrstuvwxyz0123456789'

/** The leak scan of a report folder and a console output, for the given secrets. */
const scanOf = (secrets: string[], reportDir?: string, output = '') =>
  leaks({ code: 0, output, reportDir, secrets } as unknown as KitRun)

test('unzipEntries reads a deflated zip', () => {
  assert.deepEqual(unzipEntries(zip('a.json', 'hello')), [{ name: 'a.json', text: 'hello' }])
})

test('the scan finds a planted secret and JWT in files, embedded report data and console output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leak-'))
  writeFileSync(join(dir, 'plain.txt'), `token=${JWT}`)
  const html = `<script>window.playwrightReportBase64 = "data:application/zip;base64,${zip('report.json', `{"s":"${SECRET}"}`).toString('base64')}";</script>`
  writeFileSync(join(dir, 'index.html'), html)
  const allure = `<script async>d("data/test-results/1.json","${Buffer.from(`{"attachments":"${JWT}"}`).toString('base64')}")</script>`
  writeFileSync(join(dir, 'allure.html'), allure)
  const run = {
    code: 0,
    output: `url?client_secret=${encodeURIComponent(SECRET)}`,
    reportDir: dir,
    secrets: [SECRET],
  } as unknown as KitRun
  const found = leaks(run)
  assert.ok(
    found.some((f) => f.startsWith('console output: a client secret')),
    found.join('\n'),
  )
  assert.ok(
    found.some((f) => f.includes('plain.txt: a whole signed JWT')),
    found.join('\n'),
  )
  assert.ok(
    found.some((f) => f.includes('(embedded report.json): a client secret')),
    found.join('\n'),
  )
  assert.ok(
    found.some((f) => f.includes('allure.html (embedded data/test-results/1.json): a whole signed JWT')),
    found.join('\n'),
  )
})

test('the scan finds a secret in every encoding, and an 8-character fragment left by a cut', () => {
  for (const [name, text] of [
    ['base64', Buffer.from(SECRET).toString('base64')],
    ['base64url', `{"c":"${Buffer.from(SECRET).toString('base64url')}"}`],
    ['json-escaped', JSON.stringify(`${SECRET}"x`)],
    ['fragment', `body: {"error_description":"bad ${SECRET.slice(0, 20)}…`],
    ['upper-cased', `{"error_description":"bad ${SECRET.toUpperCase()}"}`],
    ['an upper-cased fragment', `{"error_description":"bad ${SECRET.slice(4, 14).toUpperCase()}"}`],
    ['the secret with its last character changed', `{"error_description":"bad ${SECRET.slice(0, -1)}0"}`],
  ]) {
    const dir = mkdtempSync(join(tmpdir(), 'leak-'))
    writeFileSync(join(dir, 'conformance.json'), text!)
    const found = scanOf([SECRET], dir)
    assert.equal(found.length, 1, `${name}: ${found.join('; ')}`)
  }
})

test("another whole UUID that shares an 8-character window with a secret (a reporter's file name) is not a fragment of it", () => {
  const secret = '5f0c2a7e-13b9-4308-82d4-7c1e9a0b3f65'
  const allure = '30e6c464-4d6d-4308-824f-4e8cb757af32' // shares "-4308-82", 16 random bits: it happens
  const dir = mkdtempSync(join(tmpdir(), 'leak-'))
  writeFileSync(join(dir, `${allure}-result.json`), JSON.stringify({ uuid: allure }))
  assert.deepEqual(scanOf([secret], dir), [])
  writeFileSync(join(dir, 'cut.json'), `{"description":"${secret.slice(0, 20)}"}`)
  assert.equal(scanOf([secret], dir).length, 1, 'a cut-off piece is still found')
})

test("base64 of other hex text that shares 8 characters with a secret's base64 form is chance; 12 of them are the secret", () => {
  const secret = '5f0c2a7e-13b9-4308-82d4-7c1e9a0b3f65'
  const b64 = Buffer.from(secret).toString('base64')
  // another hex id whose first six characters are the secret's: its base64 starts with the same 8 characters
  const other = Buffer.from(`${secret.slice(0, 6)}99-0000-4000-8000-000000000000`).toString('base64')
  assert.equal(other.slice(0, 8), b64.slice(0, 8))
  const dir = mkdtempSync(join(tmpdir(), 'leak-'))
  writeFileSync(join(dir, 'bundle.js'), `const id="${other}"`)
  assert.deepEqual(scanOf([secret], dir), [])
  writeFileSync(join(dir, 'cut.json'), `{"c":"${b64.slice(8, 20)}"}`)
  assert.equal(scanOf([secret], dir).length, 1, 'a cut-off piece of its base64 form is still found')
})

test('a cut piece whose lower case is longer (İ), and a piece two secrets share, are found for each secret', () => {
  const dotted = 'İ9f3k2Lq7-ZxW4pT8vR'
  const one = scanOf([dotted], undefined, `echoed: ${dotted.slice(0, 8)} …`)
  assert.equal(one.length, 1, one.join('; '))
  const a = 'shared-1234-aaaaaaaaaaaa'
  const b = 'zzzzzzzzz-shared-1234-bbb'
  const both = scanOf([a, b], undefined, `x ${b.slice(10, 21)} y`)
  assert.equal(both.length, 2, both.join('; '))
  const whole = scanOf([a, b], undefined, `x ${a} and ${b.slice(10, 21)} y`)
  assert.deepEqual(whole.map((f) => f.replace(/ \(.*/, '')).sort(), [
    'console output: a client secret',
    'console output: an 8-character fragment of a client secret',
  ])
})
