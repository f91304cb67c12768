/**
 * Runs once before the checks: validate the configuration, start the bundled emulator when no deployment is
 * configured, identify the release line from evidence, collect the evidence, and publish the Runtime to workers and
 * reporter. Under `npm run conformance` all of it has been done while Playwright started (src/runtime/early.ts), with
 * prepareRun() from here: global setup takes the outcome over.
 */
import type { FullConfig } from '@playwright/test'
import { config as loadDotenv } from 'dotenv'
import { resolveConfig, type Target } from '../config/index.ts'
import { detectProfile, type Evidence } from '../profiles/detect.ts'
import { PROFILES, TOKEN_EXCHANGE, tokenFormatOrder, type Profile, type ProfileId } from '../profiles/profiles.ts'
import {
  accessToken,
  addRequests,
  BudgetExceeded,
  errorCode,
  type HttpClient,
  type HttpExchange,
  RateLimited,
  runStopped,
  TargetMisbehaved,
  TlsFailure,
  tokenRequest,
  Unreachable,
} from '../http/index.ts'
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { decodeCompact } from '../jwt/index.ts'
import { publishedKey, type PublishedKey } from '../jwt/keys.ts'
import { redact } from '../redact/index.ts'
import {
  RUNTIME_ENV,
  SETUP_CONTEXT_ENV,
  SETUP_VERDICT_ENV,
  httpClientFor,
  registerTargetSecrets,
  type Runtime,
  type SeededAttempt,
  type SetupContext,
} from './runtime.ts'
import { neutral } from '../redact/neutral.ts'
import { EVIDENCE_ENV, serveEvidence } from '../evidence/handover.ts'
import { PREPARED_ENV, takeOver } from './early.ts'
import { snapshotRequests } from '../evidence/recorder.ts'
import type { Collected } from '../evidence/collect.ts'

async function startBundledEmulator(release: string, faults: string[]) {
  const { startEmulator } = await import('../../emulator/server.ts')
  const emu = await startEmulator({ release, faults, tls: true })
  const [notification, search, deactivated] = emu.clients
  return { emu, notification: notification!, search: search!, deactivated: deactivated! }
}

/** An answer no OAuth token endpoint gives: a server error, a redirect, or a body that is not JSON. */
function notOAuth(ex: HttpExchange): string | null {
  const type = ex.headers['content-type']?.split(';')[0] ?? 'no content type'
  if (ex.status >= 300 && ex.status < 400)
    return `HTTP ${ex.status} (a redirect to ${ex.headers.location ?? 'nowhere'}, not followed)`
  if (ex.status >= 500) return `HTTP ${ex.status} (${type})`
  if (ex.json === undefined) return `HTTP ${ex.status} with a body that is not JSON (${type})`
  return null
}

