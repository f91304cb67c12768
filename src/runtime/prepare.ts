/**
 * A run's preparation, as named steps: the target (a configured deployment, or the bundled emulator), the release
 * identified from evidence (identify.ts), the published key, each client's token; then every request the checks
 * need, collected once (prepareRun). Global setup runs it, or `npm run conformance` while Playwright starts
 * (early.ts); the self-tests call prepare() in process. A step that fails stops the run with its root cause, in words.
 */
import { resolveConfig, type Lifecycle, type Resolved, type Target } from '../config/index.ts'
import type { SeededLifecycle } from '../../emulator/clients.ts'
import { detectProfile, type Evidence } from '../profiles/detect.ts'
import { PROFILES, tokenFormatOrder, type Profile, type ProfileId } from '../profiles/profiles.ts'
import {
  accessToken,
  addRequests,
  BudgetExceeded,
  type HttpClient,
  RateLimited,
  TargetMisbehaved,
  TlsFailure,
  tokenRequest,
  Unreachable,
} from '../http/index.ts'
import { publishedKey, type PublishedKey } from '../jwt/keys.ts'
import { redact } from '../redact/index.ts'
import { neutral } from '../redact/neutral.ts'
import type { Collected } from '../evidence/collect.ts'
import type { Collector } from './collector.ts'
import { gatherEvidence, PathNotFound, RootCause } from './identify.ts'
import {
  SETUP_CONTEXT_ENV,
  SETUP_VERDICT_ENV,
  credentialRefused,
  httpClientFor,
  registerTargetSecrets,
  type Runtime,
  type SeededAttempt,
  type SetupContext,
} from './runtime.ts'

type Log = (line: string) => void
type Env = Record<string, string | undefined>

/**
 * Everything before the collection: the configuration, the bundled emulator when no deployment is configured, the
 * release identified from evidence, the key, each client's token. `log` prints what the operator reads first.
 * Throws the root cause, in words, when nothing can be checked. The self-tests call it in process.
 */
export async function prepare(
  env: Env,
  log: Log = console.log,
): Promise<{ runtime: Runtime; stop: () => Promise<void> }> {
  // the run starts here: its duration covers the preparation's requests and waits, not only the checks after them
  const startedAt = new Date().toISOString()
  const { target, stop, emulator } = await chooseTarget(resolveConfig(env), log)
  registerTargetSecrets(target)
  const http = httpClientFor(target, { max: target.maxRequests, spent: 0 })
  const evidence: Evidence = {}
  const tokenRequests: SeededAttempt[] = []
  const step = stepsOf(env, target, http, evidence, stop)

  await step(() => gatherEvidence(http, target, tokenRequests, evidence), { first: true })
  const key = await step(() => readKey(http, target))
  const release = identified(target, evidence, log)
  // a body that issued a token: this endpoint reads credentials there, so no real secret goes in a URL, whatever
  // release is declared
  const readsBody = tokenRequests.some((s) => s.format !== 'query' && accessToken(s.exchange) !== undefined)
  // each configured client's token, once for the whole run, in the order the workers' token store asks for it
  await step(() => seedTokens(http, target, PROFILES[release.profileId], tokenRequests, readsBody))
  announce(target, release, log)

  const runtime: Runtime = {
    target,
    ...release,
    ...(emulator ? { emulator } : {}),
    setupRequests: { ...http.stats },
    key,
    tokenRequests,
    ...(readsBody ? { readsBody } : {}),
    budget: { max: target.maxRequests, spent: http.spent },
    startedAt,
  }
  return { runtime, stop }
}

/**
 * How each step of prepare() fails: the bundled emulator stopped, what a stopped run's report still says recorded
 * (the target, the mode, the requests sent, what identification saw), and the root cause thrown. The first step's
 * failure is put in words a person can act on (unreachable()); a certificate the kit cannot verify there is TLS-02's
 * verdict: the report records it FAILED, not only NOT CHECKED.
 */
function stepsOf(env: Env, target: Target, http: HttpClient, evidence: Evidence, stop: () => Promise<void>) {
  return async <T>(run: () => Promise<T>, opts: { first?: boolean } = {}): Promise<T> => {
    try {
      return await run()
    } catch (thrown) {
      const e = thrown as Error
      await stop()
      const why = opts.first ? unreachable(target, e) : e.message
      env[SETUP_CONTEXT_ENV] = redact(JSON.stringify(stoppedContext(target, http, evidence, why, stopCause(e))))
      if (opts.first && e instanceof TlsFailure) env[SETUP_VERDICT_ENV] = JSON.stringify(tls02Failed(e))
      throw opts.first ? new Error(why) : e
    }
  }
}

