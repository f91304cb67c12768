/**
 * A reference OpenCRVS deployment for the kit to run against: the auth service on @hapi/hapi (the framework
 * OpenCRVS uses, so repeated query keys, Boom bodies, 404 for GET and 415 for XML come out the same), its gateway,
 * the v2.0 events service behind it, and the edge that serves the deployment's host names. It models a correctly
 * installed deployment of one release line; named faults (faults.ts) turn single behaviours wrong. Not OpenCRVS
 * code: an emulator of it. The rooms: tokens.ts (what the auth service mints and answers), token-route.ts (its
 * routes and grants), clients.ts (the registered clients and their lifecycle), admin.ts (the emulator's own
 * control), front.ts (one port for HTTPS and plain HTTP), gateway.ts, events.ts, edge.ts, tls.ts.
 */
import Hapi from '@hapi/hapi'
import type { KeyObject } from 'node:crypto'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import { rmSync } from 'node:fs'
import { dirname } from 'node:path'
import { adminRoute } from './admin.ts'
import { ClientRegistry, type EmulatorClient, type StoredClient } from './clients.ts'
import { EMULATOR_DOMAIN, startEdge } from './edge.ts'
import { startEvents } from './events.ts'
import { FAULTS, validateFaults } from './faults.ts'
import { startFront } from './front.ts'
import { hstsHeader, startGateway } from './gateway.ts'
import { signingKey } from './keys.ts'
import { lineOf, minorOf, type Line } from './releases.ts'
import { makeTls, writePrivate, type EmulatorTls } from './tls.ts'
import { authRoutes } from './token-route.ts'
import { tokenIssuer } from './tokens.ts'

export {
  demoClients,
  lifecycleDemoClients,
  seedLifecycle,
  type EmulatorClient,
  type SeededLifecycle,
} from './clients.ts'
export { FAULTS }
export { demoCommand, demoOf } from './faults.ts'

export interface EmulatorOptions {
  release: string
  host?: string
  port?: number
  faults?: string[]
  clients?: EmulatorClient[]
  /** CONFIG_SYSTEM_TOKEN_EXPIRY_SECONDS (default 600). */
  lifetimeSeconds?: number
  /** Event ids in the country configuration (they appear in v1.9/v2.0 scopes). */
  events?: string[]
  /** Origins on the v1.x CORS whitelist. */
  corsOrigins?: string[]
  /** Serve HTTPS with a certificate from a throwaway CA (written to a file for the kit to trust). */
  tls?: boolean
  /** Delay every request by this many milliseconds, auth and gateway alike (a distant deployment, for the benchmark). */
  latencyMs?: number
  /** The gateway's X-Version, when it should say another release than `release` (a release newer than the kit knows). */
  xVersion?: string
}

export interface RunningEmulator {
  url: string
  /** The CA certificate file to trust, in HTTPS mode. */
  caFile?: string
  /** The emulated gateway: /auth/token, and the read-only probe routes. */
  gatewayUrl: string
  /** The v2.0 events service behind the gateway (not public in a real install), when it runs. */
  eventsUrl?: string
  /** The signing key's PEM in a file, as an operator hands it over (OPENCRVS_PUBLIC_KEY) where /.well-known is not public. */
  publicKeyFile: string
  /** Requests the gateway or the events service let through authentication, scope and validation: a real one would have written them. */
  writeAttempts(): string[]
  /** Requests received by the auth service, the gateway and the edge together. */
  requestCount(): number
  /**
   * The edge for names under the deployment's domain (auth.<domain>, gateway.<domain>): the kit reaches it with
   * CONFORMANCE_CONNECT_TO=*.<domain>=127.0.0.1:<port>.
   */
  edge: { port: number; domain: string }
  /** Emulator controls (not OpenCRVS): what the national system admin does in the UI. */
  admin: ClientRegistry['admin']
  release: string
  line: Line
  faults: string[]
  clients: StoredClient[]
  publicKeyPem: string
  stop(): Promise<void>
}

const DEFAULT_EVENTS = ['birth', 'death', 'tennis-club-membership']
const DEFAULT_CORS = [
  'https://login.opencrvs.localhost',
  'https://register.opencrvs.localhost',
  'https://countryconfig.opencrvs.localhost',
]

