import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { detectProfile } from '../../src/profiles/detect.ts'
import { redact, redactValue, registerSecret, registerToken } from '../../src/redact/index.ts'
import type { TranscriptCase } from '../tools/extract-transcripts.ts'

const cases = JSON.parse(
  readFileSync(new URL('../transcripts/auth-cases.json', import.meta.url), 'utf8'),
) as TranscriptCase[]
const claims = (release: string) => cases.find((c) => c.release === release && c.n === 1)!.response.jwt!.payload

test('detection from the real tokens of each recorded release', () => {
  assert.equal(
    detectProfile({
      claims: claims('2.0'),
      clientId: '86d53a7e-8ccf-4dfa-b69b-d3d1d4451cd9',
      noParamsError: 'unsupported_grant_type',
    }).profile,
    '2.0',
  )
  assert.equal(detectProfile({ claims: claims('1.9'), noParamsError: 'unsupported_grant_type' }).profile, '1.9')
  assert.equal(detectProfile({ claims: claims('1.8'), noParamsError: 'unsupported_grant_type' }).profile, '1.7')
  // a v1.8 whose empty request gets the v1.3-v1.6 code: its scopes are v1.8's, and the error code is what TOKEN-GRANT-02 grades
  assert.equal(detectProfile({ claims: claims('1.8'), noParamsError: 'invalid_request' }).profile, '1.7')
  assert.equal(detectProfile({ noParamsError: 'invalid_request' }).profile, '1.3')
  assert.equal(detectProfile({ noParamsError: 'unsupported_grant_type' }).profile, null)
})

test('X-Version wins over one deviation; set aside, and named, when every other signal contradicts it', () => {
  // one deviation (a v2-format scope on v1.9): X-Version settles it
  const oneOff = detectProfile({ xVersion: '1.9.15', claims: { ...claims('1.9'), scope: ['type=record.search'] } })
  assert.equal(oneOff.profile, '1.9')
  assert.equal(oneOff.xVersionContradicted, undefined)
  // every other signal says v2.0: X-Version picks nothing, and its line is no candidate to excuse a FAILED
  const d = detectProfile({ xVersion: '1.9.15', claims: claims('2.0') })
  assert.equal(d.profile, '2.0')
  assert.equal(d.xVersionContradicted, '1.9.15')
  assert.match(d.conflicts[0]!, /X-Version header says 1\.9\.15, but every other signal says v2\.0/)
  assert.ok(!d.candidates.includes('1.9'), 'the line X-Version named is no candidate to excuse a shortfall')
  // a release newer than every profile, on a deployment whose every other signal is v1.9: no softening
  const v19 = { claims: claims('1.9'), noParamsError: 'unsupported_grant_type', tokenExchange: 'unauthorized_client' }
  const newer = detectProfile({ xVersion: '3.0.0', ...v19 })
  assert.equal(newer.profile, '1.9')
  assert.equal(newer.newer, undefined, 'an X-Version the evidence contradicts turns no FAILED into REVIEW')
  assert.equal(newer.xVersionContradicted, '3.0.0')
  assert.ok(!newer.candidates.includes('2.1'))
  // a newer release whose other signals match the newest profile's line stays a newer release
  const v20 = { claims: claims('2.0'), noParamsError: 'unsupported_grant_type' }
  assert.equal(detectProfile({ xVersion: '2.2.0', ...v20 }).newer, '2.2.0')
})

test('a deviation in a graded signal never moves the run to another line', () => {
  // a real v1.9 whose tokens lack userType: its scopes and its token-exchange answer are v1.9's
  const noUserType = { ...claims('1.9') }
  delete noUserType.userType
  const v19 = { noParamsError: 'unsupported_grant_type', tokenExchange: 'unauthorized_client' }
  const a = detectProfile({ claims: noUserType, ...v19 })
  assert.equal(a.profile, '1.9')
  assert.match(a.conflicts.join('\n'), /no userType/)
  assert.deepEqual(a.candidates, [])
  assert.equal(a.without.userType?.profile, '1.9', 'JWT-CLM-05 is judged against v1.9')
  // only the weaker signals (no token-exchange answer): the choice is made, and the lines one deviation away stay candidates
  const searchOnly = { ...claims('1.8'), scope: ['recordsearch'] }
  const b = detectProfile({ claims: searchOnly, noParamsError: 'invalid_request' })
  assert.equal(b.profile, '1.3')
  assert.deepEqual([...b.candidates].sort(), ['1.7'])
  // X-Version from the gateway settles it whatever the graded signals say
  const c = detectProfile({ xVersion: '1.8.3', claims: searchOnly, noParamsError: 'invalid_request' })
  assert.equal(c.profile, '1.7')
  assert.deepEqual(c.candidates, [])
})

