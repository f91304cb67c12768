/**
 * What the auth service sends back: signed tokens (jsonwebtoken's shape), the success body and its headers, and the
 * OAuth error body. The faults that change any of it are read once, in tokenShape() and responseShape().
 */
import type Hapi from '@hapi/hapi'
import { createHmac, randomBytes, sign, type KeyObject } from 'node:crypto'
import { b64url } from './keys.ts'
import { ERROR_URI, descriptions, type Line } from './releases.ts'

export type OAuthErrorCode = 'invalid_request' | 'unsupported_grant_type' | 'invalid_client'

/** How tokens are minted, as the faults have it. */
function tokenShape(faults: Set<string>) {
  const docs = faults.has('docs-example-claims')
  return {
    alg: faults.has('alg-none') ? 'none' : faults.has('alg-hs256') ? 'HS256' : 'RS256',
    typ: !faults.has('typ-missing'),
    unit: faults.has('iat-milliseconds') ? 1000 : 1,
    skewSeconds: faults.has('clock-ahead') ? 300 : 0,
    lifetime: faults.has('lifetime-3600') ? 3600 : undefined,
    nbfAhead: faults.has('nbf-ahead'),
    iss: faults.has('iss-docs-style') || docs ? 'opencrvs.auth' : 'opencrvs:auth-service',
    subPerToken: faults.has('sub-per-token'),
    audience: docs ? 'docs' : faults.has('aud-missing-gateway') ? 'no-gateway' : 'as-stored',
    // 3 000 more audiences and scopes each (about 100 kB), a valid token all the same
    huge: faults.has('huge-claim-arrays'),
  } as const
}

/** How the success and error answers look, as the faults have them. */
function responseShape(faults: Set<string>) {
  return {
    tokenType: !faults.has('no-token-type'),
    expiresIn: faults.has('expires-in-86400') ? 86400 : faults.has('expires-in') ? 'lifetime' : undefined,
    octetStream: faults.has('content-type-octet-stream'),
    cacheControl: faults.has('no-cache-control')
      ? undefined
      : faults.has('cache-control-contradiction')
        ? 'no-store, public, max-age=3600'
        : 'no-store',
    pragma: faults.has('pragma-no-cache'),
    errorUri: faults.has('error-uri-valid') ? ERROR_URI.replace('Refer to ', '') : ERROR_URI,
    errorHtml: faults.has('error-content-type-html'),
    wwwAuthenticate: faults.has('www-authenticate'),
  } as const
}

export interface Issuer {
  /** A token for these claims (scope, aud and the rest), to `subject`, living `expiresIn` seconds. */
  sign(payload: Record<string, unknown>, subject: string, expiresIn: number): string
  success(h: Hapi.ResponseToolkit, accessToken: string): Hapi.ResponseObject
  oauthError(h: Hapi.ResponseToolkit, code: OAuthErrorCode, status: number, description?: string): Hapi.ResponseObject
}

export function tokenIssuer(opts: {
  line: Line
  faults: Set<string>
  /** Seconds a client-credentials token lives (CONFIG_SYSTEM_TOKEN_EXPIRY_SECONDS). */
  lifetime: number
  signWith: KeyObject
  publicKeyPem: string
}): Issuer {
  const shape = tokenShape(opts.faults)
  const res = responseShape(opts.faults)
  const desc = descriptions(opts.line)
  const many = (prefix: string) => Array.from({ length: 3000 }, (_, i) => `${prefix}${i}`)
  return {
    sign(payload, subject, expiresIn) {
      const header = b64url(JSON.stringify(shape.typ ? { alg: shape.alg, typ: 'JWT' } : { alg: shape.alg }))
      const iat = Math.floor(Date.now() / 1000 + shape.skewSeconds) * shape.unit
      // jsonwebtoken's claim order: payload, iat, exp, aud, iss, sub
      const { aud, ...rest } = payload
      const audience =
        shape.audience === 'docs'
          ? ['opencrvs.auth']
          : shape.audience === 'no-gateway'
            ? (aud as string[]).filter((a) => a !== 'opencrvs:gateway-user')
            : aud
      const claims = shape.huge
        ? { ...rest, scope: [...((rest.scope as string[] | undefined) ?? []), ...many('x.scope.')] }
        : rest
      const body = b64url(
        JSON.stringify({
          ...claims,
          iat,
          ...(shape.nbfAhead ? { nbf: iat + 3600 * shape.unit } : {}),
          exp: iat + (shape.lifetime ?? expiresIn) * shape.unit,
          aud: shape.huge ? [...(audience as string[]), ...many('x:aud-')] : audience,
          iss: shape.iss,
          sub: shape.subPerToken ? randomBytes(12).toString('hex') : subject,
        }),
      )
      const input = Buffer.from(`${header}.${body}`)
      const signature =
        shape.alg === 'none'
          ? ''
          : shape.alg === 'HS256'
            ? createHmac('sha256', opts.publicKeyPem).update(input).digest('base64url')
            : sign('sha256', input, opts.signWith).toString('base64url')
      return `${header}.${body}.${signature}`
    },
    success(h, accessToken) {
      const body: Record<string, unknown> = res.tokenType
        ? { access_token: accessToken, token_type: 'Bearer' }
        : { access_token: accessToken }
      if (res.expiresIn) body.expires_in = res.expiresIn === 'lifetime' ? opts.lifetime : res.expiresIn
      let r = res.octetStream
        ? h.response(Buffer.from(JSON.stringify(body))).type('application/octet-stream')
        : h.response(body)
      if (res.cacheControl) r = r.header('Cache-Control', res.cacheControl)
      if (res.pragma) r = r.header('Pragma', 'no-cache')
      return r
    },
    oauthError(h, code, status, description = desc[code]) {
      const body = { error: code, error_description: description, error_uri: res.errorUri }
      let r = h.response(body).code(status).header('Cache-Control', 'no-store')
      if (res.errorHtml) r = r.type('text/html')
      if (status === 401 && res.wwwAuthenticate) r = r.header('WWW-Authenticate', 'Basic realm="opencrvs"')
      return r
    },
  }
}
