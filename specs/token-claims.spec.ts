/**
 * The token's claims, per release profile: iss, aud, sub, scope, userType, iat/exp units and clock,
 * no secret in any claim, and claims beyond the release's set.
 */
import { check, finding, pass, skip, violation, test } from '../fixtures/index.ts'
import { decodedPrimary } from '../fixtures/tokens.ts'
import { compareScopes, expectedScopes, scopeSets } from '../fixtures/scopes.ts'
import { MS_THRESHOLD, tokenView } from '../src/jwt/index.ts'
import { evidence } from '../src/http/index.ts'
import { secretForms } from '../src/redact/index.ts'
import { listed } from '../src/redact/neutral.ts'
import { CLIENT_TYPES, expectedAudience, scopeMatches, type ClientType } from '../src/profiles/profiles.ts'
import { req } from '../src/requirements/catalogue.ts'

const GATEWAY_AUD = 'opencrvs:gateway-user'

test(
  ...check(req('JWT-CLM-01'), async ({ tokens, profile }) => {
    const { decoded } = await decodedPrimary(tokens)
    const iss = decoded.claims.iss
    if (iss === profile.jwt.iss) return pass(`iss ${JSON.stringify(iss)}`)
    const docs = iss === 'opencrvs.auth' ? ' ("opencrvs.auth" is the docs example, which no release issues)' : ''
    return violation(
      `iss is ${JSON.stringify(iss)}${docs}; the gateway only accepts "${profile.jwt.iss}", so every API call with this token is refused`,
      {
        detail: tokenView(decoded),
      },
    )
  }),
)

test(
  ...check(req('JWT-CLM-02'), async ({ tokens, profile }) => {
    const outcomes: string[] = []
    const extras: string[] = []
    for (const type of tokens.configuredTypes()) {
      const { decoded } = await decodedPrimary(tokens, type)
      const aud = decoded.claims.aud
      if (!Array.isArray(aud))
        return violation(`${type}: aud is ${JSON.stringify(aud)}, not the array every release issues`, {
          detail: tokenView(decoded),
        })
      const scopes = Array.isArray(decoded.claims.scope) ? decoded.claims.scope.map(String) : []
      const expected = expectedAudience(profile, scopes)
      const missing = expected.filter((a) => !aud.includes(a))
      if (missing.length) {
        const gateway = missing.includes(GATEWAY_AUD)
          ? ` Without ${GATEWAY_AUD} the gateway refuses the token (401).`
          : ''
        return violation(`${type}: aud lacks ${listed(missing)}.${gateway}`, {
          detail: `expected (${profile.label}): ${expected.join(', ')}\n${tokenView(decoded)}`,
        })
      }
      const extra = aud.filter((a) => !expected.includes(String(a)))
      if (extra.length) extras.push(`${type}: ${listed(extra)}`)
      outcomes.push(`${type} ${aud.length} entries`)
    }
    if (!outcomes.length) return skip('no client configured')
    if (extras.length)
      return finding(
        'INFO',
        `aud has every expected entry, and more than ${profile.label} issues: ${extras.join('; ')}`,
      )
    return pass(`aud is ${profile.label}'s list, with ${GATEWAY_AUD} (${outcomes.join(', ')})`)
  }),
)

test(
  ...check(req('JWT-CLM-03'), async ({ tokens, profile }) => {
    const types = tokens.configuredTypes()
    const subs = new Map<ClientType, string>()
    for (const type of types) {
      const { decoded, client } = await decodedPrimary(tokens, type)
      const sub = decoded.claims.sub
      if (typeof sub !== 'string' || sub === '')
        return violation(`${type}: sub is ${JSON.stringify(sub)}, not a non-empty string`, {
          detail: tokenView(decoded),
        })
      const isClientId = sub === client.id
      if (profile.jwt.sub === 'client-id' && !isClientId)
        return violation(`${type}: sub is not the client_id; in ${profile.label} sub is the client's id`, {
          detail: tokenView(decoded),
        })
      if (profile.jwt.sub === 'system-id' && isClientId) {
        return violation(
          `${type}: sub equals the client_id; in ${profile.label} sub is the system's database id, not the client_id`,
          { detail: tokenView(decoded) },
        )
      }
      subs.set(type, sub)
    }
    const first = types[0]
    if (!first) return skip('no client configured')
    const again = await tokens.second(first)
    if (again.decoded && again.decoded.claims.sub !== subs.get(first)) {
      return violation(`${first}: two tokens of one client carry different sub values; sub must identify the client`, {
        detail: `${tokenView(again.decoded)}`,
      })
    }
    const values = [...subs.values()]
    if (new Set(values).size !== values.length)
      return violation('two different clients received the same sub; sub must tell clients apart', {
        detail: [...subs].map(([t, s]) => `${t}: ${s}`).join('\n'),
      })
    const rule =
      profile.jwt.sub === 'client-id' ? 'equal to the client_id' : 'the system database id, not the client_id'
    // stability needs a second token: without one, what was shown is said, and a person looks at the rest
    if (!again.decoded)
      return finding(
        'REVIEW',
        `sub is ${rule} (${profile.label}) and distinct between ${types.length} client(s), but its stability could not be shown: the second token request got HTTP ${again.exchange.status}, no token`,
        { detail: evidence(again.exchange) },
      )
    return pass(
      `sub is ${rule} (${profile.label}), stable across two tokens, distinct between ${types.length} client(s)`,
      {
        detail: [...subs].map(([t, s]) => `${t}: sub ${s}`).join('\n'),
      },
    )
  }),
)

