/**
 * The token's claims, per release profile: iss, aud, sub, scope, userType, iat/exp units and clock,
 * no secret in any claim, and claims beyond the release's set.
 */
import { check, finding, pass, skip, violation, test } from '../fixtures/index.ts'
import { decodedEach, decodedPrimary, type DecodedAttempt } from '../fixtures/tokens.ts'
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
    const each = await decodedEach(tokens)
    const bad = each.filter((a) => a.decoded.claims.iss !== profile.jwt.iss)
    if (!bad.length) return pass(`iss ${JSON.stringify(profile.jwt.iss)} (${each.map((a) => a.type).join(', ')})`)
    const said = bad.map(({ type, decoded: { claims } }) => {
      const docs =
        claims.iss === 'opencrvs.auth' ? ' ("opencrvs.auth" is the docs example, which no release issues)' : ''
      return `${type} token: iss is ${JSON.stringify(claims.iss)}${docs}`
    })
    return violation(
      `${said.join('; ')}; the gateway only accepts "${profile.jwt.iss}", so every API call with ${bad.length > 1 ? 'these tokens' : 'this token'} is refused`,
      { detail: bad.map((x) => tokenView(x.decoded)).join('\n') },
    )
  }),
)

test(
  ...check(req('JWT-CLM-02'), async ({ tokens, profile }) => {
    const outcomes: string[] = []
    const extras: string[] = []
    for (const { decoded, type } of await decodedEach(tokens)) {
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
    const each = await decodedEach(tokens)
    const types = each.map((a) => a.type)
    const subs = new Map<ClientType, string>()
    for (const { decoded, client, type } of each) {
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
    const each = await decodedEach(tokens)
    const types = each.map((a) => a.type).join(', ')
    const want = profile.jwt.userType
    if (want === null) {
      const sent = each.filter((a) => a.decoded.claims.userType !== undefined)
      if (!sent.length) return pass(`no userType claim, as in ${profile.label} (${types})`)
      const which = sent.map((a) => `${a.type}: ${JSON.stringify(a.decoded.claims.userType)}`).join('; ')
      return finding('INFO', `userType is present (${which}), which ${profile.label} does not send`)
    }
    const bad = each.filter((a) => a.decoded.claims.userType !== want)
    if (!bad.length) return pass(`userType ${JSON.stringify(want)} (${types})`)
    const said = bad.map(({ type, decoded: { claims } }) => {
      const v = claims.userType
      return `${type} token: userType is ${v === undefined ? 'absent' : JSON.stringify(v)}`
    })
    return violation(
      `${said.join('; ')}; ${profile.label} issues "${want}" and its services tell system clients from users by it`,
      { detail: bad.map((x) => tokenView(x.decoded)).join('\n') },
    )
  }),
)

/** What is wrong with a token's iat and exp as NumericDates in seconds, or nothing. */
function datesWrong(claims: Record<string, unknown>): string | undefined {
  const { iat, exp } = claims
  for (const [name, v] of [
    ['iat', iat],
    ['exp', exp],
  ] as const) {
    if (v === undefined) return `${name} is absent${name === 'exp' ? ': the token never expires' : ''}`
    if (typeof v !== 'number' || !Number.isFinite(v))
      return `${name} is ${JSON.stringify(v)}, not a number (NumericDate)`
    if (v > MS_THRESHOLD)
      return `${name} is ${v}, which is milliseconds, not seconds: verifiers will read a date thousands of years ahead`
  }
  if ((exp as number) <= (iat as number)) return `exp (${exp}) is not after iat (${iat})`
  return undefined
}

test(
  ...check(req('JWT-CLM-06'), async ({ tokens }) => {
    const each = await decodedEach(tokens)
    const bad = each.flatMap((a) => {
      const why = datesWrong(a.decoded.claims)
      return why ? [{ ...a, why }] : []
    })
    if (bad.length)
      return violation(bad.map((a) => `${a.type} token: ${a.why}`).join('; '), {
        detail: bad.map((a) => tokenView(a.decoded)).join('\n'),
      })
    const when = (v: unknown) => new Date((v as number) * 1000).toISOString()
    return pass(
      `${each
        .map(({ type, decoded: { claims } }) => `${type}: iat ${when(claims.iat)}, exp ${when(claims.exp)}`)
        .join('; ')} (seconds)`,
    )
  }),
)

type ClockJudgement = { ok: boolean; reason: string; detail: string; fix?: string }
const CLOCK_FIX = 'Synchronise the clocks of the auth service host and of the proxy in front (NTP).'

/** One token's iat against its answer's Date header and this machine's clock (when the answer arrived). */
function judgeClock(a: DecodedAttempt, leeway: number): ClockJudgement {
  const iat = a.decoded.claims.iat as number
  const dateHeader = a.exchange.headers.date
  const serverMs = dateHeader ? Date.parse(dateHeader) : NaN
  const local = Math.floor(a.receivedAt / 1000)
  const vsLocal = iat - local
  const way = (s: number) => `${Math.abs(s)} s ${s > 0 ? 'ahead of' : 'behind'}`
  const effect = (s: number) => (s > 0 ? 'may be rejected as not yet valid' : 'expire early')
  const fix = CLOCK_FIX
  if (Number.isNaN(serverMs)) {
    const detail = `iat ${iat} (${new Date(iat * 1000).toISOString()}); no usable Date header (${dateHeader ?? 'absent'}), so compared with this machine's clock: iat - clock = ${vsLocal} s; leeway ${leeway} s`
    if (Math.abs(vsLocal) <= leeway)
      return {
        ok: true,
        reason: `iat is ${vsLocal} s from this machine's clock (no Date header to compare with; leeway ${leeway} s)`,
        detail,
      }
    return {
      ok: false,
      reason: `iat is ${way(vsLocal)} this machine's clock (the answer had no Date header): tokens ${effect(vsLocal)}`,
      detail,
      fix,
    }
  }
  const server = Math.floor(serverMs / 1000)
  const vsDate = iat - server
  const dateVsLocal = server - local
  const detail = `iat ${iat} (${new Date(iat * 1000).toISOString()}), server Date ${dateHeader}: iat - Date = ${vsDate} s; iat - this machine's clock = ${vsLocal} s; Date - this machine's clock = ${dateVsLocal} s; leeway ${leeway} s`
  const iatOk = Math.abs(vsLocal) <= leeway
  if (iatOk && Math.abs(dateVsLocal) <= leeway)
    return {
      ok: true,
      reason: `iat is ${vsDate} s from the server's Date header and ${vsLocal} s from this machine's clock (leeway ${leeway} s)`,
      detail,
    }
  if (iatOk)
    return {
      ok: true,
      reason: `iat agrees with this machine's clock (${vsLocal} s); the Date header is ${way(dateVsLocal)} it: the clock of whatever answered (a proxy?) is off, not iat`,
      detail,
      fix,
    }
  if (Math.abs(vsDate) <= leeway)
    return {
      ok: false,
      reason: `the server's clock is ${way(dateVsLocal)} this machine's: its Date header and the token's iat agree with each other, not with the time, so tokens ${effect(vsLocal)} at services with a correct clock`,
      detail,
      fix,
    }
  return {
    ok: false,
    reason: `iat is ${way(vsDate)} the server's own Date header (and ${way(vsLocal)} this machine's clock): the token service's clock (or its iat) is off, so tokens ${effect(vsDate)}`,
    detail,
    fix,
  }
}

test(
  ...check(req('JWT-CLM-07'), async ({ tokens, target }) => {
    const each = await decodedEach(tokens)
    const unusable = each.find(({ decoded: { claims } }) => typeof claims.iat !== 'number' || claims.iat > MS_THRESHOLD)
    if (unusable) return skip(`the ${unusable.type} token's iat is not a NumericDate in seconds (see JWT-CLM-06)`)
    const judged = each.map((a) => ({ type: a.type, ...judgeClock(a, target.leewaySeconds) }))
    const said = (j: (typeof judged)[number]) => `${j.type} token: ${j.reason}`
    const detail = judged.map((j) => `${j.type}: ${j.detail}`).join('\n')
    const bad = judged.filter((j) => !j.ok)
    if (bad.length) return violation(bad.map(said).join('; '), { detail, fix: CLOCK_FIX })
    const fix = judged.find((j) => j.fix)?.fix
    return pass(judged.map(said).join('; '), { detail, ...(fix ? { fix } : {}) })
  }),
)

test(
  ...check(req('JWT-CLM-08'), async ({ tokens }) => {
    const checked: string[] = []
    for (const { decoded, client, type } of await decodedEach(tokens)) {
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
    const each = await decodedEach(tokens)
    const known = ['scope', 'iat', 'exp', 'aud', 'iss', 'sub', ...(profile.jwt.userType ? ['userType'] : [])]
    const extras = each.flatMap(({ type, decoded }) => {
      const extra = Object.keys(decoded.claims).filter((c) => !known.includes(c))
      return extra.length ? [{ type, extra, decoded }] : []
    })
    if (!extras.length)
      return pass(
        `claims are exactly ${profile.label}'s set: ${Object.keys(each[0]!.decoded.claims).join(', ')} (${each.map((a) => a.type).join(', ')})`,
      )
    return finding(
      'INFO',
      `claims beyond ${profile.label}'s set: ${extras.map((x) => `${x.type} token: ${listed(x.extra)}`).join('; ')}`,
      { detail: extras.map((x) => tokenView(x.decoded)).join('\n') },
    )
  }),
)

test(
  ...check(req('JWT-CLM-10'), async ({ tokens, target }) => {
    const each = await decodedEach(tokens)
    const leeway = target.leewaySeconds
    const carrying = each.filter((a) => a.decoded.claims.nbf !== undefined)
    if (!carrying.length)
      return pass(`no nbf claim (${each.map((a) => a.type).join(', ')}): the token is valid from iat`)
    const problems = carrying.flatMap(({ type, decoded: { claims } }) => {
      const { nbf, iat } = claims
      if (typeof nbf !== 'number' || !Number.isFinite(nbf) || nbf > MS_THRESHOLD)
        return [`${type} token: nbf is ${JSON.stringify(nbf)}, not a NumericDate in seconds`]
      if (typeof iat === 'number' && nbf - iat > leeway)
        return [`${type} token: nbf is ${nbf - iat} s after iat (leeway ${leeway} s)`]
      return []
    })
    if (problems.length)
      return violation(
        `${problems.join('; ')}: the gateway's verifier enforces nbf, so every API call with the token is refused until then`,
        {
          detail: carrying.map((a) => tokenView(a.decoded)).join('\n'),
          fix: 'No OpenCRVS release sends nbf: find what adds it (a token proxy, a patched auth service) and remove it, or make nbf equal iat.',
        },
      )
    return pass(`nbf is no later than iat within the leeway (${carrying.map((a) => a.type).join(', ')})`)
  }),
)
