/**
 * The kit's release profiles (src/profiles) held against the recorded transcripts, independently of the
 * emulator: error codes per case, request formats, JWT header, audience, sub rule, userType, lifetimes, scopes.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import {
  expectedAudience,
  PROFILES,
  profileForRelease,
  RELEASE_ORDER,
  scopeMatches,
  type Profile,
} from '../../src/profiles/profiles.ts'
import type { TranscriptCase } from '../tools/extract-transcripts.ts'

const cases = JSON.parse(
  readFileSync(new URL('../transcripts/auth-cases.json', import.meta.url), 'utf8'),
) as TranscriptCase[]
const NOTIFICATION_ID = '86d53a7e-8ccf-4dfa-b69b-d3d1d4451cd9'

function get(release: string, n: number): TranscriptCase {
  const c = cases.find((x) => x.release === release && x.n === n)
  assert.ok(c, `transcript ${release} #${n}`)
  return c
}
const errorOf = (c: TranscriptCase) => (JSON.parse(c.response.body) as { error?: string }).error

for (const release of ['1.8', '1.9', '2.0']) {
  describe(`profile ${release} agrees with the transcripts`, () => {
    const p = profileForRelease(release) as Profile
    test('error code and status per failure case', () => {
      assert.equal(errorOf(get(release, 7)), p.errors.missingGrantType, 'missing grant_type')
      assert.equal(errorOf(get(release, 10)), p.errors.emptyGrantType, 'empty grant_type')
      assert.equal(errorOf(get(release, 8)), p.errors.unsupportedGrantType, 'grant_type=password')
      assert.equal(errorOf(get(release, 12)), p.errors.missingClientCredential, 'missing secret')
      assert.equal(errorOf(get(release, 14)), p.errors.badClient, 'wrong secret')
      for (const n of [7, 8, 12, 14])
        assert.equal(
          get(release, n).response.status,
          p.errorStatus[errorOf(get(release, n)) as 'invalid_client'],
          `status #${n}`,
        )
    })
    test('request formats and precedence', () => {
      assert.equal(get(release, 1).response.status === 200, p.requestFormats.query, 'query')
      assert.equal(get(release, 4).response.status === 200, p.requestFormats.json, 'JSON body')
      assert.equal(get(release, 5).response.status === 200, p.requestFormats.form, 'form body')
      assert.equal(get(release, 24).response.status === 400, p.precedence === 'body', 'body wins over query')
    })
    test('JWT header, iss, aud, sub rule, userType and lifetime', () => {
      for (const n of [1, 2]) {
        const jwt = get(release, n).response.jwt!
        assert.deepEqual(jwt.header, { alg: p.jwt.alg, typ: p.jwt.typ })
        assert.equal(jwt.payload.iss, p.jwt.iss)
        assert.deepEqual(jwt.payload.aud, expectedAudience(p, jwt.payload.scope as string[]))
        assert.equal(jwt.payload.userType ?? null, p.jwt.userType)
        assert.equal(get(release, n).response.lifetime, p.lifetime.default)
      }
      const sub = get(release, 1).response.jwt!.payload.sub
      if (p.jwt.sub === 'client-id') assert.equal(sub, NOTIFICATION_ID)
      else assert.match(String(sub), /^[0-9a-f]{24}$/)
      if (release === '1.9') assert.equal(get(release, 40).response.lifetime, p.lifetime.byType.IMPORT_EXPORT)
    })
    test('default scopes per client type match the issued scopes', () => {
      const check = (type: 'NOTIFICATION' | 'SEARCH', n: number) => {
        const scopes = get(release, n).response.jwt!.payload.scope as string[]
        const patterns = p.defaultScopes[type]!
        assert.equal(scopes.length, patterns.length, `${type} scope count`)
        patterns.forEach((pat, i) => assert.ok(scopeMatches(pat, scopes[i]!), `${type}: ${pat} vs ${scopes[i]}`))
      }
      check('NOTIFICATION', 1)
      check('SEARCH', 2)
    })
  })
}

test('scopeMatches: * stands for the event list, nothing else is a wildcard', () => {
  assert.ok(scopeMatches('type=record.search&event=*', 'type=record.search&event=birth,death'))
  assert.ok(!scopeMatches('type=record.search&event=*', 'type=record.search&event='))
  assert.ok(!scopeMatches('record.create[event=*]', 'record.createXevent=birth]'))
  assert.ok(scopeMatches('recordsearch', 'recordsearch'))
})

test('RELEASE_ORDER names every profile once, oldest first', () => {
  assert.deepEqual([...RELEASE_ORDER].sort(), Object.keys(PROFILES).sort())
  assert.deepEqual(
    RELEASE_ORDER,
    [...RELEASE_ORDER].sort((a, b) => Number(a) - Number(b)),
  )
})