/** Gather the identification's evidence into `evidence` (kept when the gathering stops: the report says what it saw). */
async function gatherEvidence(
  http: HttpClient,
  target: Target,
  seeds: SeededAttempt[],
  evidence: Evidence,
): Promise<Evidence> {
  const bare = await http.send({ method: 'POST', url: target.tokenUrl })
  const err = errorCode(bare)
  if (typeof err === 'string') evidence.noParamsError = err
  if (bare.headers['x-version']) evidence.xVersion = bare.headers['x-version']
  const answers = [bare]
  // the auth service never sends X-Version; the gateway's /auth/token proxy does (v1.5 on): the release's own word,
  // independent of everything the checks grade. No parameters, so no secret.
  if (!evidence.xVersion && target.gatewayUrl && target.tokenRoute !== 'gateway') {
    const proxied = await http.send({ method: 'POST', url: `${target.gatewayUrl}/auth/token` }).catch((e: Error) => {
      if (runStopped(e)) throw e
      return undefined // the gateway's own checks (GATEWAY-01, TLS-02) say what is wrong with it, once
    })
    if (proxied?.headers['x-version']) evidence.xVersion = proxied.headers['x-version']
  }
  let readFormat: 'form' | 'query' | undefined
  const client = target.clients.NOTIFICATION ?? target.clients.SEARCH ?? Object.values(target.clients)[0]
  if (client) {
    const params = { client_id: client.id, client_secret: client.secret, grant_type: 'client_credentials' }
    // the body first, so no secret rides in a URL where the release reads the body (v2.0); the query (v1.x) after
    for (const format of ['form', 'query'] as const) {
      const res = await http.send(tokenRequest(target.tokenUrl, format, params))
      answers.push(res)
      seeds.push({ type: client.type, format, exchange: res, receivedAt: Date.now() })
      const token = accessToken(res)
      if (res.status !== 200 || !token) continue
      readFormat = format
      try {
        evidence.claims = decodeCompact(token).claims
        evidence.clientId = client.id
      } catch {
        /* not a JWT: the checks report it */
      }
      break
    }
  }
  // root cause first: a token endpoint that gives no OAuth answer to anything, a valid request included
  const broken = answers.map(notOAuth)
  if (broken.every((b) => b !== null)) {
    const seen = [...new Set(broken)].join(', then ')
    throw new RootCause(
      `The token endpoint ${redact(target.tokenUrl)} answers ${seen} to every request, one with valid credentials included: it gives no OAuth answer at all ` +
        `(a proxy's error page in front of a service that is down, or the wrong URL). Fix that first; no check can run against it.`,
    )
  }
  // on v2, the token-exchange answer tells v2.0 from what is merged after it (opencrvs-after-v2.0.md §8): with a
  // dummy subject token and no client credentials, in the format that issued the token above (a body this
  // deployment does not read would look like a missing grant_type, which v2.0 also calls unsupported)
  const aud = evidence.claims?.aud
  if (readFormat && Array.isArray(aud) && aud.includes('opencrvs:events-user')) {
    const dummy = randomUUID()
    const exchange = await http.send(
      tokenRequest(target.tokenUrl, readFormat, {
        grant_type: TOKEN_EXCHANGE,
        subject_token: dummy,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        requested_token_type: 'urn:opencrvs:oauth:token-type:single_record_token',
        event_id: randomUUID(),
        action_id: randomUUID(),
      }),
    )
    const code = errorCode(exchange)
    if (typeof code === 'string') evidence.tokenExchange = code
    answers.push(exchange)
  }
  notOpenCrvs(target, answers, evidence)
  return evidence
}

/**
 * A target whose answers carry no mark of OpenCRVS at all is not judged against an OpenCRVS profile: the run
 * stops, NOT CHECKED, saying why. One wrong claim is a defect of an OpenCRVS deployment, not another product:
 * any one mark (an error_uri into the OpenCRVS docs, an X-Version header, an opencrvs iss or audience, a userType
 * claim) is enough to go on.
 */
function notOpenCrvs(target: Target, answers: HttpExchange[], evidence: Evidence): void {
  const marks: string[] = []
  if (
    answers.some((a) =>
      JSON.stringify((a.json as { error_uri?: unknown } | undefined)?.error_uri ?? '').includes('opencrvs'),
    )
  )
    marks.push('error_uri')
  if (evidence.xVersion) marks.push('X-Version')
  const c = evidence.claims
  if (c && String(c.iss ?? '').includes('opencrvs')) marks.push('iss')
  if (c && (Array.isArray(c.aud) ? c.aud : [c.aud]).some((a) => String(a ?? '').includes('opencrvs'))) marks.push('aud')
  if (c && 'userType' in c) marks.push('userType')
  if (marks.length || !answers.some((a) => a.json !== undefined)) return
  const seen: string[] = []
  const err = answers
    .map((a) => a.json as { error?: unknown; error_uri?: unknown; expires_in?: unknown } | undefined)
    .filter((j) => j && typeof j.error === 'string')
  seen.push(
    `error answers (${[...new Set(err.map((j) => String(j!.error)))].join(', ') || 'none'}) carry no error_uri into the OpenCRVS documentation`,
  )
  if (c)
    seen.push(
      `the token's iss is ${JSON.stringify(c.iss)} and its aud ${JSON.stringify(c.aud)} (OpenCRVS: opencrvs:auth-service and opencrvs:*-user), with no userType claim`,
    )
  if (answers.some((a) => (a.json as { expires_in?: unknown } | undefined)?.expires_in !== undefined))
    seen.push('the token response carries expires_in, which no OpenCRVS release sends')
  seen.push('no X-Version header')
  throw new RootCause(
    `${redact(target.tokenUrl)} does not look like an OpenCRVS token endpoint: ${seen.join('; ')}. It is not judged against an OpenCRVS release profile. Check the URL (OPENCRVS_AUTH_URL, OPENCRVS_GATEWAY_URL or OPENCRVS_TOKEN_URL).`,
  )
}