function stoppedContext(
  target: Target,
  http: HttpClient,
  evidence: Evidence,
  reason: string,
  cause: string,
): SetupContext {
  const d = detectProfile(evidence)
  return {
    tokenUrl: target.tokenUrl,
    tokenRoute: target.tokenRoute,
    mode: target.mode,
    declared: target.version === 'auto' ? 'auto' : target.version.release,
    requests: { ...http.stats },
    max: target.maxRequests,
    identification: {
      profile: d.profile ? PROFILES[d.profile].label : null,
      supporting: d.from,
      contradicting: d.conflicts,
    },
    stop: { verdict: 'NOT CHECKED', cause, reason: neutral(reason, { max: 2000 }) },
  }
}

const tls02Failed = (e: TlsFailure) => ({
  id: 'TLS-02',
  verdict: 'FAILED',
  reason: e.message,
  fix: 'Fix the certificate the message names; the kit never disables verification, and no other check can run until it verifies.',
})

/** The target: the configured deployment, or the bundled emulator started in the topology its release line runs. */
async function chooseTarget(
  resolved: Resolved,
  log: Log,
): Promise<{ target: Target; stop: () => Promise<void>; emulator?: Runtime['emulator'] }> {
  if (resolved.kind !== 'emulator') return { target: resolved.target, stop: async () => {} }
  const em = await import('../../emulator/server.ts')
  // a fault of the client lifecycle shows only where an administrator ran it: the emulator seeds it itself
  const seeded = resolved.faults.some((f) => em.demoOf(f).lifecycle)
  const emu = await em.startEmulator({
    release: resolved.release,
    faults: resolved.faults,
    tls: true,
    ...(seeded ? { clients: [...em.demoClients(), ...em.lifecycleDemoClients()] } : {}),
  })
  const [notification, search, deactivated] = emu.clients
  const lifecycle = seeded ? demoLifecycle(em.seedLifecycle(emu.admin, emu.clients.slice(3))) : {}
  // what users of each line run: v2.0 integrators are given only the gateway (the auth service is not public in
  // a Helm install) and the public key as a file; v1.x deployments publish auth.<domain> and gateway.<domain>
  const gatewayOnly = emu.line === '2.0'
  const topology = gatewayOnly
    ? `the v2.0 topology: the gateway only (token at ${emu.gatewayUrl}/auth/token, behind the official Helm ingress headers; public key from a file, as an operator hands it over; probes through the gateway to the events service)`
    : `the v1.x topology: the auth service (token at ${emu.url}/token, key at /.well-known) and the gateway (${emu.gatewayUrl}) for the probes`
  const target: Target = {
    ...(gatewayOnly
      ? {
          tokenUrl: `${emu.gatewayUrl}/auth/token`,
          tokenRoute: 'gateway' as const,
          publicKey: { kind: 'file' as const, location: emu.publicKeyFile },
        }
      : {
          tokenUrl: `${emu.url}/token`,
          tokenRoute: 'auth' as const,
          authUrl: emu.url,
          publicKey: { kind: 'url' as const, location: `${emu.url}/.well-known` },
        }),
    gatewayUrl: emu.gatewayUrl,
    version: 'auto',
    mode: resolved.mode,
    allowHttp: true,
    reportDir: resolved.reportDir,
    clients: {
      NOTIFICATION: { type: 'NOTIFICATION', id: notification!.clientId, secret: notification!.secret },
      SEARCH: { type: 'SEARCH', id: search!.clientId, secret: search!.secret },
    },
    deactivated: { id: deactivated!.clientId, secret: deactivated!.secret },
    leewaySeconds: resolved.leewaySeconds,
    ...(emu.caFile ? { caFile: emu.caFile } : {}),
    slow: resolved.slow,
    lifecycle,
    waivers: resolved.waivers,
    maxRequests: resolved.maxRequests,
    requestTimeoutSeconds: resolved.requestTimeoutSeconds,
    // its edge serves auth.<domain> as the release routes it; the kit reaches the names there, never through DNS
    domain: { name: emu.edge.domain, scheme: emu.caFile ? 'https:' : 'http:', from: 'the bundled emulator' },
    connectTo: [{ pattern: `*.${emu.edge.domain}`, address: '127.0.0.1', port: emu.edge.port }],
    requiredClients: resolved.requiredClients,
    recorded: resolved.recorded,
  }
  log(
    `No deployment configured (OPENCRVS_AUTH_URL, OPENCRVS_GATEWAY_URL, OPENCRVS_TOKEN_URL are unset):\n` +
      `checking the bundled OpenCRVS emulator, release ${resolved.release}` +
      (resolved.faults.length ? ` with faults: ${resolved.faults.join(', ')}` : '') +
      (seeded ? ', with the client lifecycle (rotate, delete, re-enable, retire) seeded by the emulator' : '') +
      `, in ${topology}.\nThis is a demonstration of the kit, not a verdict on any deployment. See README.md to check yours.\n`,
  )
  return { target, stop: () => emu.stop(), emulator: { release: resolved.release, faults: resolved.faults } }
}

