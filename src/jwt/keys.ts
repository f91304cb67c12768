/**
 * The deployment's signing key: PEM (SPKI or PKCS#1) or JWKS, from a file or a URL (OpenCRVS serves PEM text
 * at <auth>/.well-known as application/octet-stream). Reported as type, size and SHA-256 fingerprint.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto'
import { readBounded } from '../config/bounded-read.ts'
import { runStopped, TlsFailure, type HttpClient, type HttpExchange } from '../http/index.ts'
import { KeyUnavailable, parsePublicKey as fromText } from './key-text.ts'

export { KeyUnavailable }

export interface SigningKey {
  key: KeyObject
  /** Where it came from, e.g. "https://auth.example.org/.well-known (PEM)". */
  source: string
  type: string
  bits: number | undefined
  /** SHA-256 of the SubjectPublicKeyInfo DER, hex. */
  fingerprint: string
  /** The PEM text exactly as published, when it was PEM. */
  pem?: string
}

export function describeKey(key: KeyObject, source: string, pem?: string): SigningKey {
  const der = key.export({ type: 'spki', format: 'der' })
  return {
    key,
    source,
    ...(pem ? { pem } : {}),
    type: key.asymmetricKeyType ?? 'unknown',
    bits: key.asymmetricKeyDetails?.modulusLength,
    fingerprint: createHash('sha256').update(der).digest('hex'),
  }
}

/** Load the key from a file or URL. Throws KeyUnavailable saying what was found instead. */
export async function loadSigningKey(
  http: HttpClient,
  location: { kind: 'file' | 'url'; location: string },
  kid?: string,
): Promise<SigningKey> {
  if (location.kind === 'file') {
    let text: string
    try {
      text = readBounded(location.location, 1024 * 1024)
    } catch (e) {
      throw new KeyUnavailable(
        `${location.location} could not be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      )
    }
    const { key, format, pem } = fromText(text, location.location, kid)
    return describeKey(key, `${location.location} (${format})`, pem)
  }
  let res: HttpExchange
  try {
    res = await http.send({ method: 'GET', url: location.location })
  } catch (e) {
    if (runStopped(e) || e instanceof TlsFailure) throw e // the key was never read: not a finding about it
    throw new KeyUnavailable(`${location.location} could not be read (${(e as Error).message})`)
  }
  if (res.status !== 200) throw new KeyUnavailable(`${location.location} answered HTTP ${res.status}`)
  const { key, format, pem } = fromText(res.bodyText, location.location, kid)
  return describeKey(
    key,
    `${location.location} (${format}, served as ${res.headers['content-type'] ?? 'no content type'})`,
    pem,
  )
}

/**
 * The key as data, loaded once by global setup and handed to the workers with the runtime (it is public), so no
 * worker, restarted or not, asks the deployment for it again. `located`: a location was configured or derived,
 * so a failure is the deployment's (a published key that is not a key), not a gap in the configuration.
 */
export type PublishedKey =
  | { spki: string; source: string; pem?: string }
  | { unavailable: string; located: boolean; tls?: true }

export async function publishedKey(
  http: HttpClient,
  location: { kind: 'file' | 'url'; location: string } | undefined,
): Promise<PublishedKey> {
  if (!location)
    return {
      unavailable: 'no key location: set OPENCRVS_AUTH_URL (key at <auth>/.well-known) or OPENCRVS_PUBLIC_KEY',
      located: false,
    }
  try {
    const k = await loadSigningKey(http, location)
    return {
      spki: k.key.export({ type: 'spki', format: 'pem' }).toString(),
      source: k.source,
      ...(k.pem ? { pem: k.pem } : {}),
    }
  } catch (e) {
    if (e instanceof KeyUnavailable) return { unavailable: e.message, located: true }
    // the key URL's TLS failed verification: TLS-02 names it, and the checks that needed the key point there
    if (e instanceof TlsFailure)
      return {
        unavailable: `${location.location} could not be read over verified TLS (see TLS-02): ${e.message}`,
        located: true,
        tls: true,
      }
    throw e
  }
}

/** The signing key a PublishedKey describes. */
export function signingKeyOf(p: Extract<PublishedKey, { spki: string }>): SigningKey {
  return describeKey(createPublicKey(p.spki), p.source, p.pem)
}
