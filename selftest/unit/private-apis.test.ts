/**
 * Where the kit relies on an API its pinned dependency does not export, the fallback keeps it working but loses
 * what the reliance bought. These fail when an upgrade takes the fallback, so that someone decides:
 * - fixtures/index.ts extends @playwright/test's `_baseTest` (the checks skip the browser fixtures);
 * - src/report/allure-reporter.ts replaces allure-playwright's runtime writer (verdict statuses, no fsync);
 * - src/report/playwright-tags.ts adds the verdict to a TestCase's `_tags` (the tag beside the title in the HTML
 *   report; the whole-run test in kit-profiles.test.ts reads it from a real report).
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import * as playwright from '@playwright/test'
import type { Suite, TestCase } from '@playwright/test/reporter'
import KitAllureReporter from '../../src/report/allure-reporter.ts'
import { tagVerdict } from '../../src/report/playwright-tags.ts'

test('@playwright/test still has _baseTest, the root test type the fixtures extend', () => {
  const base = (playwright as unknown as { _baseTest?: { extend?: unknown } })._baseTest
  assert.equal(typeof base?.extend, 'function', 'fixtures/index.ts falls back to the browser test type')
})

test("allure-playwright's runtime writer is still where the kit's reporter replaces it", () => {
  const reporter = new KitAllureReporter({ resultsDir: mkdtempSync(join(tmpdir(), 'allure-')) })
  reporter.onBegin({ suites: [], allTests: () => [] } as unknown as Suite)
  assert.equal(reporter.writesItsOwn, true, 'results would be written with no verdict status, one fsync each')
})

test('tagVerdict adds the verdict to the declared tags, once, and nothing for a PASSED', () => {
  const t = { _tags: ['@probe'] } as unknown as TestCase
  assert.equal(tagVerdict(t, 'WARNING'), true)
  tagVerdict(t, 'WARNING')
  assert.deepEqual((t as unknown as { _tags: string[] })._tags, ['@probe', '@WARNING'])
  const passed = { _tags: [] } as unknown as TestCase
  tagVerdict(passed, 'PASSED')
  assert.deepEqual((passed as unknown as { _tags: string[] })._tags, [])
  assert.equal(tagVerdict({} as TestCase, 'FAILED'), false, 'no _tags: the caller is told')
})