test(
  ...check(req('JWT-CLM-04'), async ({ tokens, target, profile }) => {
    const sets = await scopeSets(tokens)
    const sideBySide = [...sets]
      .map(
        ([t, s]) =>
          `${t} (${CLIENT_TYPES[t].opencrvsType}): ${
            s.length > 20
              ? `[${listed(
                  s.map((x) => JSON.stringify(x)),
                  20,
                )}]`
              : JSON.stringify(s)
          }`,
      )
      .join('\n')
    const problems: string[] = []
    const checked: string[] = []
    const unchecked: string[] = []
    for (const [type] of sets) {
      const { decoded } = await decodedPrimary(tokens, type)
      if (!Array.isArray(decoded.claims.scope) || decoded.claims.scope.some((s) => typeof s !== 'string')) {
        problems.push(`${type}: scope is ${JSON.stringify(decoded.claims.scope)}, not an array of strings`)
        continue
      }
      const expected = expectedScopes(target, profile, type)
      if (!expected) {
        unchecked.push(`${type} (no defaults in ${profile.label}: set OPENCRVS_${type}_CLIENT_SCOPES)`)
        continue
      }
      const { missing, extra } = compareScopes(expected.patterns, sets.get(type)!)
      for (const s of extra) {
        const owner = [...sets.keys()].find(
          (other) => other !== type && expectedScopes(target, profile, other)?.patterns.some((p) => scopeMatches(p, s)),
        )
        const demo =
          s === 'demo' ? ' ("demo" is added when the deployment runs with NODE_ENV=development or QA_ENV)' : ''
        problems.push(
          `${type} token carries ${JSON.stringify(s)}${owner ? `, a scope of the ${CLIENT_TYPES[owner].label} type (${owner})` : ''}, not in ${expected.from}${demo}`,
        )
      }
      for (const p of missing) problems.push(`${type} token lacks ${JSON.stringify(p)} (${expected.from})`)
      checked.push(type)
    }
    if (problems.length) {
      return violation(listed(problems, 5, '; '), {
        detail: `Scope sets side by side:\n${sideBySide}`,
        fix: 'Check the client type and permissions in OpenCRVS (Team > System clients / Integrations); if the deployment deliberately differs, declare the set in OPENCRVS_<TYPE>_CLIENT_SCOPES.',
      })
    }
    if (!checked.length)
      return skip(unchecked.length ? `no expected scope set: ${unchecked.join('; ')}` : 'no client configured')
    return pass(
      `each token carries exactly its type's scopes (${checked.join(', ')})${unchecked.length ? `; not checked: ${unchecked.join('; ')}` : ''}`,
      {
        detail: `Scope sets side by side:\n${sideBySide}`,
      },
    )
  }),
)

test(
  ...check(req('JWT-CLM-05'), async ({ tokens, profile }) => {
    const { decoded } = await decodedPrimary(tokens)
    const userType = decoded.claims.userType
    if (profile.jwt.userType === null) {
      return userType === undefined
        ? pass(`no userType claim, as in ${profile.label}`)
        : finding('INFO', `userType ${JSON.stringify(userType)} is present, which ${profile.label} does not send`)
    }
    if (userType === profile.jwt.userType) return pass(`userType ${JSON.stringify(userType)}`)
    return violation(
      `userType is ${userType === undefined ? 'absent' : JSON.stringify(userType)}; ${profile.label} issues "${profile.jwt.userType}" and its services tell system clients from users by it`,
      {
        detail: tokenView(decoded),
      },
    )
  }),
)

test(
  ...check(req('JWT-CLM-06'), async ({ tokens }) => {
    const { decoded } = await decodedPrimary(tokens)
    const { iat, exp } = decoded.claims
    for (const [name, v] of [
      ['iat', iat],
      ['exp', exp],
    ] as const) {
      if (v === undefined) return violation(`${name} is absent`, { detail: tokenView(decoded) })
      if (typeof v !== 'number' || !Number.isFinite(v))
        return violation(`${name} is ${JSON.stringify(v)}, not a number (NumericDate)`, { detail: tokenView(decoded) })
      if (v > MS_THRESHOLD)
        return violation(
          `${name} is ${v}, which is milliseconds, not seconds: verifiers will read a date thousands of years ahead`,
          { detail: tokenView(decoded) },
        )
    }
    if ((exp as number) <= (iat as number))
      return violation(`exp (${exp}) is not after iat (${iat})`, { detail: tokenView(decoded) })
    return pass(
      `iat ${new Date((iat as number) * 1000).toISOString()}, exp ${new Date((exp as number) * 1000).toISOString()} (seconds)`,
    )
  }),
)

