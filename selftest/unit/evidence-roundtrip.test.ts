/**
 * What is graded is what was collected: the evidence's text round-trips exactly, whatever names a target's JSON
 * uses (json, bodyText, status, __proto__), and a claim the hand-over used to drop still reaches the checks.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseSnapshot, serializeSnapshot, type EvidenceSnapshot } from '../../src/evidence/recorder.ts'
import { EXCHANGES, parseJson, type HttpExchange } from '../../src/http/index.ts'
import { collectKit } from '../harness.ts'
import { regrade } from '../evidence-faults.ts'
import type { TokenAttempt } from '../../fixtures/tokens.ts'

const HOSTILE =
  '{"json":"s3cret","bodyText":"x","status":200,"__proto__":{"polluted":true},"nested":{"json":{"json":1},"bodyText":"y","status":1}}'

function exchange(bodyText: string): HttpExchange {
  const ex: HttpExchange = {
    request: { method: 'POST', url: 'https://auth.example/token' },
    status: 200,
    headers: { json: 'h', bodytext: 'b' },
    bodyText,
    json: parseJson(bodyText),
    durationMs: 1,
  }
  EXCHANGES.add(ex)
  return ex
}

test('the evidence round-trips exactly over hostile member names', () => {
  const claims = JSON.parse(HOSTILE) as Record<string, unknown>
  const snapshot: EvidenceSnapshot = {
    kept: {
      'send:A': { value: exchange(HOSTILE) },
      'token:NOTIFICATION:form': {
        value: {
          exchange: exchange('{"access_token":"t"}'),
          decoded: { header: JSON.parse('{"json":"h","__proto__":1}'), claims, signed: true, lengths: '1.1.1' },
        },
      },
      // a plain object shaped like an exchange (a claim, a target's body) is data, never revived as one
      'observe:x': { value: { bodyText: '{"a":1}', status: 200, list: [{ json: 1, bodyText: '2', status: 3 }] } },
      'probe:y': { thrown: { name: 'TargetMisbehaved', message: 'json' } },
    },
    registry: [],
    requests: { total: 2, token: 2, issued: 1, secretInUrl: 0, tokenInUrl: 0, rateLimited: 0 },
  }
  const back = parseSnapshot(serializeSnapshot(snapshot))
  assert.deepStrictEqual(back, snapshot)
  assert.equal(
    Object.getPrototypeOf((back.kept['send:A'] as { value: HttpExchange }).value.json),
    Object.prototype,
    'a __proto__ member stays data',
  )
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
})

test('a token whose claim "json" holds the client secret is graded as collected: JWT-CLM-08 FAILED', async () => {
  const { runtime, snapshot } = await collectKit('2.0')
  for (const [key, k] of Object.entries(snapshot.kept)) {
    if (!key.startsWith('token:') || !('value' in k)) continue
    const a = k.value as TokenAttempt
    if (a.decoded) a.decoded.claims.json = a.client.secret
  }
  const graded = await regrade(runtime, snapshot)
  assert.equal(graded['JWT-CLM-08']!.verdict, 'FAILED', graded['JWT-CLM-08']!.reason)
  assert.match(graded['JWT-CLM-08']!.reason, /in json/)
  assert.equal(graded['JWT-CLM-09']!.verdict, 'INFO')
})
