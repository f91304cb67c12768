/**
 * The one rule for what the gateway's /auth/token proxy does to every answer (success and errors alike).
 * The real OpenCRVS gateway forwards /auth/token with h2o2 and no passThrough, so every upstream header is
 * replaced by hapi's defaults for a stream (content-type application/octet-stream, cache-control no-cache). A
 * check that reads a header of a token-endpoint answer asks here first: a value the proxy imposes, which the
 * release's official installation does not set right at its edge, is OpenCRVS's own deviation (graded by the
 * requirement's `deviation` severity in the catalogue), named as the proxy's doing, with the fix at the edge.
 * A value the official edge does restore (v2 Helm: Cache-Control no-store) is this deployment's defect.
 */
import type { Target } from '../config/index.ts'
import type { Profile } from './profiles.ts'

export interface ProxyNote {
  /** What the proxy did, for the verdict's reason. */
  reason: string
  /** How a deployment fixes it at its edge. */
  fix: string
}

const EDGE_FIX: Record<string, (imposed: string, wanted: string) => string> = {
  'content-type': (_i, wanted) =>
    `Integrators should parse the body as JSON whatever its Content-Type. At the edge, a response-header rule on the gateway's /auth/token route (Traefik headers middleware customResponseHeaders "Content-Type: ${wanted}"; nginx "proxy_hide_header Content-Type; add_header Content-Type ${wanted} always;") fixes it for every client.`,
  'cache-control': () =>
    'Attach a headers middleware to the gateway router that sets Cache-Control: no-store and Pragma: no-cache on every answer (Traefik: customResponseHeaders, as the v2 Helm chart\'s sts-and-basic-response-headers does; nginx: proxy_hide_header Cache-Control; add_header Cache-Control "no-store" always;).',
}

/**
 * Did the gateway's token proxy, unfixed by the release's official edge, put this value on this header?
 * `wanted` is what the auth service itself sends (e.g. application/json), for the messages.
 */
export function proxyImposed(
  target: Pick<Target, 'tokenRoute'>,
  profile: Profile,
  header: string,
  value: string | undefined,
  wanted: string,
): ProxyNote | null {
  const proxy = profile.routes.gatewayProxy
  if (target.tokenRoute !== 'gateway' || !proxy || value === undefined) return null
  const imposed = proxy.imposes[header]
  if (!imposed || value.split(';')[0]!.trim().toLowerCase() !== imposed) return null
  if (proxy.restoredByOfficialEdge.includes(header)) return null
  const fix =
    EDGE_FIX[header]?.(imposed, wanted) ?? `Set ${header}: ${wanted} on the gateway's /auth/token route at the edge.`
  return {
    reason: `${header}: ${value} is imposed by the OpenCRVS gateway's /auth/token proxy, which replaces the auth service's ${header} (${wanted}) on every answer in every release; ${proxy.officialEdge}`,
    fix,
  }
}

/** The fix for a header the release's official edge does restore, when a deployment behind the gateway lacks it. */
export function officialEdgeFix(target: Pick<Target, 'tokenRoute'>, profile: Profile, header: string): string | null {
  const proxy = profile.routes.gatewayProxy
  if (target.tokenRoute !== 'gateway' || !proxy || !proxy.restoredByOfficialEdge.includes(header)) return null
  return `The gateway's /auth/token proxy drops the auth service's ${header}; ${proxy.officialEdge}, and this deployment's edge does not. Attach the same middleware to the gateway router (or, on nginx, add_header ${header} at the gateway's server block, with always).`
}
