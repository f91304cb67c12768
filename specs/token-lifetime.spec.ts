/**
 * Token lifetime: exp - iat per client type, fresh tokens per request, and (opt-in, @slow) live expiry.
 */
import { check, deviation, finding, pass, skip, test, violation } from '../fixtures/index.ts'
import { decodedEach, decodedPrimary, MissingClient } from '../fixtures/tokens.ts'
import { evidence } from '../src/http/index.ts'
import { MS_THRESHOLD } from '../src/jwt/index.ts'
import { CLIENT_TYPES } from '../src/profiles/profiles.ts'
import { req } from '../src/requirements/catalogue.ts'

const DEFAULT_LIFETIME = 600

test(
  ...check(req('JWT-LIFE-01'), async ({ tokens, target, profile }) => {
    const failed: string[] = []
    const warned: string[] = []
    const noted: string[] = []
    const ok: string[] = []
    const declared = target.tokenLifetimeSeconds
    for (const { decoded, type } of await decodedEach(tokens)) {
      const { iat, exp } = decoded.claims
      if (typeof iat !== 'number' || typeof exp !== 'number' || iat > MS_THRESHOLD || exp > MS_THRESHOLD)
        throw new MissingClient('iat/exp are not in seconds (see JWT-CLM-06)')
      const lifetime = exp - iat
      const releaseOwn = profile.lifetime.byType[type]
      if (releaseOwn !== undefined && lifetime === releaseOwn) {
        warned.push(
          `${type}: ${lifetime} s (${lifetime / 86400} days). ${profile.label} gives ${CLIENT_TYPES[type].opencrvsType} clients this lifetime by design, though the docs promise a maximum of 10 minutes`,
        )
      } else if (declared !== undefined) {
        if (lifetime !== declared)
          failed.push(`${type}: ${lifetime} s, but OPENCRVS_TOKEN_LIFETIME_SECONDS declares ${declared} s`)
        else if (lifetime > DEFAULT_LIFETIME)
          failed.push(
            `${type}: ${lifetime} s as declared, longer than the documented maximum of ${DEFAULT_LIFETIME} s (waive it if deliberate)`,
          )
        else if (lifetime < DEFAULT_LIFETIME)
          noted.push(`${type}: ${lifetime} s, shorter than the default ${DEFAULT_LIFETIME} s, as declared`)
        else ok.push(`${type}: ${lifetime} s`)
      } else if (lifetime !== profile.lifetime.default) {
        failed.push(
          `${type}: ${lifetime} s, not ${profile.lifetime.default} s${lifetime > DEFAULT_LIFETIME ? ' (longer than the documented maximum of 10 minutes)' : ''}`,
        )
      } else ok.push(`${type}: ${lifetime} s`)
    }
    const all = [...failed, ...warned, ...noted, ...ok].join('\n')
    if (failed.length) {
      return violation(failed.join('; '), {
        detail: all,
        fix: "The lifetime is the auth service's CONFIG_SYSTEM_TOKEN_EXPIRY_SECONDS (default 600). If it was changed on purpose, declare it in OPENCRVS_TOKEN_LIFETIME_SECONDS; longer than 600 s needs a waiver.",
      })
    }
    if (warned.length) return deviation(warned.join('; '), { detail: all })
    if (noted.length) return finding('INFO', noted.join('; '), { detail: all })
    if (!ok.length) return skip('no client configured')
    return pass(`exp - iat is ${declared ?? profile.lifetime.default} s (${ok.join(', ')})`)
  }),
)

test(
  ...check(req('JWT-FRESH-01'), async ({ tokens }) => {
    const first = await decodedPrimary(tokens)
    const type = tokens.firstType()
    const again = await tokens.second(type)
    if (!again.compact) return skip(`the second token request got HTTP ${again.exchange.status}`)
    if (again.compact === first.compact) {
      return violation(
        'two token requests for one client, a second apart, returned the identical token: something caches tokens (a proxy, or the token service)',
        {
          fix: 'Make sure no proxy caches POST responses on the token route (Cache-Control: no-store must reach it), and that the token service mints a new token per request.',
        },
      )
    }
    return pass('two requests a second apart returned different tokens', {
      detail:
        'OpenCRVS tokens carry no jti and RS256 signatures are deterministic: two requests within the same second can get an identical token from a genuine release, so the kit asks again in the next second.',
    })
  }),
)