export async function startEmulator(opts: EmulatorOptions): Promise<RunningEmulator> {
  const line = lineOf(opts.release)
  const faults = new Set(opts.faults ?? [])
  validateFaults([...faults], line, minorOf(opts.release))
  const events = opts.events ?? DEFAULT_EVENTS
  const lifetime = opts.lifetimeSeconds ?? 600
  const registry = new ClientRegistry(line, events, faults, opts.clients)
  const { privateKey, publicKey } = signingKey(faults.has('weak-key-1024') ? 'weak-1024' : 'signing')
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const signWith = faults.has('wrong-signing-key') ? signingKey('other').privateKey : privateKey
  const tls = opts.tls ? await makeTls(certificateFaults(faults)) : undefined

  const auth = authServer(opts, line, faults, tls)
  const issuer = tokenIssuer({ line, faults, lifetime, signWith, publicKeyPem })
  const preview21 = minorOf(opts.release) === '2.1'
  authRoutes(auth.server, { line, preview21, faults, lifetime, events, registry, issuer, publicKey, publicKeyPem })
  adminRoute(auth.server, registry.admin)
  await auth.server.start()
  const front = auth.listener
    ? await startFront({
        listener: auth.listener,
        server: auth.server,
        faults,
        ...(opts.host ? { host: opts.host } : {}),
        ...(opts.port ? { port: opts.port } : {}),
        answeredHere: () => auth.requests.count++,
      })
    : undefined
  const url = front?.url ?? `http://${auth.server.info.host}:${auth.server.info.port}`
  const { gateway, edge, eventsUp } = await startBehind(opts, line, faults, publicKey, auth.server, url, tls)
  const publicKeyFile = writePrivate('opencrvs-emulator-key-', 'public-key.pem', publicKeyPem)
  return {
    url,
    edge: { port: edge.port, domain: EMULATOR_DOMAIN },
    ...(tls ? { caFile: tls.caFile } : {}),
    gatewayUrl: gateway.url,
    ...(eventsUp ? { eventsUrl: eventsUp.url } : {}),
    publicKeyFile,
    writeAttempts: () => [...gateway.writeAttempts(), ...(eventsUp?.writeAttempts() ?? [])],
    requestCount: () => auth.requests.count + gateway.requestCount() + edge.requestCount(),
    admin: registry.admin,
    release: opts.release,
    line,
    faults: [...faults],
    clients: registry.clients,
    publicKeyPem,
    async stop() {
      await Promise.all([
        auth.server.stop({ timeout: 1000 }),
        gateway.stop(),
        edge.stop(),
        eventsUp?.stop(),
        front?.close(),
      ])
      for (const file of [publicKeyFile, ...(tls ? [tls.caFile] : [])])
        rmSync(dirname(file), { recursive: true, force: true })
    },
  }
}

/** The server certificate as the faults have it. */
function certificateFaults(faults: Set<string>) {
  return {
    ...(faults.has('cert-expiring') ? { days: 10 } : {}),
    ...(faults.has('cert-wrong-host') ? { hostnames: ['auth.another-country.example'] } : {}),
    ...(faults.has('cert-expired') ? { expired: true } : {}),
  }
}

/**
 * The auth service's hapi server, before its routes: CORS as the line has it, the requests it receives counted
 * (and delayed, for the benchmark), the faults of what stands in front of it, and HSTS as the v2 Helm ingress sets it.
 */
