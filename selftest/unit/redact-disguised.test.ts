import assert from 'node:assert/strict'
import { test } from 'node:test'
import { redact, redactValue, registerSecret, registerToken, secretFragmentIn } from '../../src/redact/index.ts'
import { excerpt, neutral } from '../../src/redact/neutral.ts'

const secret = '7c4e1a2b-5d6f-4a8b-9c0d-1e2f3a4b5c6d'
registerSecret(secret, 'disguise test secret')
const disguises: Record<string, string> = {
  'upper-cased': secret.toUpperCase(),
  reversed: [...secret].reverse().join(''),
  'every character \\u-escaped': [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
  'split by a new line every 7 characters': secret.match(/.{1,7}/g)!.join('\n'),
  'split by an escaped new line every 7 characters': secret.match(/.{1,7}/g)!.join('\\n'),
  '%-escaped, mixed case': [...secret]
    .map((c, i) => (i % 2 ? `%${c.charCodeAt(0).toString(16).toUpperCase()}` : c))
    .join(''),
  'its last character changed': `${secret.slice(0, -1)}0`,
}
/** Every 8-character piece of the secret, case-insensitively, forwards and backwards, in the text as it is. */
const holdsPiece = (text: string) => {
  const t = text.toLowerCase()
  const r = [...t].reverse().join('')
  for (let i = 0; i + 8 <= secret.length; i++)
    if (t.includes(secret.slice(i, i + 8)) || r.includes(secret.slice(i, i + 8))) return true
  return false
}

for (const [how, form] of Object.entries(disguises))
  test(`a secret echoed ${how} is found (TOKEN-AUTH-06) and removed at the output boundary`, () => {
    const body = `{"error":"invalid_client","error_description":"Invalid client secret ${form}"}`
    assert.notEqual(secretFragmentIn(body, secret), null)
    const out = redact(body)
    assert.ok(
      !holdsPiece(
        out
          .replace(/\\u00([0-9a-f]{2})/g, (_m, h) => String.fromCharCode(Number.parseInt(h, 16)))
          .replace(/\s|\\n/g, ''),
      ),
      out,
    )
    assert.match(out, /REDACTED/)
    assert.ok(
      out.startsWith('{"error":"invalid_client","error_description":"Invalid client secret '),
      'the text around it kept',
    )
    // and inside a value redacted by way of its JSON text (report evidence)
    const value = redactValue({ body, lines: body.split('\n') })
    assert.ok(!holdsPiece(JSON.stringify(value).replace(/\s|\\+n/g, '')), JSON.stringify(value))
  })

test('a secret with a space and a % in it, echoed upper-cased and JSON-escaped, is found and removed', () => {
  const odd = 'p@ss w0rd/with %41 more'
  registerSecret(odd, 'odd test secret')
  const body = JSON.stringify({ error_description: `bad ${odd.toUpperCase()}` })
  assert.notEqual(secretFragmentIn(body, odd), null)
  const out = redact(body)
  // the whole run goes, across the space and the decoded %41: nothing of either end is left
  for (const piece of ['w0rd/wit', 'p@ss', 'more']) assert.ok(!out.toLowerCase().includes(piece), out)
})

test('a token signature echoed split over lines is removed: no 16 characters of it are left', () => {
  const sig = 'Xq3vK9pLm2Rt7Yw1Zb8Nc4Hd6Jf0Gs5Ae-Ui_OoPkQrStUvWxYz0123456789abcdEFGH'
  registerToken(`eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.${sig}`, 'disguise test token')
  const out = redact(`{"message":"Unauthorized (sig ${sig.slice(0, 40)}\n${sig.slice(40)})"}`)
  for (let i = 0; i + 16 <= sig.length; i++) assert.ok(!out.replace(/\s/g, '').includes(sig.slice(i, i + 16)), out)
  assert.match(out, /REDACTED piece of the disguise test token signature/)
  // header and payload alone are no secret: left as they are
  assert.equal(redact('eyJzdWIiOiJ4In0 and more'), 'eyJzdWIiOiJ4In0 and more')
})

test('redaction and the output boundary are linear: half a megabyte of adversarial text each well within the time limit', {
  timeout: 60_000,
}, () => {
  const K = 512 * 1024
  const inputs = {
    'eyJ repeated': 'eyJ'.repeat(K / 3),
    'eyJa. repeated': 'eyJa.'.repeat(K / 5),
    'long base64url runs with dots': `${'A'.repeat(4000)}.`.repeat(K / 4001),
    'eyJ runs with dots': `eyJ${'a'.repeat(2000)}.`.repeat(K / 2004),
    spaces: `${' '.repeat(K)}x`,
    'spaces and tabs then one new line': `${' \t'.repeat(K / 2)}\n${' '.repeat(K)}`,
    'token= repeated': 'token='.repeat(K / 6),
    'backslashes then u': `${'\\'.repeat(K)}u004`,
    'UUID heads': `${secret.slice(0, 9)}`.repeat(K / 9),
  }
  // A quadratic pass over 512 kB takes minutes (128 kB of "eyJ" took 7 s before); these take well under a second
  // each. The bound is the test's own timeout (60 s), generous for a loaded machine, never a tight timing.
  for (const [name, text] of Object.entries(inputs)) {
    const out = redact(text)
    assert.ok(out.length > 0, name)
    assert.ok(neutral(text).length <= 1100, name)
    assert.ok(neutral(text, { lines: true }).length > 0, name)
    assert.ok(excerpt(text, 80).length <= 90, name)
  }
  assert.equal(redact('eyJ'.repeat(K / 3)), 'eyJ'.repeat(K / 3), 'no JWT in it: kept as it is')
})