test(
  ...check(
    req('JWT-EXP-01'),
    async ({ tokens, target, profile, net }) => {
      if (!target.slow) {
        return skip(
          'opt-in: set CONFORMANCE_SLOW=true (nightly). The check obtains a token, waits until it expires (about 11 minutes at the default 600 s lifetime) and shows it is then refused',
        )
      }
      const probe = profile.protectedRead
      const a = await tokens.fresh(probe.client)
      if (!a.compact || !a.decoded) return skip(`no fresh token to watch expire (HTTP ${a.exchange.status})`)
      const exp = a.decoded.claims.exp
      if (typeof exp !== 'number' || exp > MS_THRESHOLD) return skip('no usable exp claim (see JWT-CLM-06)')
      // how long until the token is past exp + leeway by the server's clock: measured once, when collecting
      const waitMs = await net.observe('JWT-EXP-01:wait', async () => {
        const serverOffsetMs = a.exchange.headers.date ? Date.parse(a.exchange.headers.date) - Date.now() : 0
        return Math.max(0, (exp + target.leewaySeconds + 1) * 1000 - (Date.now() + serverOffsetMs))
      })
      if (waitMs > 15 * 60_000)
        return skip(
          `the token lives ${Math.round(waitMs / 1000)} s more: longer than this check waits (15 min); see JWT-LIFE-01`,
        )
      test.setTimeout(waitMs + 60_000)
      const call = (when: string) =>
        net.send(`JWT-EXP-01:${when}`, {
          method: probe.method,
          url: `${target.gatewayUrl}${probe.path}`,
          headers: { authorization: `Bearer ${a.compact}`, 'content-type': 'application/json' },
          body: probe.body,
        })
      if (target.gatewayUrl) {
        const before = await call('before')
        // the positive control: only a token accepted before expiry can show that expiry is what refuses it after
        if (before.status !== probe.acceptedStatus) {
          const why =
            before.status === 401
              ? 'refused the token before it expired (401)'
              : `answered HTTP ${before.status} before it expired, not the ${probe.acceptedStatus} a valid token gets`
          return skip(
            `the gateway ${why}, so expiry cannot be shown (see GATEWAY-01, JWT-SIG-01 and JWT-CLM-02)\n${evidence(before)}`,
          )
        }
        await net.sleep(waitMs)
        const after = await call('after')
        const facts = `exp ${new Date(exp * 1000).toISOString()}, leeway ${target.leewaySeconds} s, waited ${Math.round(waitMs / 1000)} s\nbefore expiry:\n${evidence(before)}\nafter expiry:\n${evidence(after)}`
        if (after.status === 401)
          return pass(`the gateway accepted the token before exp (HTTP ${before.status}) and refused it after (401)`, {
            detail: facts,
          })
        const still =
          after.status === probe.acceptedStatus
            ? 'still accepts the token after it expired'
            : `does not refuse the expired token with 401 (RFC 6750 §3.1 invalid_token): it answers HTTP ${after.status}`
        return violation(
          `the gateway ${still} (HTTP ${after.status} ${Math.round(waitMs / 1000)} s later, past exp + leeway; HTTP ${before.status} before)`,
          {
            detail: facts,
            fix: 'The gateway must verify exp (hapi-auth-jwt2 does by default): check for ignoreExpiration or a clock far behind.',
          },
        )
      }
      await net.sleep(waitMs)
      const later = await net.send('JWT-EXP-01:server-clock', { method: 'POST', url: target.tokenUrl })
      const server = later.headers.date ? Date.parse(later.headers.date) / 1000 : NaN
      if (Number.isNaN(server)) return skip('no gateway configured and no Date header to read the server clock from')
      if (server > exp) {
        return finding(
          'INFO',
          `no gateway configured: shown only that by the server's clock (${later.headers.date}) the token is past exp; set OPENCRVS_GATEWAY_URL to show the refusal`,
        )
      }
      return violation(
        `by the server's clock (${later.headers.date}) the token has not expired ${Math.round(waitMs / 1000)} s after its exp`,
        { detail: evidence(later) },
      )
    },
    { tag: ['@slow'] },
  ),
)
