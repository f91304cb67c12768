/**
 * What the integration-client replays need from the configuration: the deployment's domain (clients build
 * auth.<domain> from it), the clients a country depends on, and host-to-address overrides for the kit's requests.
 */
import { isIP } from 'node:net'
import { existsSync, statSync } from 'node:fs'
import { KNOWN_CLIENT_IDS } from '../clients/catalogue.ts'
import { loadRecorded, type RecordedSet } from '../clients/recorded.ts'
import { ConfigError, value, type Env } from './env.ts'
import type { ConnectTo } from '../http/connect-to.ts'

/** The deployment's domain, and which variable it came from (reported with the client verdicts). */
export interface Domain {
  name: string
  /** The scheme of the configured URLs: https: for any real deployment. */
  scheme: string
  from: string
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i

/** OPENCRVS_DOMAIN, else the domain under auth.<domain> (OPENCRVS_AUTH_URL) or gateway.<domain> (OPENCRVS_GATEWAY_URL). */
export function parseDomain(env: Env, authUrl?: URL, gatewayUrl?: URL): Domain | undefined {
  const scheme = (authUrl ?? gatewayUrl)?.protocol ?? 'https:'
  const explicit = value(env, 'OPENCRVS_DOMAIN')
  if (explicit) {
    if (!HOST_NAME.test(explicit))
      throw new ConfigError(
        'OPENCRVS_DOMAIN',
        `"${explicit}" is not a domain name`,
        'Write the domain the deployment serves auth.<domain> and gateway.<domain> under, e.g. farajaland.opencrvs.org (no scheme, no path).',
      )
    return { name: explicit.toLowerCase(), scheme, from: 'OPENCRVS_DOMAIN' }
  }
  for (const [url, prefix, variable] of [
    [authUrl, 'auth.', 'OPENCRVS_AUTH_URL'],
    [gatewayUrl, 'gateway.', 'OPENCRVS_GATEWAY_URL'],
  ] as const) {
    const host = url?.hostname.toLowerCase()
    if (host?.startsWith(prefix) && HOST_NAME.test(host))
      return { name: host.slice(prefix.length), scheme: url!.protocol, from: `${variable} (${prefix}<domain>)` }
  }
  return undefined
}

/** CONFORMANCE_CLIENTS_DIR (default clients/): the country's own recorded clients, each file read and validated. */
export function parseRecordedClients(env: Env): RecordedSet {
  const given = value(env, 'CONFORMANCE_CLIENTS_DIR')
  const dir = given ?? 'clients'
  if (given !== undefined && (!existsSync(dir) || !statSync(dir).isDirectory()))
    throw new ConfigError(
      'CONFORMANCE_CLIENTS_DIR',
      `"${dir}" is not a folder`,
      'Write the folder that holds the recorded clients (npm run clients -- record NAME writes them), or unset it for clients/.',
    )
  return loadRecorded(dir)
}

/** CONFORMANCE_REQUIRED_CLIENTS: ids from the client catalogue or names of recorded clients, comma-separated. */
export function parseRequiredClients(env: Env, recorded: string[] = []): string[] {
  const v = value(env, 'CONFORMANCE_REQUIRED_CLIENTS')
  if (!v) return []
  const ids = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const unknown = ids.filter((id) => !KNOWN_CLIENT_IDS.includes(id) && !recorded.includes(id))
  if (unknown.length)
    throw new ConfigError(
      'CONFORMANCE_REQUIRED_CLIENTS',
      `${unknown.map((u) => `"${u}"`).join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not a known client`,
      `Write ids from the client catalogue (${KNOWN_CLIENT_IDS.join(', ')}) or names of recorded clients${recorded.length ? ` (${recorded.join(', ')})` : ' (none in CONFORMANCE_CLIENTS_DIR)'}, comma-separated.`,
    )
  return [...new Set(ids)]
}

/** CONFORMANCE_CONNECT_TO: "host=address:port" pairs, comma-separated; the address an IP (nothing is resolved for it). */
export function parseConnectTo(env: Env): ConnectTo[] {
  const v = value(env, 'CONFORMANCE_CONNECT_TO')
  if (!v) return []
  return v.split(',').map((pair) => {
    const m = /^\s*(\*\.)?([^=\s]+)\s*=\s*\[?([0-9a-f.:]+?)\]?:(\d{1,5})\s*$/i.exec(pair)
    const host = m ? `${m[1] ?? ''}${m[2]}` : ''
    if (!m || !HOST_NAME.test(m[2]!) || !isIP(m[3]!) || Number(m[4]) < 1 || Number(m[4]) > 65535) {
      throw new ConfigError(
        'CONFORMANCE_CONNECT_TO',
        `"${pair.trim()}" is not host=address:port`,
        'Write e.g. auth.example.org=10.0.0.5:443 or *.example.org=127.0.0.1:8443 (an IP address, a port), comma-separated.',
      )
    }
    return { pattern: host.toLowerCase(), address: m[3]!, port: Number(m[4]) }
  })
}
