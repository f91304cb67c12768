/**
 * The access token's form, header and signature: a compact JWS, RS256, typ JWT, verified with the algorithm
 * pinned against the key the deployment publishes.
 */
import { compactVerify } from 'jose'
import { check, finding, pass, skip, violation, test } from '../fixtures/index.ts'
import type { GatewayStore } from '../fixtures/gateway.ts'
import { decodedEach, decodedPrimary, MissingClient } from '../fixtures/tokens.ts'
import type { ClientType } from '../src/profiles/profiles.ts'
import { tokenView } from '../src/jwt/index.ts'
import { req } from '../src/requirements/catalogue.ts'
import { credentialRefused } from '../src/runtime/runtime.ts'
import { listed } from '../src/redact/neutral.ts'

test(
  ...check(req('JWT-01'), async ({ tokens }) => {
    const seen: string[] = []
    const views: string[] = []
    const types = tokens.configuredTypes()
    for (const type of types.length ? types : [tokens.firstType()]) {
      const a = await tokens.primary(type)
      if (!a.compact)
        return skip(
          `no ${type} token to decode (HTTP ${a.exchange.status}; ${credentialRefused(a.exchange) ? 'the credentials were refused; see TOKEN-CRED-01' : 'see TOKEN-RESP-01'})`,
        )
      if (!a.decoded)
        return violation(`the ${type} access_token is not a JWT: ${a.decodeError}`, {
          fix: 'OpenCRVS issues RS256-signed JWTs; the gateway verifies them. Check what is issuing this token.',
        })
      seen.push(`${type}: ${String(a.decoded.header.alg)} JWT with claims ${listed(Object.keys(a.decoded.claims), 12)}`)
      views.push(`${type}:\n${tokenView(a.decoded)}`)
    }
    return pass(`decoded ${seen.join('; ')}`, { detail: views.join('\n\n') })
  }),
)

test(
  ...check(req('JWT-HDR-01'), async ({ tokens }) => {
    const each = await decodedEach(tokens)
    const bad = each.find((a) => String(a.decoded.header.alg) !== 'RS256')
    if (!bad) return pass(`alg RS256 (${each.map((a) => a.type).join(', ')})`)
    const { decoded, type } = bad
    const alg = String(decoded.header.alg)
    if (alg.toLowerCase() === 'none') {
      return violation(
        `${type} token: alg "none": the token is unsigned, so anyone can forge one; any verifier that honours the header accepts it (RFC 8725 §2.1)`,
        {
          detail: tokenView(decoded),
          fix: 'The auth service must sign with its RSA private key (jsonwebtoken algorithm RS256).',
        },
      )
    }
    if (/^HS/i.test(alg)) {
      return violation(
        `${type} token: alg ${alg}: an HMAC token. If a verifier uses the published RSA public key as the HMAC secret (algorithm confusion), anyone who has that public key can forge tokens (RFC 8725 §2.1, §3.1)`,
        {
          detail: tokenView(decoded),
          fix: 'Sign with RS256 only; verifiers must pin algorithms to RS256 as the OpenCRVS gateway does.',
        },
      )
    }
    return violation(
      `${type} token: alg ${alg}: the OpenCRVS gateway verifies with algorithms ['RS256'] only and will refuse this token`,
      { detail: tokenView(decoded) },
    )
  }),
)

test(
  ...check(req('JWT-HDR-02'), async ({ tokens }) => {
    const each = await decodedEach(tokens)
    const bad = each.filter((a) => a.decoded.header.typ !== 'JWT')
    if (!bad.length) return pass(`typ JWT (${each.map((a) => a.type).join(', ')})`)
    return violation(
      `${bad
        .map(
          ({ type, decoded: { header } }) =>
            `${type} token: typ is ${header.typ === undefined ? 'absent' : JSON.stringify(header.typ)}`,
        )
        .join('; ')}; OpenCRVS documents and issues "JWT"`,
      { detail: bad.map((a) => tokenView(a.decoded)).join('\n') },
    )
  }),
)

test(
  ...check(req('JWT-HDR-03'), async ({ tokens }) => {
    const { decoded } = await decodedPrimary(tokens)
    const notes = [
      decoded.header.kid === undefined
        ? 'no kid: one signing key, no key rotation by kid (as every OpenCRVS release)'
        : `kid ${JSON.stringify(decoded.header.kid)}`,
      decoded.header.typ === 'at+jwt' || decoded.header.typ === 'application/at+jwt'
        ? 'typed at+jwt (RFC 9068)'
        : 'not typed at+jwt: OpenCRVS does not claim the RFC 9068 access-token profile, so resource servers cannot tell its access tokens from its other JWTs by type (RFC 8725 §3.11)',
    ]
    return finding('INFO', notes.join('; '))
  }),
)

