/**
 * Host names the kit connects to at another address (CONFORMANCE_CONNECT_TO, parsed in src/config/integration.ts):
 * connect to `address:port` for host names matching `pattern` ("auth.example.org" or "*.example.org"), as curl --connect-to.
 */
export interface ConnectTo {
  pattern: string
  address: string
  port: number
}

/** The override for a host name, if any. */
export function connectFor(list: ConnectTo[] | undefined, hostname: string): ConnectTo | undefined {
  const h = hostname.toLowerCase()
  return list?.find((c) => (c.pattern.startsWith('*.') ? h.endsWith(c.pattern.slice(1)) : h === c.pattern))
}