/** The lifecycle the emulator seeded, as the operator's settings would describe it. */
function demoLifecycle(l: SeededLifecycle): Lifecycle {
  return {
    rotated: l.rotated,
    deleted: l.deleted,
    reenabled: l.reenabled,
    retired: { file: '(seeded by the bundled emulator)', credentials: l.retired },
  }
}

/** The largest key text handed to the workers (Linux refuses environment strings over 128 kB). */
const MAX_PEM_HANDED_OVER = 16 * 1024

/**
 * The published key. Its original PEM text goes along only when small (the runtime travels in an environment
 * variable); its SPKI form always does.
 */
async function readKey(http: HttpClient, target: Target): Promise<PublishedKey> {
  const key = await publishedKey(http, target.publicKey)
  if ('pem' in key && (key.pem?.length ?? 0) > MAX_PEM_HANDED_OVER) delete key.pem
  return key
}

type Release = Pick<
  Runtime,
  | 'profileId'
  | 'declared'
  | 'detected'
  | 'detectedFrom'
  | 'conflicts'
  | 'candidates'
  | 'without'
  | 'newer'
  | 'xVersionContradicted'
>

/** The release the run is judged against: declared (OPENCRVS_VERSION), or identified from the evidence. */
function identified(target: Target, evidence: Evidence, log: Log): Release {
  const detection = detectProfile(evidence)
  const auto = target.version === 'auto'
  const profileId: ProfileId = target.version === 'auto' ? (detection.profile ?? '2.0') : target.version.profile.id
  const newer = auto ? detection.newer : undefined
  if (!auto && detection.profile && detection.profile !== profileId) {
    log(
      `WRONG RELEASE DECLARED: OPENCRVS_VERSION says ${target.version === 'auto' ? '' : target.version.release} but the deployment behaves as ${PROFILES[detection.profile].label}: fix OPENCRVS_VERSION (or set it to auto). ` +
        `Every check is judged against the declared ${PROFILES[profileId].label}; the findings that come from this mismatch point at PROFILE-01.`,
    )
  }
  if (newer) {
    log(
      `NEWER RELEASE: the gateway says X-Version ${newer}, newer than every release this kit has a profile for. It is judged against the newest, ` +
        `${PROFILES[profileId].label}, and every difference is reported as REVIEW, never FAILED: a newer release may have changed it on purpose. Check for a newer kit.`,
    )
  }
  return {
    profileId,
    declared: target.version === 'auto' ? 'auto' : target.version.release,
    detected: detection.profile,
    detectedFrom: detection.from,
    conflicts: detection.conflicts,
    candidates: auto ? detection.candidates : [],
    without: auto ? detection.without : {},
    ...(newer ? { newer } : {}),
    ...(auto && detection.xVersionContradicted ? { xVersionContradicted: detection.xVersionContradicted } : {}),
  }
}

/** The line the operator reads first: the target, the mode and the release, and how the release was known. */
function announce(target: Target, release: Release, log: Log): void {
  const profile = PROFILES[release.profileId]
  if (profile.preview) log(`${profile.label} is ${profile.preview}.`)
  log(
    `Target: ${target.tokenUrl} | mode ${target.mode} | release ${profile.label}` +
      (release.declared === 'auto'
        ? release.detected
          ? ` (detected: ${release.detectedFrom[0]})`
          : ' (not detected; assumed v2.0)'
        : ` (declared OPENCRVS_VERSION=${release.declared})`),
  )
}