test(
  ...check(req('JWT-CLM-07'), async ({ tokens, target }) => {
    const a = await decodedPrimary(tokens)
    const iat = a.decoded.claims.iat
    if (typeof iat !== 'number' || iat > MS_THRESHOLD)
      return skip('iat is not a NumericDate in seconds (see JWT-CLM-06)')
    const dateHeader = a.exchange.headers.date
    const serverMs = dateHeader ? Date.parse(dateHeader) : NaN
    // the kit's clock at the moment the answer arrived
    const local = Math.floor(a.receivedAt / 1000)
    const leeway = target.leewaySeconds
    const vsLocal = iat - local
    const way = (s: number) => `${Math.abs(s)} s ${s > 0 ? 'ahead of' : 'behind'}`
    const effect = (s: number) => (s > 0 ? 'may be rejected as not yet valid' : 'expire early')
    const fix = 'Synchronise the clocks of the auth service host and of the proxy in front (NTP).'
    if (Number.isNaN(serverMs)) {
      const facts = `iat ${iat} (${new Date(iat * 1000).toISOString()}); no usable Date header (${dateHeader ?? 'absent'}), so compared with this machine's clock: iat - clock = ${vsLocal} s; leeway ${leeway} s`
      if (Math.abs(vsLocal) <= leeway)
        return pass(
          `iat is ${vsLocal} s from this machine's clock (no Date header to compare with; leeway ${leeway} s)`,
          { detail: facts },
        )
      return violation(
        `iat is ${way(vsLocal)} this machine's clock (the answer had no Date header): tokens ${effect(vsLocal)}`,
        { detail: facts, fix },
      )
    }
    const server = Math.floor(serverMs / 1000)
    const vsDate = iat - server
    const dateVsLocal = server - local
    const facts = `iat ${iat} (${new Date(iat * 1000).toISOString()}), server Date ${dateHeader}: iat - Date = ${vsDate} s; iat - this machine's clock = ${vsLocal} s; Date - this machine's clock = ${dateVsLocal} s; leeway ${leeway} s`
    const iatOk = Math.abs(vsLocal) <= leeway
    const dateOk = Math.abs(dateVsLocal) <= leeway
    if (iatOk && dateOk)
      return pass(
        `iat is ${vsDate} s from the server's Date header and ${vsLocal} s from this machine's clock (leeway ${leeway} s)`,
        { detail: facts },
      )
    if (iatOk)
      return pass(
        `iat agrees with this machine's clock (${vsLocal} s); the Date header is ${way(dateVsLocal)} it: the clock of whatever answered (a proxy?) is off, not iat`,
        { detail: facts, fix },
      )
    if (Math.abs(vsDate) <= leeway) {
      return violation(
        `the server's clock is ${way(dateVsLocal)} this machine's: its Date header and the token's iat agree with each other, not with the time, so tokens ${effect(vsLocal)} at services with a correct clock`,
        { detail: facts, fix },
      )
    }
    return violation(
      `iat is ${way(vsDate)} the server's own Date header (and ${way(vsLocal)} this machine's clock): the token service's clock (or its iat) is off, so tokens ${effect(vsDate)}`,
      { detail: facts, fix },
    )
  }),
)

test(
  ...check(req('JWT-CLM-08'), async ({ tokens }) => {
    const checked: string[] = []
    for (const type of tokens.configuredTypes()) {
      const { decoded, client } = await decodedPrimary(tokens, type)
      // the secret in any encoding (raw, JSON-escaped, URL-encoded, base64, base64url), in the header or a claim
      const forms = secretForms(client.secret)
      const holders = [...Object.entries(decoded.header), ...Object.entries(decoded.claims)]
        .filter(([, v]) => forms.some((f) => JSON.stringify(v).includes(f)))
        .map(([k]) => k)
      if (holders.length) {
        return violation(
          `the ${type.toLowerCase()} token carries its client secret in ${listed(holders)}: JWT claims are readable by anyone who sees the token`,
          {
            fix: 'Rotate this client secret now (Refresh client secret), and remove the secret from the token claims.',
          },
        )
      }
      checked.push(type)
    }
    if (!checked.length) return skip('no client configured')
    return pass(`no header field or claim holds the client secret (${checked.join(', ')})`)
  }),
)

test(
  ...check(req('JWT-CLM-09'), async ({ tokens, profile }) => {
    const { decoded } = await decodedPrimary(tokens)
    const known = ['scope', 'iat', 'exp', 'aud', 'iss', 'sub', ...(profile.jwt.userType ? ['userType'] : [])]
    const extra = Object.keys(decoded.claims).filter((c) => !known.includes(c))
    if (!extra.length)
      return pass(`claims are exactly ${profile.label}'s set: ${Object.keys(decoded.claims).join(', ')}`)
    return finding('INFO', `claims beyond ${profile.label}'s set: ${listed(extra)}`, { detail: tokenView(decoded) })
  }),
)