// issue 31 case 6, issue 35 case 3: the signal a check grades never picks the release it is graded against
test('the scope format cannot outvote the evidence that contradicts it, on any line', () => {
  // v1.9 whose notification client lacks record.create / record.notify: userType and the token exchange say v1.9
  const v19 = detectProfile({
    claims: { ...claims('1.9'), scope: ['notification-api'] },
    noParamsError: 'unsupported_grant_type',
    tokenExchange: 'unauthorized_client',
  })
  assert.equal(v19.profile, '1.9')
  assert.match(v19.conflicts.join('\n'), /notification-api alone/)
  assert.deepEqual(v19.without.scope, { profile: '1.9', candidates: [] }, 'JWT-CLM-04 is judged against v1.9')
  // v1.8.3 whose notification token carries v1.6's declare: the empty request and the token exchange say v1.7+
  const v18 = detectProfile({
    claims: { ...claims('1.8'), scope: ['declare', 'notification-api'] },
    noParamsError: 'unsupported_grant_type',
    tokenExchange: 'invalid_request',
  })
  assert.equal(v18.profile, '1.7')
  assert.match(v18.conflicts.join('\n'), /with declare/)
  assert.deepEqual(v18.without.scope, { profile: '1.7', candidates: [] })
  assert.equal(v18.without.noParams?.profile, '1.7', 'TOKEN-GRANT-02 is judged against v1.7-v1.8')
  // v1.6.4 without declare (its token otherwise v1.8's shape): the empty request and the token exchange say v1.3-v1.6
  const v16 = detectProfile({
    claims: { ...claims('1.8'), scope: ['notification-api'] },
    noParamsError: 'invalid_request',
    tokenExchange: 'unsupported_grant_type',
  })
  assert.equal(v16.profile, '1.3')
  assert.match(v16.conflicts.join('\n'), /notification-api alone/)
  assert.equal(v16.without.scope?.profile, '1.3', 'the missing declare is graded against v1.3-v1.6')
  assert.equal(v16.without.noParams?.profile, '1.3', "v1.6's invalid_request is graded against v1.3-v1.6")
})

test('redaction: registered secrets in any encoding, whole JWTs, credential parameters and headers', () => {
  registerSecret('s3cr3t value/+', 'test secret')
  const jwt = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl'
  registerToken(jwt)
  const text =
    `secret=s3cr3t value/+ enc=${encodeURIComponent('s3cr3t value/+')} token ${jwt} sig=${jwt.split('.')[2]} ` +
    '?client_secret=unregistered&x=1 authorization: Bearer abc.def Authorization: Basic dXNlcjpwYXNz'
  const out = redact(text)
  assert.doesNotMatch(out, /s3cr3t/)
  assert.doesNotMatch(out, /s3cr3t%20value/)
  assert.doesNotMatch(out, /eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9\.eyJ/)
  assert.doesNotMatch(out, /c2lnbmF0dXJl/)
  assert.doesNotMatch(out, /unregistered/)
  assert.doesNotMatch(out, /abc\.def|dXNlcjpwYXNz/)
  assert.match(out, /\[JWT alg=RS256 sub=abc; signature removed\]/)
  // a secret with a quote, JSON-escaped in a body; and its base64 copy inside a claim
  registerSecret('q"uote-secret-1', 'quoted secret')
  assert.doesNotMatch(redact(JSON.stringify({ error_description: 'echo q"uote-secret-1' })), /uote-secret/)
  assert.doesNotMatch(
    redact(`{"claim":"${Buffer.from('s3cr3t value/+').toString('base64')}"}`),
    new RegExp(Buffer.from('s3cr3t value/+').toString('base64').slice(0, 8)),
  )
  // a registered secret in a URL is replaced once, with its label, and the URL stays readable
  assert.equal(
    redact('https://a.example/token?client_id=x&client_secret=s3cr3t%20value%2F%2B&grant_type=y'),
    'https://a.example/token?client_id=x&client_secret=[REDACTED test secret]&grant_type=y',
  )
})