/**
 * Each configured client's primary token, asked for as the workers' token store would (the body where the
 * release reads it, the query last; a format setup already tried is not asked again): made once here, so no
 * worker, restarted or not, sends these requests again (the collection reads them from here).
 */
async function seedTokens(
  http: HttpClient,
  target: Target,
  profile: Profile,
  seeds: SeededAttempt[],
  readsBody: boolean,
): Promise<void> {
  for (const client of Object.values(target.clients)) {
    if (!client) continue
    for (const format of tokenFormatOrder(profile, readsBody)) {
      const had = seeds.find((s) => s.type === client.type && s.format === format)
      if (had && (accessToken(had.exchange) || credentialRefused(had.exchange))) break
      if (had) continue
      const exchange = await http.send(
        tokenRequest(target.tokenUrl, format, {
          client_id: client.id,
          client_secret: client.secret,
          grant_type: 'client_credentials',
        }),
      )
      seeds.push({ type: client.type, format, exchange, receivedAt: Date.now() })
      if (accessToken(exchange) || credentialRefused(exchange)) break
    }
  }
}

/** What stopped a run in setup, as a machine-readable cause for conformance.json. */
function stopCause(e: Error): string {
  if (e instanceof BudgetExceeded) return 'budget'
  if (e instanceof RateLimited) return 'rate-limited'
  if (e instanceof TlsFailure) return 'certificate'
  if (e instanceof Unreachable) return 'unreachable'
  if (e instanceof PathNotFound) return 'not-found'
  if (e instanceof RootCause)
    return /does not look like an OpenCRVS token endpoint/.test(e.message) ? 'not-opencrvs' : 'no-oauth-answer'
  if (e instanceof TargetMisbehaved) return 'unusable-answer'
  return 'setup-error'
}

/** Why the first request failed, in words a person can act on. */
function unreachable(target: Target, e: Error): string {
  if (e instanceof RootCause) return e.message
  if (e instanceof TlsFailure) {
    return `TLS verification failed: ${e.message}. The kit never disables certificate verification (TLS-02); no check can run until the certificate is fixed.`
  }
  if (e instanceof RateLimited)
    return `An edge in front of the token endpoint limits the request rate (HTTP 429): ${e.message}. Set CONFORMANCE_MAX_RATE to the edge's limit (requests a second) and run again, or exempt the kit's address from the limit.`
  if (e instanceof TargetMisbehaved)
    return `The token endpoint gave no usable answer: ${e.message}. No check can run against it.`
  // a TLS error never gets here: the request layer turns every one into a TlsFailure, named for what it is; every
  // other failure it knows is a TargetMisbehaved (the target answered, badly) or an Unreachable (nothing answered)
  if (e instanceof Unreachable)
    return `Cannot reach the token endpoint: ${e.message}. Check OPENCRVS_AUTH_URL / OPENCRVS_GATEWAY_URL / OPENCRVS_TOKEN_URL and that this machine can reach it.`
  return `The token endpoint ${target.tokenUrl} could not be used: ${e.message.split('\n')[0]}. Check OPENCRVS_AUTH_URL / OPENCRVS_GATEWAY_URL / OPENCRVS_TOKEN_URL.`
}

/**
 * The whole preparation of a run: prepare(), then every request the checks need, once, before any check grades (a
 * FAILED check, after which Playwright restarts its worker, costs the deployment nothing). Returns the runtime the
 * workers and the reporter read (the collection's requests counted in) and the evidence they grade.
 */
export async function prepareRun(
  env: Record<string, string | undefined>,
  log: (line: string) => void,
  collector: Collector,
): Promise<{ runtime: Runtime; evidence: string; stop: () => Promise<void> }> {
  let prepared: Awaited<ReturnType<typeof prepare>>
  try {
    prepared = await prepare(env, log)
  } catch (e) {
    collector.cancel()
    throw e
  }
  const { runtime, stop } = prepared
  let collected: Collected
  try {
    collected = await collector.collect(runtime)
  } catch (e) {
    await stop()
    throw e
  }
  const c = collected.requests
  const s = runtime.setupRequests
  runtime.setupRequests = addRequests(s, c)
  // the workers need neither the seeded token answers (they are in the evidence) nor a key's PEM text twice
  runtime.tokenRequests = []
  return { runtime, evidence: collected.text, stop }
}