/**
 * Each configured client's primary token, asked for as the workers' token store would (the body where the
 * release reads it, the query last; a format setup already tried is not asked again): made once here, so no
 * worker, restarted or not, sends these requests again (the collection reads them from here).
 */
async function seedTokens(http: HttpClient, target: Target, profile: Profile, seeds: SeededAttempt[]): Promise<void> {
  for (const client of Object.values(target.clients)) {
    if (!client) continue
    for (const format of tokenFormatOrder(profile)) {
      const had = seeds.find((s) => s.type === client.type && s.format === format)
      if (had && accessToken(had.exchange)) break
      if (had) continue
      const exchange = await http.send(
        tokenRequest(target.tokenUrl, format, {
          client_id: client.id,
          client_secret: client.secret,
          grant_type: 'client_credentials',
        }),
      )
      seeds.push({ type: client.type, format, exchange, receivedAt: Date.now() })
      if (accessToken(exchange)) break
    }
  }
}

/** Where the collection runs: a process of its own (startCollector) or the wrapper's (src/runtime/early.ts). */
export interface Collector {
  collect: (runtime: Runtime) => Promise<Collected>
  cancel: () => void
}

/**
 * For a run Playwright starts by itself (npx playwright test, an editor's test explorer): every request the checks
 * need, sent once (src/evidence/collect.ts), in a process of its own: the spec files it
 * loads cannot be loaded a second time inside the Playwright runner. Started first, so its start-up (tsx, the
 * spec files) overlaps the setup's requests; then the runtime goes in on stdin and the evidence comes back on
 * stdout: in memory both ways.
 */
function startCollector(): Collector {
  const require = createRequire(import.meta.url)
  const child = spawn(
    process.execPath,
    [
      '--import',
      pathToFileURL(require.resolve('tsx')).href,
      new URL('../evidence/collect-child.ts', import.meta.url).pathname,
    ],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, [RUNTIME_ENV]: '' },
    },
  )
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (c: Buffer) => out.push(c))
  child.stderr.on('data', (c: Buffer) => err.push(c))
  // the runner may be stopped (its global deadline, Ctrl-C): the collection stops with it
  const stop = () => child.kill()
  process.once('exit', stop)
  const done = new Promise<Collected>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      process.off('exit', stop)
      const text = Buffer.concat(out).toString('utf8')
      if (code !== 0)
        return reject(
          new Error(
            redact(
              Buffer.concat(err).toString('utf8').trim() || `the evidence collection ended with exit code ${code}`,
            ),
          ),
        )
      try {
        // the workers revive its bodies; here only the request counts are read
        resolve({ text, requests: snapshotRequests(text) })
      } catch (e) {
        reject(new Error(`the evidence collection returned nothing usable: ${(e as Error).message}`))
      }
    })
  })
  done.catch(() => {}) // seen by collect()'s caller; a cancelled collector is not an error
  return {
    collect: (runtime) => {
      child.stdin.end(JSON.stringify(runtime))
      return done
    },
    cancel: () => {
      process.off('exit', stop)
      child.kill()
    },
  }
}

/** The largest key text handed to the workers (Linux refuses environment strings over 128 kB). */
const MAX_PEM_HANDED_OVER = 16 * 1024

/** The one thing the operator must fix before any check can run. */
class RootCause extends Error {}

/** What stopped a run in setup, as a machine-readable cause for conformance.json. */
function stopCause(e: Error): string {
  if (e instanceof BudgetExceeded) return 'budget'
  if (e instanceof RateLimited) return 'rate-limited'
  if (e instanceof TlsFailure) return 'certificate'
  if (e instanceof Unreachable) return 'unreachable'
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
    return `An edge in front of the token endpoint limits the request rate, and kept refusing after the kit waited as it asked: ${e.message}. Set CONFORMANCE_MAX_RATE to the edge's limit (requests a second) and run again, or exempt the kit's address from the limit.`
  if (e instanceof TargetMisbehaved)
    return `The token endpoint gave no usable answer: ${e.message}. No check can run against it.`
  // a TLS error never gets here: the request layer turns every one into a TlsFailure, named for what it is; every
  // other failure it knows is a TargetMisbehaved (the target answered, badly) or an Unreachable (nothing answered)
  if (e instanceof Unreachable)
    return `Cannot reach the token endpoint: ${e.message}. Check OPENCRVS_AUTH_URL / OPENCRVS_GATEWAY_URL / OPENCRVS_TOKEN_URL and that this machine can reach it.`
  return `The token endpoint ${target.tokenUrl} could not be used: ${e.message.split('\n')[0]}. Check OPENCRVS_AUTH_URL / OPENCRVS_GATEWAY_URL / OPENCRVS_TOKEN_URL.`
}