test('evidence redacts the whole body before cutting it: no first characters of a secret survive the cut', async () => {
  const { evidence } = await import('../../src/http/index.ts')
  const secret = 'cut-through-me-0123456789'
  registerSecret(secret, 'cut secret')
  const bodyText = `${'x'.repeat(590)}${secret}${'y'.repeat(100)}`
  const out = evidence({
    request: { method: 'POST', url: 'https://a.example/token' },
    status: 401,
    headers: {},
    bodyText,
    json: undefined,
    durationMs: 1,
  })
  assert.doesNotMatch(out, /cut-thro/)
  assert.match(out, /\(\d+ more characters\)/)
})

test('a token whose claims nest 20 000 deep is refused as data, not a crash; redaction still describes it', async () => {
  const { decodeCompact, JwtShapeError } = await import('../../src/jwt/index.ts')
  const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`
  const token = `${Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(deep).toString('base64url')}.c2lnbmF0dXJl`
  assert.throws(
    () => decodeCompact(token),
    (e: unknown) => e instanceof JwtShapeError && /nests JSON more than 16 levels/.test((e as Error).message),
  )
  assert.equal(redact(`token ${token}`), 'token [JWT; redacted]')
})

test('a fragment of a secret is a secret: any run of 8 or more of its characters is found and redacted, another UUID is not', async () => {
  const { secretFragmentIn } = await import('../../src/redact/index.ts')
  const secret = '5f0c1d2e-93ab-4c7d-8e6f-a1b2c3d4e5f6'
  registerSecret(secret, 'fragment test secret')
  const half = secret.slice(0, 18)
  assert.equal(secretFragmentIn(`{"error_description":"bad secret ${half}…"}`, secret), secret.slice(0, 8))
  assert.equal(secretFragmentIn(`bad ${secret.slice(3, 10)}`, secret), null, '7 characters are not a fragment')
  // its URL-encoded form too
  assert.ok(secretFragmentIn(`x=${encodeURIComponent('p@ss w0rd/with-more')}`.slice(0, 14), 'p@ss w0rd/with-more'))
  // another whole UUID sharing a window with the secret (fewer than 16 characters) is not a fragment of it
  const other = `00000000-93ab-4c7d-8e60-000000000000`
  assert.equal(secretFragmentIn(`request id ${other}`, secret), null)
  // one sharing 16 or more is: the secret with its last character changed is still the secret
  const lastChanged = `${secret.slice(0, -1)}0`
  assert.equal(secretFragmentIn(`bad secret ${lastChanged}`, secret), secret.slice(0, -1))
  assert.doesNotMatch(redact(`bad secret ${lastChanged}`), new RegExp(secret.slice(8, 16)))
  const out = redact(`{"error_description":"Invalid client secret starting ${half}…", "id": "${other}"}`)
  assert.doesNotMatch(out, new RegExp(secret.slice(0, 8)))
  assert.match(out, /\[REDACTED fragment of a fragment test secret\]…/)
  assert.ok(out.includes(other), 'another UUID is left alone')
})

test('redaction removes what it must and keeps the text around it (DOOR-08: title, evidence as JSON text)', () => {
  const title = 'The gateway does not accept a token in the URL (?access_token=)'
  assert.equal(redact(title), title, 'an empty value: nothing removed, the ")" kept')
  const detail = 'POST https://gw.example/x?access_token=abc.def-ghi\nHTTP 401\n\nPOST https://gw.example/y'
  const out = redactValue({ title, detail })
  assert.equal(out.title, title)
  assert.equal(out.detail, 'POST https://gw.example/x?access_token=[REDACTED]\nHTTP 401\n\nPOST https://gw.example/y')
  assert.equal(redact('see (?token=abc123) then'), 'see (?token=[REDACTED]) then')
  assert.equal(redact('"url":"https://a/t?client_secret=s3cr3t!x"'), '"url":"https://a/t?client_secret=[REDACTED]"')
})

test('a label ending in "?access_token=:" keeps its colon and its line', () => {
  assert.equal(
    redactValue('the edited token in ?access_token=:\nPOST https://gw/x'),
    'the edited token in ?access_token=:\nPOST https://gw/x',
  )
})
