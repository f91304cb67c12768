/** The emulator's signing keys: one pair per name, generated once per process. */
import { generateKeyPairSync, type KeyPairKeyObjectResult } from 'node:crypto'

export function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url')
}

/**
 * RSA key pairs, generated once per process: a 2048-bit key costs about 0.2 s of CPU, and the self-tests
 * start a hundred emulators. A deployment's signing key survives restarts too.
 */
const keys = new Map<string, KeyPairKeyObjectResult>()
export function signingKey(name: 'signing' | 'other' | 'weak-1024'): KeyPairKeyObjectResult {
  let k = keys.get(name)
  if (!k) keys.set(name, (k = generateKeyPairSync('rsa', { modulusLength: name === 'weak-1024' ? 1024 : 2048 })))
  return k
}
