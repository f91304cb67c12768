/**
 * A hand-edited recorded client file is text from outside the kit, as a target's is: its names, paths, problems and
 * description reach the `clients check` console and conformance.md only through the neutralising function (no raw
 * ESC or bidi control on a console, no HTML or live link in Markdown).
 */
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { ClientVerdict } from '../../src/clients/judge.ts'
import { asJson, checkClients, table } from '../../src/clients/check.ts'
import { loadRecorded, toClient } from '../../src/clients/recorded.ts'
import { RECORDED_FORMAT, type RecordedFile } from '../../src/clients/recorded-file.ts'
import { mdText } from '../../src/redact/neutral.ts'
import { markdown } from '../../src/report/markdown.ts'
import { sampleReport } from './sample-report.ts'

const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/
const file = (over: Partial<RecordedFile>): RecordedFile => ({
  format: RECORDED_FORMAT,
  name: 'x',
  host: 'auth',
  method: 'POST',
  path: '/token',
  params: [{ name: 'grant_type', in: 'query', value: 'client_credentials' }],
  contentType: null,
  accept: null,
  body: 'none',
  ...over,
})

test('the schema refuses control characters in a path, a parameter name or a value; check shows no raw control', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-'))
  const write = (name: string, f: RecordedFile) =>
    writeFileSync(join(dir, `${name}.json`), JSON.stringify({ ...f, name }))
  write('esc-path', file({ path: '/\u001b[31m/token' }))
  write('esc-name', file({ params: [{ name: '\u001b[2J\u202e<img src=x>', in: 'query', value: '1' }] }))
  write('esc-value', file({ params: [{ name: 'scope', in: 'query', value: 'a\u001b[2Jb' }] }))
  writeFileSync(join(dir, 'evil\u001b[2J\u202e.json'), '{}')
  const set = loadRecorded(dir)
  assert.equal(set.clients.length, 0)
  const why = Object.fromEntries(set.refused.map((f) => [f.id, f.problems.join('; ')]))
  assert.match(why['esc-path'] ?? '', /^path: holds a character not allowed/)
  assert.match(why['esc-name'] ?? '', /^params\.0\.name: holds a character not allowed/)
  assert.match(why['esc-value'] ?? '', /^params\.0\.value: holds a character not allowed/)
  const rows = checkClients(set.clients, set.refused, [])
  const text = table(rows)
  assert.doesNotMatch(text, RAW)
  assert.match(text, /evil\\u001b\[2J\\u202e/)
  assert.doesNotMatch(asJson({ clients: rows }), /[\u202e]/)
})

test('a recorded description with HTML and a Markdown link is plain text in conformance.md', () => {
  const client = toClient(
    file({ description: '<img src=https://evil.example/p.png> [pay here](https://evil.example/) *x* `y`' }),
    'clients/x.json',
  )
  const verdict: ClientVerdict = {
    id: client.id,
    name: client.name,
    versions: client.versions,
    source: client.source,
    request: 'POST /token',
    works: true,
    reason: 'a token',
    nextRelease: 'yes',
  } as ClientVerdict
  const md = markdown(sampleReport(() => 'PASSED', { clients: [verdict] }))
  const row = md.split('\n').find((l) => l.includes('evil.example')) ?? ''
  assert.ok(row, 'the client row is in the report')
  const cell = row.split(' | ')[0]!
  assert.doesNotMatch(cell.slice(2), /(?<!\\)[<>*`[\]()]/, 'every metacharacter escaped')
  assert.equal(mdText('[a](b) <i>'), '\\[a\\]\\(b\\) \\<i\\>')
})
