/**
 * Upgrade readiness, as data in one place: for each release line, the releases after it in the order an upgrade
 * meets them (the next tagged release first, then what is merged after it, then what is only proposed), each change
 * with what an integrator must do. Facts from ../shared/reference/opencrvs-token-contract.md (§0, §1.2, §6, §7),
 * opencrvs-after-v2.0.md (§1) and integration-clients.md (§2, §3). The profiles' nextRelease and the reports'
 * "Upgrade readiness" are read from here.
 */

export interface UpgradeChange {
  /** What the release changes, as an integrator meets it. */
  change: string
  /** What an integrator must do about it. */
  todo: string
}

export interface UpgradeStep {
  release: string
  /** 'tagged': a release; 'merged': on develop, not yet tagged; 'proposed': not merged. */
  state: 'tagged' | 'merged' | 'proposed'
  changes: UpgradeChange[]
}

const V2_0: UpgradeStep = {
  release: 'v2.0.0',
  state: 'tagged',
  changes: [
    {
      change:
        'auth.<domain> is no longer published (the Helm chart has no ingress for auth; the docker deployment disables its route): https://auth.<domain>/token gets the edge\'s 404. OpenFn\'s OpenCRVS adaptor (@openfn/language-opencrvs 1.0.0-1.2.2) builds that host from its "domain" setting and stops getting a token; so do the v1.x Postman environment, the farajaland e2e helpers and the event-notification-integration sample',
      todo: "before upgrading, move every client to https://gateway.<domain>/auth/token (it works on v1.9 already); for a client whose host is fixed, such as the OpenFn adaptor, route auth.<domain>/token to the gateway's /auth/token at the edge or change its authorize step",
    },
    {
      change:
        "the token endpoint is the gateway's /auth/token only, and the public key is no longer served at auth.<domain>/.well-known",
      todo: 'use https://gateway.<domain>/auth/token; get the PEM public key from the operator to verify tokens',
    },
    {
      change:
        "each client type's scopes change to the v2 form: event notification (HEALTH) notification-api and record.create[event=...] become type=record.create&event=a,b and type=record.notify&event=a,b; record search (RECORD_SEARCH) recordsearch becomes type=record.search&event=a,b; only these two types can be created; the upgrade's migration drops webhook, demo and nationalid, and a migrated notification client probably loses record.create",
      todo: "read scopes in the type=...&event=... form; after the upgrade check each migrated client's scopes and create it again where one is missing",
    },
    {
      change:
        'webhook clients are removed: WEBHOOK can no longer be created and the migration maps its scope to nothing',
      todo: 'an integration that receives webhooks needs another way in before the upgrade: agree it with the country team',
    },
    {
      change:
        'migrated clients get a new client_id (the secret still matches): the id a partner used on v1.9 gets 401 invalid_client (inferred from the migration)',
      todo: "after the upgrade, hand each partner its client's new id",
    },
    {
      change:
        "the token's claims change: aud has 6 entries (with opencrvs:gateway-user), sub is the client id (a UUID), import/export tokens last 600 s like every other; credentials may be sent in a JSON or form body",
      todo: 'do not pin aud or sub to their v1.9 values; move credentials from the query string into a body once on v2.0',
    },
  ],
}

const V2_1: UpgradeStep = {
  release: 'v2.1 (merged on develop after v2.0.0; not yet tagged)',
  state: 'merged',
  changes: [
    {
      change:
        'OAuth parameters in the query string get 400 invalid_request wherever NODE_ENV is not production (production still reads them, with a log line; a later release is planned to refuse them everywhere)',
      todo: 'send client_id, client_secret and grant_type in a form or JSON body',
    },
    {
      change:
        'the token-exchange grant (urn:opencrvs:oauth:grant-type:token-exchange) is removed (400 unsupported_grant_type; advisory GHSA-8qc8-4w2g-h9c9)',
      todo: 'confirm registrations with your own system client',
    },
  ],
}

const V2_2: UpgradeStep = {
  release: 'v2.2 (proposed, PR #13599, on hold)',
  state: 'proposed',
  changes: [
    {
      change:
        'OAuth parameters in the query string refused in every environment, and no longer forwarded by the gateway',
      todo: 'send them in a form or JSON body',
    },
  ],
}

/** Per release line (a profile id): the releases an upgrade meets, in order. */
export const UPGRADE_PATH: Record<string, UpgradeStep[]> = {
  '1.9': [V2_0, V2_1],
  '2.0': [V2_1, V2_2],
  '2.1': [V2_2],
}

/** A change as one line: what changes, then what to do. */
export const changeLine = (c: UpgradeChange) => `${c.change}: ${c.todo}`

/** The next step after a release line, as a flat list (the profile's nextRelease, read by the clients' judge). */
export function nextStep(id: string): { release: string; changes: string[] } | undefined {
  const next = UPGRADE_PATH[id]?.[0]
  return next ? { release: next.release, changes: next.changes.map(changeLine) } : undefined
}
