/**
 * Which request formats issue a token: the query string (every release), a JSON body and a form body
 * (read from v2.0 on; v1.x parses the body and ignores it).
 */
import { check, finding, pass, violation, type Outcome } from '../fixtures/index.ts'
import type { TokenStore } from '../fixtures/tokens.ts'
import { evidence, type TokenFormat } from '../src/http/index.ts'
import type { Profile } from '../src/profiles/profiles.ts'
import { req } from '../src/requirements/catalogue.ts'

const NAMES: Record<TokenFormat, string> = { query: 'query string', json: 'JSON body', form: 'form body (application/x-www-form-urlencoded)' }

async function formatCheck(tokens: TokenStore, profile: Profile, format: TokenFormat): Promise<Outcome> {
  const type = tokens.configuredTypes()[0] ?? 'NOTIFICATION'
  const a = await tokens.attempt(type, format)
  const issued = a.compact !== undefined
  const supported = profile.requestFormats[format]
  const outcome = issued ? 'token issued' : `HTTP ${a.exchange.status} ${String((a.exchange.json as { error?: unknown } | undefined)?.error ?? '')}`.trim()
  const observed = { format, issued, status: a.exchange.status }
  const detail = evidence(a.exchange)
  if (supported) {
    return issued
      ? pass(`a ${NAMES[format]} request issued a token (${profile.label} reads it)`, { observed })
      : violation(`a ${NAMES[format]} request with valid credentials got ${outcome}; ${profile.label} issues a token for it`, {
          detail,
          observed,
          fix: format === 'query' ? 'Check that no proxy strips the query string on the token route.' : 'Check that no proxy rewrites or drops the request body or its Content-Type on the token route.',
        })
  }
  return issued
    ? finding('INFO', `a ${NAMES[format]} request issued a token, which genuine ${profile.label} does not do (it reads only the query string)`, { detail, observed })
    : finding('INFO', `${profile.label} reads only the query string, as released: a ${NAMES[format]} request got ${outcome}`, { detail, observed })
}

check(req('TOKEN-FMT-01'), async ({ tokens, profile }) => formatCheck(tokens, profile, 'query'))
check(req('TOKEN-FMT-02'), async ({ tokens, profile }) => formatCheck(tokens, profile, 'json'))
check(req('TOKEN-FMT-03'), async ({ tokens, profile }) => formatCheck(tokens, profile, 'form'))
