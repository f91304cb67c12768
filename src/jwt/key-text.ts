/**
 * A public key from the text a deployment publishes or an operator hands over: PEM (SPKI or PKCS#1) or a JWKS.
 * No I/O, so the configuration check and the key loader read a key the same way.
 */
import { createPublicKey, type KeyObject } from 'node:crypto'

/** Why there is no key: says what was found instead. */
export class KeyUnavailable extends Error {}

/**
 * The text holds a private key: a PEM private-key block (PKCS#8, PKCS#1, EC, encrypted), or a JWK with a private
 * member ("d"). createPublicKey would quietly derive the public half, so it is told apart first.
 */
export function holdsPrivateKey(text: string): boolean {
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) return true
  try {
    const json = JSON.parse(text.trim()) as { keys?: unknown; d?: unknown }
    const keys = Array.isArray(json.keys) ? json.keys : [json]
    return keys.some((k) => typeof k === 'object' && k !== null && 'd' in k)
  } catch {
    return false
  }
}

/** Parse key text; throws KeyUnavailable naming what is wrong (a JWKS with several RSA keys needs the token's kid). */
export function parsePublicKey(
  text: string,
  where: string,
  kid?: string,
): { key: KeyObject; format: string; pem?: string } {
  const trimmed = text.trim()
  // a private key is never used, nor shown: the public key is what verifies
  if (holdsPrivateKey(trimmed)) throw new KeyUnavailable(`${where} holds a private key, not a public key`)
  if (trimmed.startsWith('-----BEGIN')) {
    try {
      return { key: createPublicKey(trimmed), format: 'PEM', pem: text }
    } catch (e) {
      throw new KeyUnavailable(`${where} holds a PEM block that is not a public key (${(e as Error).message})`)
    }
  }
  let json: unknown
  try {
    json = JSON.parse(trimmed)
  } catch {
    throw new KeyUnavailable(`${where} is neither a PEM public key nor JSON (JWKS)`)
  }
  const keys = (json as { keys?: unknown }).keys
  if (!Array.isArray(keys)) throw new KeyUnavailable(`${where} is JSON but not a JWKS (no "keys" array)`)
  const rsa = keys.filter((k) => (k as { kty?: unknown }).kty === 'RSA') as Array<Record<string, unknown>>
  const chosen = (kid ? rsa.find((k) => k.kid === kid) : undefined) ?? (rsa.length === 1 ? rsa[0] : undefined)
  if (!chosen) throw new KeyUnavailable(`${where} has ${rsa.length} RSA keys and none is selected by the token's kid`)
  return {
    key: createPublicKey({ key: chosen as unknown as import('node:crypto').JsonWebKey, format: 'jwk' }),
    format: 'JWKS',
  }
}
