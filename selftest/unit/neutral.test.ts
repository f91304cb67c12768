/**
 * The output boundary for a target's text (src/redact/neutral.ts), one test per class of what a target may send.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bounded, listed, mdBlock, mdCode, neutral } from '../../src/redact/neutral.ts'

const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/

test('C0 controls and ESC sequences (ANSI clear-screen, OSC 8 hyperlinks, BEL) are shown escaped', () => {
  const out = neutral('a\u001b[2Jb\u001b]8;;https://evil.example\u0007c\u0000d')
  assert.equal(out, 'a\\u001b[2Jb\\u001b]8;;https://evil.example\\u0007c\\u0000d')
  assert.doesNotMatch(out, RAW)
})

test('C1 controls and DEL are shown escaped', () => {
  assert.equal(neutral('a\u009bb\u007fc\u0085d'), 'a\\u009bb\\u007fc\\u0085d')
})

test('a carriage return is shown escaped, never able to rewrite the line it is on', () => {
  assert.equal(neutral('PASSED\rFAILED'), 'PASSED\\u000dFAILED')
})

test('bidi controls and line separators are shown escaped', () => {
  const out = neutral('x\u202eevil\u2066y\u2069\u200f\u2028z\ufeff')
  assert.doesNotMatch(out, RAW)
  assert.match(out, /\\u202e/)
})

test('new lines are folded in one-line text, so no target text starts a line (no forged ::workflow-command)', () => {
  const out = neutral('reason\n::error::forged\r\n  more')
  assert.equal(out.split('\n').length, 1)
  assert.doesNotMatch(out, /(^|\n)::/)
})

test('multi-line evidence keeps its lines, each bounded, with every control escaped', () => {
  const out = neutral(`line 1\n${'x'.repeat(5000)}\n\u001b[31mred`, { lines: true })
  const lines = out.split('\n')
  assert.equal(lines.length, 3)
  assert.ok(lines[1]!.length < 1100)
  assert.equal(lines[2], '\\u001b[31mred')
})

test('any text is bounded however much the target sent, saying how much more there was', () => {
  assert.equal(neutral('x'.repeat(5000)).length < 1100, true)
  assert.match(bounded('y'.repeat(2000), 10), /^y{10}… \(1990 more characters\)$/)
  assert.ok(neutral('z\n'.repeat(100_000), { lines: true }).length < 8_100)
})

test('a list is cut to a handful, the rest counted', () => {
  assert.equal(listed(Array.from({ length: 6000 }, (_, i) => `a${i}`)), 'a0, a1, a2, a3, a4 and 5995 more')
  assert.equal(listed(['a', 'b']), 'a, b')
})

test('Markdown: a code span no backtick run can close, no table cell a | can split, no link or image', () => {
  const evil = 'x `` ` ![p](https://evil.example/p.png) <img src=x> [l](https://e) | y'
  const span = mdCode(evil)
  const fence = /^(`+) /.exec(span)![1]!
  assert.ok(fence.length > 2, 'longer than the longest backtick run inside')
  assert.ok(span.endsWith(` ${fence}`))
  assert.equal(span.slice(fence.length + 1, -fence.length - 1).includes(fence), false, 'the fence never occurs inside')
  assert.doesNotMatch(span, /[^\\]\|/, 'every | escaped for a table')
  assert.equal(mdCode(''), '')
})

test('Markdown: a fenced block a target cannot close from inside', () => {
  const block = mdBlock('before\n```\nafter ```` done')
  const fence = /^(`+)text\n/.exec(block)![1]!
  assert.ok(fence.length >= 5, `${fence.length} backticks, more than the 4 inside`)
  assert.ok(block.endsWith(`\n${fence}`))
})

test('what XML 1.0 forbids (U+FFFE, U+FFFF, an unpaired surrogate) is shown escaped; a paired emoji is kept', () => {
  const out = neutral('bad "\uffff\ufffe" \ud800x \udc00 ok \u{1f600}')
  assert.equal(out, 'bad "\\uffff\\ufffe" \\ud800x \\udc00 ok \u{1f600}')
  assert.equal(neutral('a\uffff\nb', { lines: true }), 'a\\uffff\nb')
})
