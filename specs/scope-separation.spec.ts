/**
 * Scope separation between client types: in the tokens, and at the door. Every probe is refused before any
 * side effect, and has a positive control (the right client type is refused only by validation) proving the
 * refusal is the scope check's. Read-only: no probe body can ever be valid.
 */
import { check, finding, pass, skip, violation, test } from '../fixtures/index.ts'
import { expectedScopes, scopeSets } from '../fixtures/scopes.ts'
import { NO_GATEWAY, SEE_GATEWAY_01, SEE_TLS_02, scopeControlRoute, type GatewayStore } from '../fixtures/gateway.ts'
import { decodedPrimary, type TokenStore } from '../fixtures/tokens.ts'
import type { Net } from '../fixtures/kit.ts'
import type { Target } from '../src/config/index.ts'
import { evidence } from '../src/http/index.ts'
import { CLIENT_TYPES, scopeMatches, type ClientType, type Profile, type ScopeProbe } from '../src/profiles/profiles.ts'
import { req } from '../src/requirements/catalogue.ts'
import { listed } from '../src/redact/neutral.ts'

/**
 * The scopes a type may not carry: the other type's, by the release's own patterns as well as by what the operator
 * declared (OPENCRVS_<TYPE>_CLIENT_SCOPES): a declared set names what a client has, and never blinds the separation.
 */
function mayNotCarry(target: Target, profile: Profile, holder: ClientType, other: ClientType): string[] {
  const own = profile.defaultScopes[holder] ?? []
  const theirs = [...(profile.defaultScopes[other] ?? []), ...(expectedScopes(target, profile, other)?.patterns ?? [])]
  return [...new Set(theirs)].filter((p) => !own.includes(p))
}

test(
  ...check(req('SCOPE-01'), async ({ tokens, target, profile }) => {
    const types = tokens.configuredTypes()
    if (!types.includes('NOTIFICATION') || !types.includes('SEARCH'))
      return skip(
        'needs both a notification and a search client: set OPENCRVS_NOTIFICATION_CLIENT_ID/_SECRET and OPENCRVS_SEARCH_CLIENT_ID/_SECRET',
      )
    const sets = await scopeSets(tokens)
    // a type without a token: SKIPPED with its reason (scopeSets holds only the tokens obtained)
    for (const t of ['NOTIFICATION', 'SEARCH'] as const) if (!sets.has(t)) await decodedPrimary(tokens, t)
    const notification = sets.get('NOTIFICATION')!
    const search = sets.get('SEARCH')!
    const sideBySide = `NOTIFICATION (HEALTH): ${JSON.stringify(notification)}\nSEARCH (RECORD_SEARCH): ${JSON.stringify(search)}`
    const crossings: string[] = []
    for (const [holder, own, other] of [
      ['NOTIFICATION', notification, 'SEARCH'],
      ['SEARCH', search, 'NOTIFICATION'],
    ] as const) {
      const otherPatterns = mayNotCarry(target, profile, holder, other)
      for (const s of own) {
        const shared = (holder === 'NOTIFICATION' ? search : notification).includes(s)
        if (shared || otherPatterns.some((p) => scopeMatches(p, s)))
          crossings.push(
            `the ${CLIENT_TYPES[holder].label} token carries ${JSON.stringify(s)}, a ${CLIENT_TYPES[other].label} scope`,
          )
      }
    }
    if (crossings.length) {
      return violation(listed([...new Set(crossings)], 5, '; '), {
        detail: `Scope sets side by side:\n${sideBySide}`,
        fix: 'Give each integration its own client of the right type; a record-search client must not be able to notify events, nor the other way round.',
      })
    }
    return pass("the notification and search tokens share no scope, and neither carries the other type's", {
      detail: `Scope sets side by side:\n${sideBySide}`,
    })
  }),
)

async function probeAt(net: Net, target: Target, tokens: TokenStore, gateway: GatewayStore, probe: ScopeProbe) {
  const right = `${CLIENT_TYPES[probe.rightClient].label} client's`
  const wrong = `${CLIENT_TYPES[probe.wrongClient].label} client's`
  // the control first: it is shared with GATEWAY-01 and the door probes, and without it a refusal proves nothing
  const control = await gateway.control(scopeControlRoute(probe))
  if (control.state === 'service') return skip(SEE_GATEWAY_01)
  if (control.state === 'tls') return skip(SEE_TLS_02(control.reason))
  if (control.state === 'token-refused')
    return skip(`no scope decision can be observed: ${control.reason} (see GATEWAY-01)`)
  const { compact } = await decodedPrimary(tokens, probe.wrongClient)
  const refused = await net.send(`scope:${probe.wrongClient}:${probe.method} ${probe.path}`, {
    method: probe.method,
    url: `${target.gatewayUrl}${probe.path}`,
    headers: { authorization: `Bearer ${compact}`, 'content-type': 'application/json' },
    body: probe.body,
  })
  const detail = `${CLIENT_TYPES[probe.wrongClient].label} token (must be refused ${probe.refusedStatus}):\n${evidence(refused)}\n\n${CLIENT_TYPES[probe.rightClient].label} token (control, must reach validation: ${probe.controlStatus}):\n${evidence(control.exchange)}`
  if (refused.status >= 200 && refused.status < 300) {
    return violation(
      `the ${wrong} token was accepted at ${probe.method} ${probe.path} (HTTP ${refused.status}): the scope check is missing`,
      { detail },
    )
  }
  if (control.state === 'ok' && refused.status === probe.controlStatus) {
    return violation(
      `the ${wrong} token got past the scope check at ${probe.method} ${probe.path}: it was stopped only by payload validation (HTTP ${refused.status}, like the ${right} token), so a valid payload would have been processed`,
      {
        detail,
        fix: "Restore the route's scope requirement (v1.x gateway route auth.scope; v2.0 events authorization middleware).",
      },
    )
  }
  if (control.state === 'unexpected') {
    const status = control.exchange.status
    return violation(
      `the positive control failed: ${control.reason}, so the probe cannot show that a refusal is the scope check's${status === probe.refusedStatus ? ', and the client type that should be allowed is refused' : ''}`,
      { detail },
    )
  }
  if (refused.status !== probe.refusedStatus)
    return violation(
      `the ${wrong} token got HTTP ${refused.status} at ${probe.method} ${probe.path}, not ${probe.refusedStatus}`,
      { detail },
    )
  return pass(
    `${probe.method} ${probe.path}: the ${wrong} token is refused ${refused.status} before validation; the ${right} token reaches validation (${control.exchange.status}). Nothing was written`,
    { detail },
  )
}

async function scopeCheck(
  net: Net,
  target: Target,
  tokens: TokenStore,
  gateway: GatewayStore,
  probe: ScopeProbe | string,
) {
  if (typeof probe === 'string') return finding('REVIEW', probe)
  if (!target.gatewayUrl) return skip(NO_GATEWAY)
  for (const t of [probe.wrongClient, probe.rightClient]) tokens.client(t) // SKIPPED, naming the variable, when missing
  return probeAt(net, target, tokens, gateway, probe)
}

test(
  ...check(
    req('SCOPE-02'),
    async ({ target, tokens, gateway, profile, net }) =>
      scopeCheck(net, target, tokens, gateway, profile.scopeProbes.notification),
    { tag: ['@probe'] },
  ),
)
test(
  ...check(
    req('SCOPE-03'),
    async ({ target, tokens, gateway, profile, net }) =>
      scopeCheck(net, target, tokens, gateway, profile.scopeProbes.search),
    { tag: ['@probe'] },
  ),
)