function authServer(opts: EmulatorOptions, line: Line, faults: Set<string>, tls: EmulatorTls | undefined) {
  const legacy = faults.has('tls-legacy') ? { minVersion: 'TLSv1' as const, ciphers: 'DEFAULT@SECLEVEL=0' } : {}
  const listener: HttpsServer | undefined = tls
    ? createHttpsServer({ key: tls.key, cert: tls.cert, ...legacy })
    : undefined
  const server = Hapi.server({
    // in HTTPS mode the front server (front.ts) owns the port and hands connections to this listener
    // (hapi tracks sockets for a clean stop only on a listener it started itself)
    ...(listener
      ? { listener, tls: true, autoListen: false, operations: { cleanStop: false } }
      : { host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 }),
    // v1.x: cors with a whitelist (auth server.ts); v2.0: cors:false (hapi's default). v1.x runs hapi 20,
    // whose preflight answers 204; hapi 21 (ours) defaults to 200, so the v1 status is set explicitly.
    routes: line === '2.0' ? {} : { cors: { origin: opts.corsOrigins ?? DEFAULT_CORS, preflightStatusCode: 204 } },
  })
  const requests = { count: 0 }
  const latency = opts.latencyMs ?? 0
  const strictJson = faults.has('empty-json-body-400')
  server.ext('onRequest', async (request, h) => {
    // a request the gateway forwarded is counted, and delayed, by the gateway
    if (!(request.plugins as { proxied?: boolean }).proxied) {
      requests.count++
      if (latency) await new Promise((r) => setTimeout(r, latency))
    }
    // a strict body parser in front: a JSON content type with an empty body is an invalid JSON document
    if (
      strictJson &&
      request.path === '/token' &&
      /application\/json/.test(String(request.headers['content-type'] ?? '')) &&
      (request.headers['content-length'] ?? '0') === '0'
    ) {
      const body = { statusCode: 400, error: 'Bad Request', message: 'Invalid request payload JSON format' }
      return h.response(body).code(400).takeover()
    }
    return h.continue
  })
  const hsts = tls ? hstsHeader(faults) : undefined
  if (hsts) {
    // the official v2 Helm ingress (sts-and-basic-response-headers) sets HSTS on every response
    server.ext('onPreResponse', (request, h) => {
      const r = request.response as Hapi.ResponseObject & {
        isBoom?: boolean
        output?: { headers: Record<string, string> }
      }
      if (r.isBoom && r.output) r.output.headers['strict-transport-security'] = hsts
      else if (typeof r.header === 'function') r.header('Strict-Transport-Security', hsts)
      return h.continue
    })
  }
  return { server, listener, requests }
}

/**
 * What stands beside and behind the auth service: the v2.0 events service (with events-down its port is closed, as
 * when recorded), the gateway (which forwards /auth/token to the auth service as h2o2 does), and the edge that
 * serves the deployment's host names.
 */
async function startBehind(
  opts: EmulatorOptions,
  line: Line,
  faults: Set<string>,
  publicKey: KeyObject,
  authService: Hapi.Server,
  authUrl: string,
  tls: EmulatorTls | undefined,
) {
  // gateway-other-key: the key was rotated on auth only, so the gateway (and the events service) verify with the old one
  const gatewayKey = faults.has('gateway-other-key') ? signingKey('other').publicKey : publicKey
  const eventsService = line === '2.0' ? await startEvents({ publicKey: gatewayKey, faults }) : undefined
  if (eventsService && faults.has('events-down')) await eventsService.stop()
  const eventsUp = eventsService && !faults.has('events-down') ? eventsService : undefined
  const gateway = await startGateway({
    line,
    release: opts.xVersion ?? opts.release,
    publicKey: gatewayKey,
    publicKeyPem: gatewayKey.export({ type: 'spki', format: 'pem' }).toString(),
    faults,
    latencyMs: opts.latencyMs ?? 0,
    corsOrigins: opts.corsOrigins ?? DEFAULT_CORS,
    auth: async (req) => {
      const res = await authService.inject({
        method: 'POST',
        url: req.url,
        headers: req.headers,
        ...(req.payload ? { payload: req.payload } : {}),
        plugins: { proxied: true } as object,
      })
      return { status: res.statusCode, payload: res.rawPayload }
    },
    ...(eventsService ? { events: { url: eventsService.url, port: eventsService.port } } : {}),
    ...(opts.host ? { host: opts.host } : {}),
    ...(tls ? { tls: faults.has('gateway-cert-expired') ? tls.expired : tls } : {}),
  })
  const edge = await startEdge({
    line,
    faults,
    authUrl,
    gatewayUrl: gateway.url,
    ...(opts.host ? { host: opts.host } : {}),
    ...(tls ? { tls: { key: tls.key, cert: tls.cert, ca: tls.caCert } } : {}),
  })
  return { gateway, edge, eventsUp }
}
