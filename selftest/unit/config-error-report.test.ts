/**
 * A run stopped by its configuration replaces everything the previous run left: junit.xml says NOT CHECKED and why
 * (one <error>), the old html/, allure-results/ and allure-report/ are gone, so neither CI nor `npm run report` can
 * take the old run for the last one.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ConfigError } from '../../src/config/env.ts'
import { writeConfigErrorReport } from '../../src/report/config-error.ts'

test('a configuration error writes junit.xml with one NOT CHECKED <error> and removes the last run’s html and Allure results', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfgerr-'))
  for (const d of ['html', 'allure-results', 'allure-report']) mkdirSync(join(dir, d))
  writeFileSync(join(dir, 'html', 'index.html'), 'old run')
  writeFileSync(join(dir, 'allure-results', 'old-result.json'), '{}')
  writeFileSync(join(dir, 'junit.xml'), '<testsuites tests="40" failures="0"/>')
  const e = new ConfigError('CONFORMANCE_SLOW', '"sometimes" is not a yes/no value', 'Write true or false.')
  const files = writeConfigErrorReport(dir, e, e.message, Date.now())
  assert.ok(files.includes(join(dir, 'junit.xml')))
  for (const d of ['html', 'allure-results', 'allure-report']) assert.ok(!existsSync(join(dir, d)), `${d} removed`)
  const xml = readFileSync(join(dir, 'junit.xml'), 'utf8')
  assert.equal((xml.match(/<error\b/g) ?? []).length, 1, xml)
  assert.match(xml, /<error message="NOT CHECKED[^"]*CONFORMANCE_SLOW/)
  assert.match(xml, /<testsuites\b[^>]*\berrors="1"/)
})