/** The deployment's gateway accepted this type's token at a control route: it verifies with the deployment's key. */
async function gatewayAccepts(gateway: GatewayStore, type: ClientType): Promise<boolean> {
  for (const route of gateway.routes().filter((r) => r.client === type)) {
    try {
      if ((await gateway.control(route)).state === 'ok') return true
    } catch (e) {
      if (e instanceof MissingClient) return false
      throw e
    }
  }
  return false
}

test(
  ...check(req('JWT-SIG-01'), async ({ tokens, keys, gateway, target }) => {
    // a signature rule over no token is no pass
    if (!tokens.configuredTypes().length)
      return skip(
        'no token to verify: no client configured (set OPENCRVS_NOTIFICATION_CLIENT_ID and _SECRET, and one pair per client type you run)',
      )
    const k = await keys.get()
    if ('unavailable' in k && k.tls) return skip(k.unavailable)
    if ('unavailable' in k && k.located) {
      return violation(`no token signature can be verified: the signing key is not usable: ${k.unavailable}`, {
        fix: "Publish the auth service's public key as PEM at <auth>/.well-known (as every OpenCRVS release does), or point OPENCRVS_PUBLIC_KEY at the PEM file (in v2.0, the deployment's jwt-public-key secret).",
      })
    }
    if ('unavailable' in k) {
      return skip(
        `no signing key to verify with: ${k.unavailable}. Set OPENCRVS_PUBLIC_KEY to the PEM file or URL (in v2.0 the gateway does not expose /.well-known: take the public key from the deployment's jwt-public-key secret)`,
      )
    }
    if (k.key.type === 'rsa' && (k.key.bits ?? 0) < 2048)
      return skip(`the published key is RSA ${k.key.bits} bits, which jose will not verify with (see JWT-KEY-01)`)
    const results: string[] = []
    for (const a of await decodedEach(tokens)) {
      const type = a.type
      try {
        await compactVerify(a.compact, k.key.key, { algorithms: ['RS256'] })
        results.push(`${type}: verifies`)
      } catch (e) {
        const algRefused = (e as { code?: string }).code === 'ERR_JOSE_ALG_NOT_ALLOWED'
        const why = algRefused
          ? `signed with ${String(a.decoded.header.alg)}, and only RS256 is accepted`
          : 'the signature does not match'
        // the operator's key file against the deployment's own verifier: the gateway accepting the token says the
        // file, not the deployment, is the likely culprit
        const file = target.publicKey?.kind === 'file' ? target.publicKey.location : undefined
        if (file && !algRefused && (await gatewayAccepts(gateway, type)))
          return finding(
            'REVIEW',
            `the ${type.toLowerCase()} token does not verify against the key file OPENCRVS_PUBLIC_KEY names, yet the deployment's gateway accepts it: OPENCRVS_PUBLIC_KEY is probably not this deployment's public key (the signature check proves nothing until it is)`,
            {
              detail: `key ${k.key.source}, ${k.key.type} ${k.key.bits ?? '?'} bits, SHA-256 ${k.key.fingerprint}\n${tokenView(a.decoded)}`,
              fix: "Point OPENCRVS_PUBLIC_KEY at the public key this deployment signs with (v2.0: the deployment's jwt-public-key secret; v1.x: what <auth>/.well-known serves), or leave it unset to read <auth>/.well-known.",
            },
          )
        return violation(`the ${type.toLowerCase()} token does not verify against the published key: ${why}`, {
          detail: `key ${k.key.source}, ${k.key.type} ${k.key.bits ?? '?'} bits, SHA-256 ${k.key.fingerprint}\n${tokenView(a.decoded)}`,
          fix: `${file ? `First check that the file OPENCRVS_PUBLIC_KEY names is this deployment's public key. ` : ''}The auth service signs with CERT_PRIVATE_KEY_PATH and publishes CERT_PUBLIC_KEY_PATH: the two files must be one key pair, and every service must mount the same public key.`,
        })
      }
    }
    return pass(
      `RS256 signature verifies (${results.join(', ')}) against ${k.key.type.toUpperCase()} ${k.key.bits} bits, SHA-256 ${k.key.fingerprint}`,
      {
        detail: `key from ${k.key.source}`,
      },
    )
  }),
)

test(
  ...check(req('JWT-KEY-01'), async ({ keys }) => {
    const k = await keys.get()
    if ('unavailable' in k) return skip(`no signing key: ${k.unavailable}`)
    const facts = `${k.key.type.toUpperCase()} ${k.key.bits ?? '?'} bits, SHA-256 ${k.key.fingerprint}, from ${k.key.source}`
    if (k.key.type !== 'rsa')
      return violation(`the published key is ${k.key.type}, not RSA: RS256 needs an RSA key`, { detail: facts })
    if ((k.key.bits ?? 0) < 2048) {
      return violation(
        `the published key is RSA ${k.key.bits} bits; RS256 keys must be at least 2048 bits (RFC 7518 §3.3)`,
        {
          detail: facts,
          fix: 'Generate a new pair with `openssl genrsa 2048` (as OpenCRVS dev:secrets:gen does) and redeploy both halves.',
        },
      )
    }
    return pass(facts)
  }),
)
