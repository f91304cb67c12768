/**
 * Signing-key loading from OPENCRVS_PUBLIC_KEY: PEM (SPKI and PKCS#1) and JWKS files, with a clear reason
 * when the file holds something else. (The URL path is exercised by every kit run against the emulator.)
 */
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { KeyUnavailable, loadSigningKey } from '../../src/jwt/keys.ts'
import { HttpClient } from '../../src/http/index.ts'

const http = new HttpClient()

const dir = mkdtempSync(join(tmpdir(), 'keys-'))
const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const write = (name: string, text: string) => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return { kind: 'file' as const, location: p }
}

test('PEM (SPKI), PEM (PKCS#1) and JWKS files give the same key and fingerprint', async () => {
  const spki = await loadSigningKey(
    http,
    write('spki.pem', publicKey.export({ type: 'spki', format: 'pem' }).toString()),
  )
  const pkcs1 = await loadSigningKey(
    http,
    write('pkcs1.pem', publicKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
  )
  const jwks = await loadSigningKey(
    http,
    write('jwks.json', JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' }] })),
  )
  assert.equal(spki.type, 'rsa')
  assert.equal(spki.bits, 2048)
  assert.match(spki.fingerprint, /^[0-9a-f]{64}$/)
  assert.equal(pkcs1.fingerprint, spki.fingerprint)
  assert.equal(jwks.fingerprint, spki.fingerprint)
  assert.match(jwks.source, /JWKS/)
})

test('a JWKS with several RSA keys needs the token kid; other content is refused with a reason', async () => {
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey
  const two = write(
    'two.json',
    JSON.stringify({
      keys: [
        { ...publicKey.export({ format: 'jwk' }), kid: 'a' },
        { ...other.export({ format: 'jwk' }), kid: 'b' },
      ],
    }),
  )
  await assert.rejects(loadSigningKey(http, two), KeyUnavailable)
  const chosen = await loadSigningKey(http, two, 'b')
  assert.equal(chosen.key.equals(other), true)
  await assert.rejects(loadSigningKey(http, write('text.txt', 'hello')), /neither a PEM public key nor JSON/)
  await assert.rejects(loadSigningKey(http, write('obj.json', '{"kty":"RSA"}')), /not a JWKS/)
  await assert.rejects(
    loadSigningKey(http, write('bad.pem', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')),
    /not a public key/,
  )
})
