/**
 * Client lifecycle, proven from credentials the operator supplies after acting in OpenCRVS: a rotated
 * secret, a deleted client, a re-enabled client, and credentials that must all be dead.
 */
import { check, finding, pass, skip, violation, test } from '../fixtures/index.ts'
import { compareScopes, expectedScopes } from '../fixtures/scopes.ts'
import type { TokenAttempt } from '../fixtures/tokens.ts'
import { answerMismatch } from '../fixtures/probes.ts'
import { evidence } from '../src/http/index.ts'
import { CLIENT_TYPES, type ClientType } from '../src/profiles/profiles.ts'
import { req } from '../src/requirements/catalogue.ts'

const SYSTEM_CLIENTS = 'in OpenCRVS, Team > System clients (v2.0: Settings > Integrations)'

/** What is wrong with an answer that must be 401 invalid_client with no token, or null. */
const refusal = (a: TokenAttempt, what: string) =>
  answerMismatch(a.exchange, what, { error: 'invalid_client', status: 401 })

test(
  ...check(req('CLIENT-ROTATE-01'), async ({ target, tokens }) => {
    const r = target.lifecycle.rotated
    if (!r) {
      return skip(
        `to check it: ${SYSTEM_CLIENTS}, choose a client and "Refresh client secret"; set OPENCRVS_ROTATED_CLIENT_ID, OPENCRVS_ROTATED_CLIENT_OLD_SECRET (the secret before) and OPENCRVS_ROTATED_CLIENT_SECRET (the new one, shown once)`,
      )
    }
    const old = await tokens.tryCredentials(r.id, r.oldSecret)
    const fresh = await tokens.tryCredentials(r.id, r.secret)
    const detail = `old secret:\n${evidence(old.exchange)}\n\nnew secret:\n${evidence(fresh.exchange)}`
    const problem = refusal(old, 'the old secret')
    if (problem)
      return violation(`${problem}: after a refresh the old secret must stop working at once`, {
        detail,
        fix: 'Refresh the secret again and check that the auth service uses the credential store the admin UI writes to.',
      })
    if (!fresh.compact)
      return violation(
        `the new secret got HTTP ${fresh.exchange.status}, no token: the rotation did not take effect, or OPENCRVS_ROTATED_CLIENT_SECRET is not the secret shown`,
        { detail },
      )
    return pass('the old secret is refused (401 invalid_client); the new one gets a token', { detail })
  }),
)

test(
  ...check(req('CLIENT-DELETE-01'), async ({ target, tokens }) => {
    const d = target.lifecycle.deleted
    if (!d)
      return skip(
        `to check it: ${SYSTEM_CLIENTS}, create a throwaway client, note its id and secret, delete it; set OPENCRVS_DELETED_CLIENT_ID and OPENCRVS_DELETED_CLIENT_SECRET`,
      )
    const a = await tokens.tryCredentials(d.id, d.secret)
    const problem = refusal(a, 'the deleted client')
    if (problem) return violation(problem, { detail: evidence(a.exchange) })
    return pass('the deleted client is refused (401 invalid_client)', { detail: evidence(a.exchange) })
  }),
)

test(
  ...check(req('CLIENT-REENABLE-01'), async ({ target, tokens, profile }) => {
    const c = target.lifecycle.reenabled
    if (!c)
      return skip(
        `to check it: ${SYSTEM_CLIENTS}, deactivate a client and activate it again; set OPENCRVS_REENABLED_CLIENT_ID and OPENCRVS_REENABLED_CLIENT_SECRET (and OPENCRVS_REENABLED_CLIENT_SCOPES for a type without defaults)`,
      )
    const a = await tokens.tryCredentials(c.id, c.secret)
    if (!a.compact || !a.decoded)
      return violation(
        `the re-enabled client got HTTP ${a.exchange.status}, no token: activating it again did not restore access`,
        { detail: evidence(a.exchange) },
      )
    const scopes = Array.isArray(a.decoded.claims.scope) ? a.decoded.claims.scope.map(String) : []
    const same = (patterns: string[]) => {
      const diff = compareScopes(patterns, scopes)
      return !diff.missing.length && !diff.extra.length
    }
    // its own scope set: declared, or its declared type's
    const own = c.scopes
      ? { patterns: c.scopes, from: 'OPENCRVS_REENABLED_CLIENT_SCOPES' }
      : c.type
        ? expectedScopes(target, profile, c.type)
        : undefined
    if (own) {
      if (same(own.patterns)) return pass(`the re-enabled client gets a token with its own scopes (${own.from})`)
      return violation(
        `the re-enabled client's token carries ${JSON.stringify(scopes)}, not its own scope set (${own.from}: ${JSON.stringify(own.patterns)}): re-enabling changed its permissions`,
        { detail: evidence(a.exchange) },
      )
    }
    if (c.type)
      return skip(
        `no scope defaults for ${CLIENT_TYPES[c.type].label} clients in ${profile.label}: set OPENCRVS_REENABLED_CLIENT_SCOPES to the scopes it had`,
      )
    // its type not declared: a set of some type is all that can be seen, and whether it is this client's own is not
    const match = (Object.keys(CLIENT_TYPES) as ClientType[]).find((t) => {
      const e = expectedScopes(target, profile, t)
      return e && same(e.patterns)
    })
    if (!match)
      return violation(
        `the re-enabled client's token carries ${JSON.stringify(scopes)}, which is no client type's scope set: re-enabling changed its permissions`,
        { detail: evidence(a.exchange) },
      )
    return finding(
      'REVIEW',
      `the re-enabled client gets a token with the ${CLIENT_TYPES[match].label} scopes; set OPENCRVS_REENABLED_CLIENT_TYPE so the kit can check they are its own`,
    )
  }),
)

test(
  ...check(req('CLIENT-RETIRED-01'), async ({ target, tokens }) => {
    const r = target.lifecycle.retired
    if (!r)
      return skip(
        'to check it: list credentials that must be dead (test clients of a go-live rehearsal, client ids from before the v2.0 upgrade) in a file, one client_id,client_secret per line, and set OPENCRVS_RETIRED_CREDENTIALS to its path',
      )
    const alive: string[] = []
    for (const [i, c] of r.credentials.entries()) {
      const problem = refusal(await tokens.tryCredentials(c.id, c.secret), `line ${i + 1} (client ${c.id})`)
      if (problem) alive.push(problem)
    }
    if (alive.length)
      return violation(
        `${alive.length} of ${r.credentials.length} retired credentials are not dead: ${alive.join('; ')}`,
        { fix: `Delete or deactivate those clients ${SYSTEM_CLIENTS}.` },
      )
    return pass(`all ${r.credentials.length} retired credentials are refused (401 invalid_client)`)
  }),
)
