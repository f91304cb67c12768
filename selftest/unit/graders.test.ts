/**
 * The graders as pure functions of evidence: evidence is collected once from the v2.0 emulator (its auth
 * service, as the v2.0 recordings were made), the emulator is stopped, and the checks grade copies of that
 * evidence, nothing sent. Real evidence: the answers the real v2.0.0 auth service gave to the same probes
 * (selftest/transcripts/auth-cases.json) put in place of the emulator's grade as the emulator's do. Fault
 * evidence: one answer changed grades that one requirement FAILED.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { before, describe, test } from 'node:test'
import type { EvidenceSnapshot } from '../../src/evidence/recorder.ts'
import type { HttpExchange } from '../../src/http/index.ts'
import type { Runtime } from '../../src/runtime/runtime.ts'
import { exchange, regrade } from '../evidence-faults.ts'
import { collectKit } from '../harness.ts'

interface Case {
  release: string
  n: number
  title: string
  response: { status: number; headers: Record<string, string>; body: string }
}
const CASES = (
  JSON.parse(readFileSync(new URL('../transcripts/auth-cases.json', import.meta.url), 'utf8')) as Case[]
).filter((c) => c.release === '2.0')
const real = (n: number) => CASES.find((c) => c.n === n)!

/** Which recorded v2.0.0 answer each kept request corresponds to (the same request, the recording's own clients). */
const REAL_ANSWER: Record<string, number> = {
  'probe:grant-missing': 7,
  'probe:grant-password': 8,
  'probe:grant-authorization_code': 9,
  'probe:grant-empty': 10,
  'probe:grant-upper-case': 11,
  'probe:missing-client-secret': 12,
  'probe:missing-client-id': 13,
  'probe:wrong-secret': 14,
  'probe:unknown-client-uuid': 15,
  'probe:unknown-client-name': 16,
  'probe:deactivated': 17,
  'probe:token-exchange-no-subject': 23,
  'probe:basic-auth': 27,
  'probe:duplicate-client-id': 39,
  'probe:docs-url': 3,
  'send:TOKEN-METHOD-01:GET': 18,
  'send:TOKEN-METHOD-01:HEAD': 33,
  'send:TOKEN-METHOD-01:PUT': 34,
  'send:TOKEN-METHOD-02': 32,
}

let runtime: Runtime
let evidence: EvidenceSnapshot
const graded = (mutate?: (s: EvidenceSnapshot) => void) => regrade(runtime, evidence, mutate)

describe('graders over kept evidence', () => {
  before(async () => {
    const c = await collectKit('2.0') // the emulator is stopped when this returns
    runtime = c.runtime
    evidence = c.snapshot
  })

  test('grading the same evidence twice gives the same verdicts, and sends nothing', async () => {
    const a = await graded()
    const b = await graded()
    assert.deepEqual(a, b)
    assert.equal(a['TOKEN-AUTH-02']!.verdict, 'PASSED')
  })

  test("the real v2.0.0 auth service's answers to the same probes grade as the emulator's do", async () => {
    const emulated = await graded()
    const withReal = await graded((s) => {
      for (const [key, n] of Object.entries(REAL_ANSWER)) {
        const ex = exchange(s, key)
        const r = real(n).response
        ex.status = r.status
        ex.headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v]))
        ex.bodyText = r.body
        ex.json = r.body ? JSON.parse(r.body) : undefined
      }
    })
    const changed = Object.keys(emulated)
      .filter((id) => emulated[id]!.verdict !== withReal[id]!.verdict)
      .map((id) => `${id} ${emulated[id]!.verdict}->${withReal[id]!.verdict}: ${withReal[id]!.reason}`)
    assert.deepEqual(changed, [])
    for (const id of [
      'TOKEN-GRANT-01',
      'TOKEN-GRANT-02',
      'TOKEN-AUTH-01',
      'TOKEN-AUTH-02',
      'TOKEN-AUTH-03',
      'TOKEN-AUTH-04',
      'TOKEN-AUTH-05',
      'TOKEN-DUP-01',
      'TOKEN-METHOD-01',
    ])
      assert.equal(withReal[id]!.verdict, 'PASSED', id)
  })

  // each with the requirements it must turn FAILED (a wrong secret given a token also answers unlike an unknown id)
  const faults: Array<[string, string[], (s: EvidenceSnapshot) => void]> = [
    [
      'a wrong secret answered with a token',
      ['TOKEN-AUTH-02', 'TOKEN-AUTH-05'],
      (s) => {
        const ok = exchange(s, 'token:NOTIFICATION:form')
        Object.assign(exchange(s, 'probe:wrong-secret'), { status: 200, bodyText: ok.bodyText, json: ok.json })
      },
    ],
    [
      'an unknown client told apart from a wrong secret',
      ['TOKEN-AUTH-05'],
      (s) => {
        const ex = exchange(s, 'probe:unknown-client-uuid')
        ex.bodyText = JSON.stringify({ error: 'invalid_client', error_description: 'no such client' })
        ex.json = JSON.parse(ex.bodyText)
      },
    ],
    [
      'GET on the token route read as a token request',
      ['TOKEN-METHOD-01'],
      (s) => {
        const ex = exchange(s, 'send:TOKEN-METHOD-01:GET')
        Object.assign(ex, {
          status: 401,
          bodyText: '{"error":"invalid_client","error_description":"Invalid client id or secret"}',
        })
        ex.json = JSON.parse(ex.bodyText)
      },
    ],
    [
      'a PUT answered 500, not 404 or 405',
      ['TOKEN-METHOD-01'],
      (s) => Object.assign(exchange(s, 'send:TOKEN-METHOD-01:PUT'), { status: 500, bodyText: '', json: undefined }),
    ],
    [
      'the token response without cache-control',
      ['TOKEN-RESP-03'],
      (s) => {
        for (const key of Object.keys(s.kept).filter((k) => /^token:[A-Z_]+:(form|json|query)$/.test(k)))
          delete (s.kept[key] as { value: { exchange: HttpExchange } }).value.exchange.headers['cache-control']
      },
    ],
  ]
  for (const [what, ids, mutate] of faults) {
    test(`${what}: ${ids.join(', ')} FAILED, nothing else`, async () => {
      const base = await graded()
      const after = await graded(mutate)
      for (const id of ids) assert.equal(base[id]!.verdict, 'PASSED', `${id} passes on the evidence as collected`)
      const failed = Object.values(after)
        .filter((r) => r.verdict === 'FAILED')
        .map((r) => `${r.id}: ${r.reason}`)
      assert.deepEqual(
        failed.map((f) => f.split(':')[0]),
        ids,
        failed.join('\n'),
      )
    })
  }
})