/**
 * Everything before the collection: the configuration, the bundled emulator when no deployment is configured, the
 * release identified from evidence, the key, each client's token. `log` prints what the operator reads first.
 * Throws the root cause, in words, when nothing can be checked. The self-tests call it in process.
 */
export async function prepare(
  env: Record<string, string | undefined>,
  log: (line: string) => void = console.log,
): Promise<{ runtime: Runtime; stop: () => Promise<void> }> {
  const resolved = resolveConfig(env)
  let target: Target
  let stop: () => Promise<void> = async () => {}
  let emulatorInfo: Runtime['emulator']
  if (resolved.kind === 'emulator') {
    const { emu, notification, search, deactivated } = await startBundledEmulator(resolved.release, resolved.faults)
    stop = () => emu.stop()
    emulatorInfo = { release: resolved.release, faults: resolved.faults }
    // what users of each line run: v2.0 integrators are given only the gateway (the auth service is not public in
    // a Helm install) and the public key as a file; v1.x deployments publish auth.<domain> and gateway.<domain>
    const gatewayOnly = emu.line === '2.0'
    const topology = gatewayOnly
      ? `the v2.0 topology: the gateway only (token at ${emu.gatewayUrl}/auth/token, behind the official Helm ingress headers; public key from a file, as an operator hands it over; probes through the gateway to the events service)`
      : `the v1.x topology: the auth service (token at ${emu.url}/token, key at /.well-known) and the gateway (${emu.gatewayUrl}) for the probes`
    target = {
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
        NOTIFICATION: { type: 'NOTIFICATION', id: notification.clientId, secret: notification.secret },
        SEARCH: { type: 'SEARCH', id: search.clientId, secret: search.secret },
      },
      deactivated: { id: deactivated.clientId, secret: deactivated.secret },
      leewaySeconds: resolved.leewaySeconds,
      ...(emu.caFile ? { caFile: emu.caFile } : {}),
      slow: resolved.slow,
      lifecycle: {},
      waivers: resolved.waivers,
      maxRequests: resolved.maxRequests,
      requestTimeoutSeconds: resolved.requestTimeoutSeconds,
      // its edge serves auth.<domain> as the release routes it; the kit reaches the names there, never through DNS
      domain: { name: emu.edge.domain, scheme: emu.caFile ? 'https:' : 'http:', from: 'the bundled emulator' },
      connectTo: [{ pattern: `*.${emu.edge.domain}`, address: '127.0.0.1', port: emu.edge.port }],
      requiredClients: resolved.requiredClients,
    }
    log(
      `No deployment configured (OPENCRVS_AUTH_URL, OPENCRVS_GATEWAY_URL, OPENCRVS_TOKEN_URL are unset):\n` +
        `checking the bundled OpenCRVS emulator, release ${resolved.release}` +
        (resolved.faults.length ? ` with faults: ${resolved.faults.join(', ')}` : '') +
        `, in ${topology}.\nThis is a demonstration of the kit, not a verdict on any deployment. See README.md to check yours.\n`,
    )
  } else {
    target = resolved.target
  }
  registerTargetSecrets(target)

  const http = httpClientFor(target, { max: target.maxRequests, spent: 0 })
  const evidence: Evidence = {}
  const tokenRequests: SeededAttempt[] = []
  // what a stopped run's report still says: the target, the mode, the requests sent, what identification saw
  const stopped = (reason: string, cause: string): void => {
    const d = detectProfile(evidence)
    const context: SetupContext = {
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
    env[SETUP_CONTEXT_ENV] = redact(JSON.stringify(context))
  }
  try {
    await gatherEvidence(http, target, tokenRequests, evidence)
  } catch (e) {
    await stop()
    const why = unreachable(target, e as Error)
    stopped(why, stopCause(e as Error))
    // a certificate the kit cannot verify is TLS-02's verdict: the report records it FAILED, not only NOT CHECKED
    if (e instanceof TlsFailure)
      env[SETUP_VERDICT_ENV] = JSON.stringify({
        id: 'TLS-02',
        verdict: 'FAILED',
        reason: (e as Error).message,
        fix: 'Fix the certificate the message names; the kit never disables verification, and no other check can run until it verifies.',
      })
    throw new Error(why)
  }
  let key: PublishedKey
  try {
    key = await publishedKey(http, target.publicKey)
    // the key's original PEM text goes along only when small (the runtime travels in an environment variable);
    // its SPKI form always does
    if ('pem' in key && (key.pem?.length ?? 0) > MAX_PEM_HANDED_OVER) delete key.pem
  } catch (e) {
    await stop()
    stopped((e as Error).message, stopCause(e as Error))
    throw e
  }
  const detection = detectProfile(evidence)
  const declared = target.version === 'auto' ? 'auto' : target.version.release
  const profileId: ProfileId = target.version === 'auto' ? (detection.profile ?? '2.0') : target.version.profile.id
  const newer = target.version === 'auto' ? detection.newer : undefined
  if (newer) {
    log(
      `NEWER RELEASE: the gateway says X-Version ${newer}, newer than every release this kit has a profile for. It is judged against the newest, ` +
        `${PROFILES[profileId].label}, and every difference is reported as REVIEW, never FAILED: a newer release may have changed it on purpose. Check for a newer kit.`,
    )
  }
  // each configured client's token, once for the whole run, in the order the workers' token store asks for it
  try {
    await seedTokens(http, target, PROFILES[profileId], tokenRequests)
  } catch (e) {
    await stop()
    stopped((e as Error).message, stopCause(e as Error))
    throw e
  }
  if (PROFILES[profileId].preview) log(`${PROFILES[profileId].label} is ${PROFILES[profileId].preview}.`)
  log(
    `Target: ${target.tokenUrl} | mode ${target.mode} | release ${PROFILES[profileId].label}` +
      (target.version === 'auto'
        ? detection.profile
          ? ` (detected: ${detection.from[0]})`
          : ' (not detected; assumed v2.0)'
        : ` (declared OPENCRVS_VERSION=${declared})`),
  )

  const runtime: Runtime = {
    target,
    profileId,
    declared,
    detected: detection.profile,
    detectedFrom: detection.from,
    conflicts: detection.conflicts,
    candidates: target.version === 'auto' ? detection.candidates : [],
    ...(newer ? { newer } : {}),
    ...(emulatorInfo ? { emulator: emulatorInfo } : {}),
    setupRequests: { ...http.stats },
    key,
    tokenRequests,
    budget: { max: target.maxRequests, spent: http.spent },
    startedAt: new Date().toISOString(),
  }
  return { runtime, stop }
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

export default async function globalSetup(_config: FullConfig): Promise<(() => Promise<void>) | undefined> {
  loadDotenv({ quiet: true })
  // npm run conformance prepared the run while Playwright started (src/runtime/early.ts): take it over
  if (process.env[PREPARED_ENV]) {
    const prepared = await takeOver(process.env)
    if ('error' in prepared) {
      // the same failure, in the same words, as when prepared here
      if (prepared.setupVerdict) process.env[SETUP_VERDICT_ENV] = prepared.setupVerdict
      if (prepared.setupContext) process.env[SETUP_CONTEXT_ENV] = prepared.setupContext
      throw new Error(prepared.error)
    }
    process.env[EVIDENCE_ENV] = prepared.evidenceUrl
    process.env[RUNTIME_ENV] = JSON.stringify(prepared.runtime)
    return undefined
  }
  const { runtime, evidence, stop } = await prepareRun(process.env, console.log, startCollector())
  const served = await serveEvidence(evidence)
  process.env[EVIDENCE_ENV] = served.url
  process.env[RUNTIME_ENV] = JSON.stringify(runtime)
  return async () => {
    await served.close()
    await stop()
  }
}
