/**
 * The requirement catalogue: every check the kit makes, with a stable id, a title, its sources and the
 * verdict a violation gets in each mode. Specs import from here; a self-test fails when a requirement has
 * no test or a test names no requirement.
 */
export type Verdict = 'PASSED' | 'FAILED' | 'WARNING' | 'REVIEW' | 'INFO' | 'SKIPPED'
export const VERDICTS: Verdict[] = ['FAILED', 'WARNING', 'REVIEW', 'INFO', 'SKIPPED', 'PASSED']

export interface Source {
  label: string
  url: string
}

export interface Requirement {
  id: string
  title: string
  area: string
  sources: Source[]
  /** The verdict when the deployment does not meet the requirement, per mode. */
  severity: { opencrvs: Verdict; strict: Verdict }
}

const DOCS = {
  label: 'OpenCRVS docs: Authenticate a client',
  url: 'https://documentation.opencrvs.org/technology/interoperability/authenticate-a-client',
}
const rfc = (n: number, section: string): Source => ({
  label: `RFC ${n} §${section}`,
  url: `https://www.rfc-editor.org/rfc/rfc${n}#section-${section}`,
})
const release = (what: string): Source => ({
  label: `Observed release behaviour: ${what}`,
  url: 'https://github.com/opencrvs/opencrvs-core/tree/develop/packages/auth/src/features/oauthToken',
})

const FAIL = { opencrvs: 'FAILED', strict: 'FAILED' } as const
const INFO = { opencrvs: 'INFO', strict: 'INFO' } as const

const list: Requirement[] = [
  {
    id: 'PROFILE-01',
    title: 'The release line is identified, and agrees with OPENCRVS_VERSION when one is declared',
    area: 'Release profile',
    sources: [release('token claims, error codes and X-Version differ per release line')],
    severity: { opencrvs: 'WARNING', strict: 'WARNING' },
  },
  {
    id: 'TOKEN-FMT-01',
    title: 'A token request with its parameters in the query string issues a token',
    area: 'Token request formats',
    sources: [DOCS, release('v1.3-v2.0 read client_id, client_secret and grant_type from the query string')],
    severity: FAIL,
  },
  {
    id: 'TOKEN-FMT-02',
    title: 'A token request with a JSON body issues a token where the release reads the body',
    area: 'Token request formats',
    sources: [DOCS, release('v2.0 reads a JSON body first, then the query (oauthToken/utils.ts getParam)')],
    severity: FAIL,
  },
  {
    id: 'TOKEN-FMT-03',
    title: 'A token request with a form body issues a token where the release reads the body',
    area: 'Token request formats',
    sources: [rfc(6749, '4.4.2'), release('v2.0 reads an application/x-www-form-urlencoded body (PR #11590)')],
    severity: FAIL,
  },
  {
    id: 'TOKEN-RESP-01',
    title: 'A successful token response is HTTP 200 with a body valid against schemas/token-response.schema.json',
    area: 'Token response',
    sources: [rfc(6749, '5.1'), rfc(6749, 'A.12'), DOCS],
    severity: FAIL,
  },
  {
    id: 'TOKEN-RESP-02',
    title: 'A successful token response is declared as JSON (Content-Type: application/json)',
    area: 'Token response',
    sources: [rfc(6749, '5.1'), release('the gateway /auth/token proxy answers application/octet-stream in every release')],
    severity: FAIL,
  },
  {
    id: 'TOKEN-RESP-03',
    title: 'A successful token response carries Cache-Control: no-store',
    area: 'Token response',
    sources: [rfc(6749, '5.1'), release('auth sets Cache-Control: no-store; the v2 Helm ingress restores it on the gateway')],
    severity: FAIL,
  },
  {
    id: 'JWT-01',
    title: 'The access token is a compact JWS whose header and claims decode as JSON objects',
    area: 'Access token',
    sources: [{ label: 'RFC 7515 §7.1', url: 'https://www.rfc-editor.org/rfc/rfc7515#section-7.1' }, DOCS],
    severity: FAIL,
  },
]

export const REQUIREMENTS: Readonly<Record<string, Requirement>> = Object.freeze(Object.fromEntries(list.map((r) => [r.id, r])))
export const REQUIREMENT_LIST: readonly Requirement[] = list

/** Look a requirement up by id; an unknown id is a programming error. */
export function req(id: string): Requirement {
  const r = REQUIREMENTS[id]
  if (!r) throw new Error(`No requirement ${id} in the catalogue`)
  return r
}

/** The title prefix every test carries, so reports and coverage can find the requirement. */
export const ID_PATTERN = /^([A-Z]+(?:-[A-Z]+)*-\d{2})\b/
