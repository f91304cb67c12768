/**
 * Requirement coverage: every requirement in the catalogue has exactly one test, every test names a
 * requirement, and every requirement is shown to leave PASSED by a fault or a named scenario.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { ID_PATTERN, REQUIREMENT_LIST } from '../src/requirements/catalogue.ts'
import { FAULT_MATRIX, NON_FAILING_SCENARIOS } from './fault-matrix.ts'
import { ROOT } from './harness.ts'
import { isolatedEnv } from './isolation.ts'

interface Suite {
  title: string
  specs?: Array<{ title: string; file: string; line: number }>
  suites?: Suite[]
}

function listed(): Array<{ title: string; file: string; line: number }> {
  const cli = createRequire(import.meta.url).resolve('@playwright/test/cli')
  const res = spawnSync(process.execPath, [cli, 'test', '--list', '--reporter=json'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...isolatedEnv(), FORCE_COLOR: '0' },
  })
  assert.equal(res.status, 0, res.stderr)
  const report = JSON.parse(res.stdout) as { suites: Suite[] }
  const out: Array<{ title: string; file: string; line: number }> = []
  const walk = (s: Suite) => {
    for (const spec of s.specs ?? []) out.push(spec)
    for (const child of s.suites ?? []) walk(child)
  }
  report.suites.forEach(walk)
  return out
}
const list = listed()

test('every requirement has exactly one test, and every test names a requirement', () => {
  const all = list.map((t) => t.title)
  const ids = all.map((t) => ID_PATTERN.exec(t)?.[1])
  assert.deepEqual(
    all.filter((_, i) => !ids[i]),
    [],
    'tests without a requirement id',
  )
  const catalogue = REQUIREMENT_LIST.map((r) => r.id)
  assert.deepEqual(
    ids.filter((id) => !catalogue.includes(id!)),
    [],
    'tests naming an unknown requirement',
  )
  for (const id of catalogue) assert.equal(ids.filter((x) => x === id).length, 1, `tests for ${id}`)
})

test('each check is located at its own spec line, one hop from its requirement id', () => {
  assert.deepEqual(
    list.filter((t) => !/\.spec\.ts$/.test(t.file)).map((t) => `${t.title} at ${t.file}:${t.line}`),
    [],
    'checks located outside a spec file',
  )
  for (const t of list) {
    // the formatter may spread `test(...check(req('ID'), ...` over the lines after `test(`: read them as one
    const lines = readFileSync(join(ROOT, 'specs', t.file), 'utf8').split('\n')
    const line = lines
      .slice(t.line - 1, t.line + 2)
      .join('')
      .replace(/\s+/g, '')
    assert.match(
      line,
      new RegExp(`^test\\(\\.\\.\\.check\\(req\\('${ID_PATTERN.exec(t.title)![1]}'\\)`),
      `${t.title}: ${t.file}:${t.line} holds its check`,
    )
  }
})

test('listing the checks (npx playwright test --list) leaves the report folder as it was', () => {
  const reportDir = mkdtempSync(join(tmpdir(), 'list-'))
  writeFileSync(join(reportDir, 'conformance.json'), '{"last":"run"}')
  const cli = createRequire(import.meta.url).resolve('@playwright/test/cli')
  const res = spawnSync(process.execPath, [cli, 'test', '--list'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...isolatedEnv(), FORCE_COLOR: '0', CONFORMANCE_REPORT_DIR: reportDir },
  })
  assert.equal(res.status, 0, res.stderr)
  assert.match(res.stdout, /door\.spec\.ts:\d+:\d+ › GATEWAY-01 /)
  assert.deepEqual(readdirSync(reportDir), ['conformance.json'])
  assert.equal(readFileSync(join(reportDir, 'conformance.json'), 'utf8'), '{"last":"run"}')
})

test('every requirement is shown to leave PASSED: by a fault, or a named scenario', () => {
  const byFault = new Set(
    Object.values(FAULT_MATRIX).flatMap((f) => [
      ...f.fails,
      ...Object.keys(f.changes ?? {}).filter((id) => f.changes![id] !== 'SKIPPED'),
    ]),
  )
  const uncovered = REQUIREMENT_LIST.filter((r) => !byFault.has(r.id) && !NON_FAILING_SCENARIOS[r.id]).map((r) => r.id)
  assert.deepEqual(uncovered, [])
})
