/**
 * One account of resending (docs/operating.md "Resending"): only a 429 is a rate limit (RFC 6585 §4) and is resent
 * after the wait it asks for, up to a cap; a 503 is the service unavailable (RFC 9110 §15.6.4), resent once after a
 * short wait and otherwise the target's answer; a Retry-After over the cap is given up on at once, and said so.
 */
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { HttpClient, RateLimited } from '../../src/http/index.ts'
import { rateLimitLine, requestLine, type ConformanceReport } from '../../src/report/model.ts'

/** A loopback server answering each request with the next of `answers` (the last one repeated). */
async function serve(answers: Array<{ status: number; headers?: Record<string, string> }>) {
  let n = 0
  const server = createServer((req, res) => {
    const a = answers[Math.min(n++, answers.length - 1)]!
    req.resume()
    res.writeHead(a.status, { 'content-type': 'text/html', ...a.headers }).end('<html>page</html>')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`,
    requests: () => n,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  }
}

test('a 503 with a long Retry-After (a maintenance page) is the answer: returned at once, nothing resent', async () => {
  const s = await serve([{ status: 503, headers: { 'retry-after': '120' } }])
  try {
    const http = new HttpClient()
    const ex = await http.send({ method: 'POST', url: s.url })
    assert.equal(ex.status, 503)
    assert.equal(s.requests(), 1)
    assert.equal(http.stats.rateLimited, 0, 'a 503 is no rate limit')
    assert.equal(http.stats.unavailable, 1)
    assert.equal(http.stats.unavailableResent, 0)
  } finally {
    await s.stop()
  }
})

test('a 503 with a short Retry-After is resent once, after the wait; a second 503 is the answer', async () => {
  const s = await serve([{ status: 503, headers: { 'retry-after': '0' } }])
  try {
    const http = new HttpClient()
    const ex = await http.send({ method: 'POST', url: s.url })
    assert.equal(ex.status, 503)
    assert.equal(s.requests(), 2, 'sent once, resent once')
    assert.equal(http.stats.unavailableResent, 1)
    assert.equal(http.stats.total, 2, 'each send counted')
  } finally {
    await s.stop()
  }
})

test('a 429 is resent after its wait; a 429 asking for more than the cap is given up on at once, saying so', async () => {
  const s = await serve([{ status: 429, headers: { 'retry-after': '0' } }, { status: 200 }])
  try {
    const http = new HttpClient()
    assert.equal((await http.send({ method: 'POST', url: s.url })).status, 200)
    assert.equal(http.stats.rateLimited, 1)
    assert.equal(http.stats.resent, 1)
  } finally {
    await s.stop()
  }
  const long = await serve([{ status: 429, headers: { 'retry-after': '120' } }])
  try {
    const http = new HttpClient()
    const e = await http.send({ method: 'POST', url: long.url }).then(
      () => null,
      (x: unknown) => x,
    )
    assert.ok(e instanceof RateLimited)
    assert.match(
      e.message,
      /gave up on it at once, because its Retry-After \(120 s\) exceeds the longest wait it allows \(30 s\)/,
    )
    assert.doesNotMatch(e.message, /waited/)
    assert.equal(long.requests(), 1)
    assert.equal(http.stats.resent, 0)
    assert.equal(http.stats.overCap, 1)
  } finally {
    await long.stop()
  }
})

const report = (requests: Partial<ConformanceReport['requests']>): ConformanceReport =>
  ({
    results: [],
    requests: { total: 10, token: 3, issued: 2, secretInUrl: 0, tokenInUrl: 0, rateLimited: 0, max: 150, ...requests },
  }) as unknown as ConformanceReport

test('the rate limit line says what the kit did: waited N s and resent M requests, or gave up at once', () => {
  assert.match(
    rateLimitLine(report({ rateLimited: 3, resent: 3, waitedMs: 3000 }))!,
    /answered 3 of 10 requests with 429; the kit waited 3 s in all and resent 3 request\(s\)/,
  )
  const gaveUp = rateLimitLine(report({ rateLimited: 1, overCap: 1 }))!
  assert.match(gaveUp, /the kit gave up at once on 1 request\(s\), because their Retry-After exceeded/)
  assert.doesNotMatch(gaveUp, /waited/)
  assert.equal(rateLimitLine(report({ unavailable: 4 })), null, 'a 503 is no rate limit')
  assert.match(requestLine(report({ unavailable: 4 })), /4 answered 503 \(the service unavailable/)
})

test('a URL carries a live token when it holds the token, its signature, or its header and payload', async () => {
  const { carriesToken } = await import('../../src/http/index.ts')
  const live = `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.${'S'.repeat(40)}`
  const [h, p, sig] = live.split('.') as [string, string, string]
  assert.ok(carriesToken(`https://g/x?access_token=${live}`, live))
  assert.ok(
    carriesToken(`https://g/x?access_token=${h}.eyJzY29wZSI6WyJ4Il19.${sig}`, live),
    'an edited payload under the live signature',
  )
  assert.ok(
    carriesToken(`https://g/x?access_token=${h}.${p}.AAAA`, live),
    'the live header and payload under another signature',
  )
  assert.equal(carriesToken(`https://g/x?access_token=${h}.eyJzY29wZSI6WyJ4Il19.${'R'.repeat(40)}`, live), false)
})

test('one account of resending: the README, docs/operating.md and .env.example say what HttpClient.send does', async () => {
  const { readFileSync } = await import('node:fs')
  const { MAX_RETRY_AFTER_MS, MAX_UNAVAILABLE_WAIT_MS, RATE_RETRIES } = await import('../../src/http/index.ts')
  const read = (f: string) => readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8').replace(/\s+/g, ' ')
  const [readme, operating, env] = ['README.md', 'docs/operating.md', '.env.example'].map(read) as [
    string,
    string,
    string,
  ]
  for (const [name, text] of [
    ['README.md', readme],
    ['docs/operating.md', operating],
    ['.env.example', env],
  ] as const) {
    assert.doesNotMatch(text, /never retries|no retries/i, `${name} says the kit never resends`)
    assert.match(text, new RegExp(`at most ${MAX_RETRY_AFTER_MS / 1000} s`), `${name}: the longest 429 wait`)
  }
  assert.match(readme, new RegExp(`503 \\(once, after at most ${MAX_UNAVAILABLE_WAIT_MS / 1000} s\\)`))
  assert.match(operating, new RegExp(`resends, at most ${RATE_RETRIES} times`))
  assert.match(
    operating,
    new RegExp(`resends it once when \`Retry-After\` is at most ${MAX_UNAVAILABLE_WAIT_MS / 1000} s`),
  )
  assert.match(env, new RegExp(`at most ${RATE_RETRIES} times`))
})
