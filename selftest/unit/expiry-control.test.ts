/**
 * JWT-EXP-01 needs its positive control: a gateway that answers 502 before and after the token's expiry shows nothing
 * about expiry, and must never read as "still accepts the expired token".
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { collectKit } from '../harness.ts'
import { exchange, regrade } from '../evidence-faults.ts'

test('a gateway failing (502) before and after expiry: JWT-EXP-01 SKIPPED pointing at GATEWAY-01, not FAILED', async () => {
  const { runtime, snapshot } = await collectKit('1.9', [], {
    env: { CONFORMANCE_SLOW: 'true', OPENCRVS_TOKEN_LIFETIME_SECONDS: '3', CONFORMANCE_LEEWAY_SECONDS: '1' },
    lifetimeSeconds: 3,
  })
  const failing = await regrade(runtime, snapshot, (s) => {
    for (const key of ['send:JWT-EXP-01:before', 'send:JWT-EXP-01:after'])
      Object.assign(exchange(s, key), {
        status: 502,
        bodyText: '{"message":"Bad Gateway"}',
        json: { message: 'Bad Gateway' },
      })
  })
  const exp = failing['JWT-EXP-01']!
  assert.equal(exp.verdict, 'SKIPPED', exp.reason)
  assert.match(exp.reason, /answered HTTP 502 before it expired[\s\S]*see GATEWAY-01/)
})
