/**
 * Methods on the token route: only POST issues tokens; OPTIONS and CORS reported as they are.
 */
import { check, finding, pass, violation, test } from '../fixtures/index.ts'
import { randomUUID } from 'node:crypto'
import { accessToken, errorCode, evidence, OAUTH_ERRORS, tokenRequest, type HttpExchange } from '../src/http/index.ts'
import { registerSecret } from '../src/redact/index.ts'
import { req } from '../src/requirements/catalogue.ts'

test(
  ...check(req('TOKEN-METHOD-01'), async ({ tokens, target, net }) => {
    const client = tokens.client(tokens.firstType())
    // a dummy secret, never the client's: a method that reads credentials refuses it (invalid_client), and these
    // URLs land in every log on the way
    const dummy = randomUUID()
    registerSecret(dummy, 'dummy secret for the method probes')
    const url = tokenRequest(target.tokenUrl, 'query', {
      client_id: client.id,
      client_secret: dummy,
      grant_type: 'client_credentials',
    }).url
    const answers = await Promise.all(
      ['GET', 'HEAD', 'PUT'].map((method) => net.send(`TOKEN-METHOD-01:${method}`, { method, url })),
    )
    const detail = answers.map((ex) => evidence(ex)).join('\n\n')
    const processed = (ex: HttpExchange) =>
      accessToken(ex) !== undefined ||
      OAUTH_ERRORS.includes(String(errorCode(ex))) ||
      (ex.request.method === 'HEAD' && (ex.status === 200 || ex.status === 401))
    const reading = answers.filter(processed)
    if (reading.length) {
      return violation(
        `${reading.map((ex) => `${ex.request.method} (HTTP ${ex.status})`).join(', ')} on the token route is handled as a token request: RFC 6749 §3.2 allows only POST, and a GET puts the secret in every log and browser history`,
        { detail },
      )
    }
    const statuses = answers.map((ex) => `${ex.request.method} ${ex.status}`).join(', ')
    const observed = Object.fromEntries(answers.map((ex) => [`methods.${ex.request.method}`, ex.status]))
    const odd = answers.filter((ex) => ex.status !== 404 && ex.status !== 405)
    if (odd.length)
      return violation(
        `${odd.map((ex) => `${ex.request.method} ${ex.status}`).join(', ')}: only POST is a token request, and any other method must be refused with 404 or 405`,
        { detail, observed },
      )
    return pass(`no token, no credential check: ${statuses}`, { detail, observed })
  }),
)

test(
  ...check(req('TOKEN-METHOD-02'), async ({ target, net }) => {
    const origin = 'https://conformance-kit.invalid'
    const ex = await net.send('TOKEN-METHOD-02', {
      method: 'OPTIONS',
      url: target.tokenUrl,
      headers: { origin, 'access-control-request-method': 'POST' },
    })
    const acao = ex.headers['access-control-allow-origin']
    const facts = `OPTIONS from an unlisted origin: HTTP ${ex.status}; access-control-allow-origin ${acao ?? '(absent)'}`
    if (acao === '*' || acao === origin) {
      return finding(
        'INFO',
        `${facts}: browsers on any site may call the token endpoint. Client credentials belong on servers, not in browsers, so a CORS allowance here is unneeded`,
        { detail: evidence(ex, { headers: ['access-control-allow-origin', 'access-control-allow-methods', 'vary'] }) },
      )
    }
    return finding(
      'INFO',
      `${facts}: browsers on other sites cannot read token responses (v1.x allows its own login/register/countryconfig origins; v2.0 has CORS off)`,
      {
        detail: evidence(ex, { headers: ['access-control-allow-origin', 'access-control-allow-methods', 'vary'] }),
      },
    )
  }),
)
