/**
 * Documentation errata, reported as named WARNINGs: where the OpenCRVS docs ("Authenticate a client") disagree
 * with the tokens every release really issues. Not a failure of the deployment.
 */
import { check, pass, skip, violation, test } from '../fixtures/index.ts'
import { decodedPrimary } from '../fixtures/tokens.ts'
import { req } from '../src/requirements/catalogue.ts'
import { listed } from '../src/redact/neutral.ts'

test(
  ...check(req('DOCS-01'), async ({ tokens }) => {
    const { decoded } = await decodedPrimary(tokens)
    const { iss, aud } = decoded.claims
    if (iss === 'opencrvs.auth' && JSON.stringify(aud) === '["opencrvs.auth"]')
      return pass("the tokens match the docs' example claims")
    const audText = Array.isArray(aud)
      ? `${aud.length} entries (${aud.includes('opencrvs:gateway-user') ? 'with' : 'without'} opencrvs:gateway-user)`
      : JSON.stringify(aud)
    return violation(
      `the docs show iss "opencrvs.auth" and aud ["opencrvs.auth"]; real tokens carry iss ${JSON.stringify(iss)} and aud ${audText}`,
      {
        detail:
          'An integrator who validates tokens by the documented example rejects every real token. Validate iss "opencrvs:auth-service" and an aud containing your service\'s opencrvs:*-user entry (the gateway requires opencrvs:gateway-user).',
      },
    )
  }),
)

test(
  ...check(req('DOCS-02'), async ({ tokens }) => {
    const type = tokens.configuredTypes().includes('NOTIFICATION') ? 'NOTIFICATION' : undefined
    if (!type) return skip('no notification client configured: set OPENCRVS_NOTIFICATION_CLIENT_ID and _SECRET')
    const { decoded } = await decodedPrimary(tokens, type)
    const scopes = Array.isArray(decoded.claims.scope) ? decoded.claims.scope.map(String) : []
    const documented = ['health', 'nationalId', 'ageCheck']
    if (scopes.length && scopes.every((s) => documented.includes(s)))
      return pass(`the notification client's scopes use the documented names: ${scopes.join(', ')}`)
    return violation(
      `the docs list approved scopes "health, nationalId, ageCheck"; this release's event-notification client carries ${listed(scopes.map((s) => JSON.stringify(s)))}`,
      {
        detail:
          'Integrators configuring scope checks from the docs will not find these names. Use the scope names each release issues (v1.x: notification-api, recordsearch, ...; v1.9 adds record.*[event=...]; v2.0 uses type=record.*&event=...).',
      },
    )
  }),
)
