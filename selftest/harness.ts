/**
 * Runs the kit as a user would (npm run conformance's entry point) against an emulator, in its own report
 * folder, and collects the exit code, console output, conformance.json and every file the run wrote.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { inflateRawSync } from 'node:zlib'
import { randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { demoClients, startEmulator, type EmulatorClient, type RunningEmulator } from '../emulator/server.ts'
import type { ConformanceReport } from '../src/report/model.ts'
import { secretForms } from '../src/redact/index.ts'
import { jwtSpans } from '../src/redact/scan.ts'
import { prepare } from '../src/runtime/prepare.ts'
import { collect as collectEvidence, verdicts } from '../src/evidence/collect.ts'
import { PROFILES } from '../src/profiles/profiles.ts'
import type { VerdictRecord } from '../src/report/verdict.ts'
import { isolatedEnv, ownSettings } from './isolation.ts'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

export interface KitRun {
  code: number
  output: string
  report: ConformanceReport
  reportDir: string
  verdicts: Record<string, string>
  secrets: string[]
  /** Requests the emulated gateway let through to where a real one would write: must stay empty. */
  writes: string[]
}

/** npm run conformance, as a user runs it. */
export function runCli(
  env: Record<string, string>,
  args: string[] = [],
  cwd = ROOT,
): Promise<{ code: number; output: string }> {
  return runTool('conformance', env, args, cwd)
}

/**
 * One of the kit's commands (src/cli/<name>.ts: conformance, compare, report) with a clean environment; 'playwright':
 * Playwright's own `playwright test`, as `npx playwright test` and editors run the checks.
 */
export function runTool(
  name: string,
  env: Record<string, string>,
  args: string[] = [],
  cwd = ROOT,
): Promise<{ code: number; output: string }> {
  const command =
    name === 'playwright'
      ? [createRequire(import.meta.url).resolve('@playwright/test/cli'), 'test']
      : ['--import', import.meta.resolve('tsx'), join(ROOT, `src/cli/${name}.ts`)]
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...command, ...args], {
      cwd,
      // a report folder of its own unless the test gives one: a run never writes where a default would put it
      env: {
        ...isolatedEnv(),
        CONFORMANCE_CLIENTS_DIR: noRecordedClients(),
        CONFORMANCE_REPORT_DIR: mkdtempSync(join(tmpdir(), 'kit-tool-')),
        ...env,
        CI: '1',
        FORCE_COLOR: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, output }))
  })
}

/**
 * The kit against a running emulator, configured as a deployment (URL and client pairs from the environment).
 * gatewayOnly: what a v2.0 integrator is given, the gateway URL and the public key file, no auth URL.
 */
export async function runKitAgainst(
  emu: RunningEmulator,
  extra: Record<string, string> = {},
  args: string[] = [],
  gatewayOnly = false,
  tool = 'conformance',
): Promise<KitRun> {
  const reportDir = mkdtempSync(join(tmpdir(), 'kit-run-'))
  const { code, output } = await runTool(tool, kitEnv(emu, reportDir, extra, gatewayOnly), args)
  return {
    ...collect(
      code,
      output,
      reportDir,
      emu.clients.map((c) => c.secret),
    ),
    writes: emu.writeAttempts(),
  }
}

/** The kit's configuration for an emulator, as a deployment's operator would write it. */
export function kitEnv(
  emu: RunningEmulator,
  reportDir: string,
  extra: Record<string, string>,
  gatewayOnly: boolean,
): Record<string, string> {
  const [notification, search, deactivated] = emu.clients
  return {
    ...ownSettings(), // in process too: never the user's waivers file
    ...(gatewayOnly ? { OPENCRVS_PUBLIC_KEY: emu.publicKeyFile } : { OPENCRVS_AUTH_URL: emu.url }),
    OPENCRVS_GATEWAY_URL: emu.gatewayUrl,
    CONFORMANCE_ALLOW_HTTP: 'true',
    CONFORMANCE_REPORT_DIR: reportDir,
    OPENCRVS_NOTIFICATION_CLIENT_ID: notification!.clientId,
    OPENCRVS_NOTIFICATION_CLIENT_SECRET: notification!.secret,
    OPENCRVS_SEARCH_CLIENT_ID: search!.clientId,
    OPENCRVS_SEARCH_CLIENT_SECRET: search!.secret,
    OPENCRVS_DEACTIVATED_CLIENT_ID: deactivated!.clientId,
    OPENCRVS_DEACTIVATED_CLIENT_SECRET: deactivated!.secret,
    // the names under the deployment's domain (auth.<domain>, which clients build) at the emulator's edge
    OPENCRVS_DOMAIN: emu.edge.domain,
    CONFORMANCE_CONNECT_TO: `*.${emu.edge.domain}=127.0.0.1:${emu.edge.port}`,
    // no recorded clients but a test's own: never the clients/ folder of whoever runs the tests
    CONFORMANCE_CLIENTS_DIR: noRecordedClients(),
    // the emulator on loopback answers in milliseconds: a request that waits 15 s here waited for a CPU that other
    // work holds (a loaded machine), which is the self-tests' slowness, never a verdict; a test of deadlines sets its own
    CONFORMANCE_REQUEST_TIMEOUT_SECONDS: '60',
    ...extra,
  }
}

let emptyClientsDir: string | undefined
/** An empty folder of recorded clients, one per process. */
export const noRecordedClients = () => (emptyClientsDir ??= mkdtempSync(join(tmpdir(), 'kit-no-clients-')))

/**
 * The lifecycle flow an operator performs in the OpenCRVS UI, done through the emulator's admin controls:
 * refresh one client's secret, delete one, deactivate and re-activate one, delete two test clients whose
 * credentials go in the retired list. Returns the kit environment that describes it, and every secret used.
 */
export function lifecycleSetup(
  emu: RunningEmulator,
  extra: EmulatorClient[],
): { env: Record<string, string>; secrets: string[] } {
  const [rotated, deleted, reenabled, retiredA, retiredB] = extra as [
    EmulatorClient,
    EmulatorClient,
    EmulatorClient,
    EmulatorClient,
    EmulatorClient,
  ]
  const oldSecret = rotated.secret
  const newSecret = emu.admin.rotate(rotated.clientId)
  emu.admin.remove(deleted.clientId)
  emu.admin.deactivate(reenabled.clientId)
  emu.admin.activate(reenabled.clientId)
  emu.admin.remove(retiredA.clientId)
  emu.admin.remove(retiredB.clientId)
  const file = join(mkdtempSync(join(tmpdir(), 'retired-')), 'retired.csv')
  writeFileSync(
    file,
    `# test clients of the go-live rehearsal\n${retiredA.clientId},${retiredA.secret}\n${retiredB.clientId},${retiredB.secret}\n`,
  )
  return {
    env: {
      OPENCRVS_ROTATED_CLIENT_ID: rotated.clientId,
      OPENCRVS_ROTATED_CLIENT_OLD_SECRET: oldSecret,
      OPENCRVS_ROTATED_CLIENT_SECRET: newSecret,
      OPENCRVS_DELETED_CLIENT_ID: deleted.clientId,
      OPENCRVS_DELETED_CLIENT_SECRET: deleted.secret,
      OPENCRVS_REENABLED_CLIENT_ID: reenabled.clientId,
      OPENCRVS_REENABLED_CLIENT_TYPE: 'SEARCH',
      OPENCRVS_REENABLED_CLIENT_SECRET: reenabled.secret,
      OPENCRVS_RETIRED_CREDENTIALS: file,
    },
    secrets: [oldSecret, newSecret, deleted.secret, reenabled.secret, retiredA.secret, retiredB.secret],
  }
}

export function lifecycleClients(): EmulatorClient[] {
  const c = (type: EmulatorClient['type']): EmulatorClient => ({
    clientId: randomUUID(),
    secret: randomUUID(),
    type,
    status: 'active',
  })
  return [c('HEALTH'), c('HEALTH'), c('RECORD_SEARCH'), c('HEALTH'), c('RECORD_SEARCH')]
}

export interface RunOptions {
  /** Extra kit environment. */
  env?: Record<string, string>
  /** Emulator token lifetime (CONFIG_SYSTEM_TOKEN_EXPIRY_SECONDS). */
  lifetimeSeconds?: number
  /** Extra Playwright arguments. */
  args?: string[]
  /** Serve HTTPS (the kit trusts the emulator's CA). */
  tls?: boolean
  /** Run the operator's lifecycle flow first (rotate, delete, re-enable, retire). */
  lifecycle?: boolean
  /** Configure the gateway only (its /auth/token, the key as a file), as v2.0 integrators are told to. */
  gatewayOnly?: boolean
  /** The X-Version the emulated gateway announces (a release newer than the kit knows). */
  xVersion?: string
  /** Run Playwright itself (npx playwright test), whose global setup then prepares the run, not npm run conformance. */
  direct?: boolean
}

/** Start an emulator, run the kit against it, stop it. */
export function runKit(release: string, faults: string[] = [], opts: RunOptions = {}): Promise<KitRun> {
  return withEmulator(release, faults, opts, (emu, env) =>
    runKitAgainst(emu, env, opts.args ?? [], opts.gatewayOnly ?? false, opts.direct ? 'playwright' : 'conformance'),
  )
}

/**
 * Start an emulator as the options say (the operator's lifecycle flow run first), hand `use` the kit's environment
 * for it, and stop it; the flow's secrets join those the run is scanned for.
 */
async function withEmulator<T extends { secrets: string[] }>(
  release: string,
  faults: string[],
  opts: RunOptions,
  use: (emu: RunningEmulator, env: Record<string, string>) => Promise<T>,
): Promise<T> {
  const { env: extra = {}, lifetimeSeconds, tls = false, lifecycle = false, xVersion } = opts
  const extraClients = lifecycle ? lifecycleClients() : []
  const emu = await startEmulator({
    release,
    faults,
    tls,
    clients: [...demoClients(), ...extraClients],
    ...(lifetimeSeconds ? { lifetimeSeconds } : {}),
    ...(xVersion ? { xVersion } : {}),
  })
  try {
    const flow = lifecycle ? lifecycleSetup(emu, emu.clients.slice(3)) : { env: {}, secrets: [] }
    const run = await use(emu, { ...(emu.caFile ? { OPENCRVS_CA_FILE: emu.caFile } : {}), ...flow.env, ...extra })
    return { ...run, secrets: [...run.secrets, ...flow.secrets] }
  } finally {
    await emu.stop()
  }
}

/** The kit graded in this process: what `npm run conformance` decides, without Playwright or reports. */
export interface GradedRun {
  verdicts: Record<string, string>
  /** The same evidence graded in strict mode (CONFORMANCE_MODE=strict): the mode changes grading, not collection. */
  strict: Record<string, string>
  records: VerdictRecord[]
  /** The release the run judged against (its profile label). */
  version: string
  /** What the run printed before the checks, and every verdict's text: for the leak scan. */
  output: string
  requests: number
  /** Requests that carried a configured client's real secret in their URL. */
  secretInUrl: number
  /** Requests that carried a live access token in their URL (never, by design). */
  tokenInUrl: number
  secrets: string[]
  writes: string[]
}

/**
 * Start an emulator and run the kit's preparation, collection and grading in this process (about half a second
 * where a whole run takes eight): the fault matrix's way to see every fault's verdicts. Runs in one process share
 * nothing but the redaction registry (each has its own HTTP client, budget and recorder), so they may overlap.
 * Where reports, exit codes and leaks in files matter, use runKit.
 */
export async function gradeKit(release: string, faults: string[] = [], opts: RunOptions = {}): Promise<GradedRun> {
  return graded(await collectKit(release, faults, opts))
}

/** gradeKit against a running emulator (or a TLS edge in front of one: `extra` overrides its URLs). */
export async function gradeKitAgainst(
  emu: RunningEmulator,
  extra: Record<string, string> = {},
  gatewayOnly = false,
): Promise<GradedRun> {
  return graded(await collectAgainst(emu, extra, gatewayOnly))
}

async function graded(c: Awaited<ReturnType<typeof collectAgainst>>): Promise<GradedRun> {
  const { runtime, snapshot, outcomes, lines, secrets, writes } = c
  const records = await verdicts(runtime, outcomes)
  const strict = await verdicts({ ...runtime, target: { ...runtime.target, mode: 'strict' } }, outcomes)
  return {
    verdicts: Object.fromEntries(records.map((r) => [r.id, r.verdict])),
    strict: Object.fromEntries(strict.map((r) => [r.id, r.verdict])),
    records,
    version: PROFILES[runtime.profileId].label,
    output: [...lines, JSON.stringify(records)].join('\n'),
    requests: runtime.setupRequests.total + snapshot.requests.total,
    secretInUrl: runtime.setupRequests.secretInUrl + snapshot.requests.secretInUrl,
    tokenInUrl: runtime.setupRequests.tokenInUrl + snapshot.requests.tokenInUrl,
    secrets,
    writes,
  }
}

/** Start an emulator, prepare and collect in this process, stop the emulator: the evidence, with nothing left running. */
export function collectKit(release: string, faults: string[] = [], opts: RunOptions = {}) {
  return withEmulator(release, faults, opts, (emu, env) => collectAgainst(emu, env, opts.gatewayOnly ?? false))
}

/** Prepare and collect in this process against a running emulator, configured as runKitAgainst configures a whole run. */
async function collectAgainst(emu: RunningEmulator, extra: Record<string, string>, gatewayOnly: boolean) {
  const lines: string[] = []
  const env = kitEnv(emu, mkdtempSync(join(tmpdir(), 'kit-graded-')), extra, gatewayOnly)
  const { runtime, stop } = await prepare(env, (l) => lines.push(l))
  try {
    const { snapshot, outcomes } = await collectEvidence(runtime)
    return {
      runtime,
      snapshot,
      outcomes,
      lines,
      secrets: emu.clients.map((c) => c.secret),
      writes: emu.writeAttempts(),
    }
  } finally {
    await stop()
  }
}

export function collect(code: number, output: string, reportDir: string, secrets: string[]): Omit<KitRun, 'writes'> {
  let report: ConformanceReport
  try {
    report = JSON.parse(readFileSync(join(reportDir, 'conformance.json'), 'utf8')) as ConformanceReport
  } catch {
    throw new Error(`the run wrote no conformance.json (exit ${code}):\n${output}`)
  }
  const verdicts = Object.fromEntries(report.results.map((r) => [r.id, r.verdict]))
  return { code, output, report, reportDir, verdicts, secrets }
}

/** Every file under a folder, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? filesUnder(p) : [p]
  })
}

/** The entries of a zip archive (stored or deflated), as text: the HTML report embeds its data as one. */
export function unzipEntries(zip: Buffer): Array<{ name: string; text: string }> {
  const out: Array<{ name: string; text: string }> = []
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (eocd < 0) return out
  let p = zip.readUInt32LE(eocd + 16)
  const count = zip.readUInt16LE(eocd + 10)
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(p + 10)
    const size = zip.readUInt32LE(p + 20)
    const nameLen = zip.readUInt16LE(p + 28)
    const extraLen = zip.readUInt16LE(p + 30)
    const commentLen = zip.readUInt16LE(p + 32)
    const local = zip.readUInt32LE(p + 42)
    const name = zip.subarray(p + 46, p + 46 + nameLen).toString()
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28)
    const data = zip.subarray(dataStart, dataStart + size)
    out.push({ name, text: (method === 8 ? inflateRawSync(data) : data).toString('utf8') })
    p += 46 + nameLen + extraLen + commentLen
  }
  return out
}

/** The data files the single-file Allure report embeds, each as d("name","<base64>"). */
export function allureDataFiles(html: string): Array<{ name: string; text: string }> {
  return [...html.matchAll(/\bd\("([^"]+)","([A-Za-z0-9+/=]+)"\)/g)].map((m) => ({
    name: m[1]!,
    text: Buffer.from(m[2]!, 'base64').toString('utf8'),
  }))
}

/** An 8-character piece of a secret: what a cut through it would leave behind. */
const FRAGMENT = 8
/**
 * A piece of a secret's base64 form: 12 characters encode 9 bytes, as much of the secret as an 8-character piece and
 * one more. Eight base64 characters of a secret made of hex digits hold only 24 bits, and the Allure bundle's
 * megabytes of base64 (hex ids, hashes) match one in about 6 secrets of 100 by chance.
 */
const ENCODED_FRAGMENT = 12
/** Every `size`-character window of each text. */
const windowsOf = (texts: string[], size = FRAGMENT) =>
  texts.flatMap((f) => Array.from({ length: Math.max(0, f.length - size + 1) }, (_, i) => f.slice(i, i + size)))
/** A secret written as text (raw, JSON-escaped, URL-encoded either way), as against its base64 encodings. */
const textForms = (s: string) => {
  const url = encodeURIComponent(s)
  return [s, JSON.stringify(s).slice(1, -1), url, url.replace(/%20/g, '+')]
}

/**
 * Every place a secret (in any encoding, or an 8-character fragment of it) or a whole signed JWT appears in the
 * run's files (HTML report data unpacked) or output.
 */
export function leaks(run: Pick<KitRun, 'output' | 'secrets'> & { reportDir?: string }): string[] {
  const found: string[] = []
  const forms = run.secrets.map((s) => ({
    // upper-cased too: a target may echo a secret in capitals
    forms: [...secretForms(s), s.toUpperCase()],
    // every 8-character window of the secret's own text (raw, JSON-escaped, URL-encoded), in whatever case, and every
    // 12-character window of its base64 forms as they are (base64 is case-sensitive: a window of one in another case
    // is no piece of the secret, and the Allure bundle's megabytes of text hold such windows by chance)
    fragments: windowsOf(
      secretForms(s)
        .filter((f) => textForms(s).includes(f))
        .map((f) => f.toLowerCase()),
    ),
    encodedFragments: windowsOf(
      secretForms(s).filter((f) => !textForms(s).includes(f)),
      ENCODED_FRAGMENT,
    ),
  }))
  // Reporters name files and results with random UUIDs, and the test secrets are UUIDs too: an 8-character window
  // such as "-4308-82" holds only 16 random bits, so another UUID matches one by chance in a few runs of a hundred.
  // A fragment is looked for with every whole UUID that is not a secret taken out (a secret's cut-off piece is never
  // a whole UUID; a whole secret is found by its full forms above).
  // Another UUID that shares 16 or more characters with a secret is no chance match (the secret with one character
  // changed): it stays.
  const secretSet = new Set(run.secrets.map((s) => s.toLowerCase()))
  const long = [...secretSet].flatMap((s) =>
    Array.from({ length: Math.max(0, s.length - 15) }, (_, i) => s.slice(i, i + 16)),
  )
  const withoutOtherUuids = (text: string) =>
    text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, (u) =>
      secretSet.has(u.toLowerCase()) || long.some((w) => u.toLowerCase().includes(w)) ? u : ' ',
    )
  // every piece, with the secret it is of: a text is read once, window by window, not once per piece (an Allure
  // report is megabytes, and a run has a dozen secrets of a few hundred pieces each)
  const pieces = (size: number, key: 'fragments' | 'encodedFragments') => {
    const of = new Map<string, number[]>()
    forms.forEach((s, n) => s[key].forEach((w) => of.set(w, [...new Set([...(of.get(w) ?? []), n])])))
    return { size, of }
  }
  const textPieces = pieces(FRAGMENT, 'fragments')
  const encodedPieces = pieces(ENCODED_FRAGMENT, 'encodedFragments')
  /** The first piece of each secret the text holds. */
  const piecesIn = (text: string, { size, of }: ReturnType<typeof pieces>, into: Map<number, string>) => {
    for (let i = 0; i + size <= text.length; i++) {
      for (const n of of.get(text.slice(i, i + size)) ?? []) if (!into.has(n)) into.set(n, text.slice(i, i + size))
    }
  }
  const scan = (where: string, text: string) => {
    const fragmentText = withoutOtherUuids(text)
    const found8 = new Map<number, string>()
    piecesIn(fragmentText.toLowerCase(), textPieces, found8)
    piecesIn(fragmentText, encodedPieces, found8)
    forms.forEach((s, n) => {
      if (s.forms.some((f) => text.includes(f))) found.push(`${where}: a client secret`)
      else if (found8.has(n))
        found.push(`${where}: an 8-character fragment of a client secret ("${found8.get(n)!.slice(0, 2)}…")`)
    })
    const [jwt] = jwtSpans(text, 16)
    if (jwt) found.push(`${where}: a whole signed JWT (${text.slice(jwt[0], jwt[0] + 12)}…)`)
  }
  scan('console output', run.output)
  for (const file of run.reportDir ? filesUnder(run.reportDir) : []) {
    const buf = readFileSync(file)
    const text = buf.toString('utf8')
    scan(file, text)
    const embedded = /data:application\/zip;base64,([A-Za-z0-9+/=]+)/.exec(text)
    if (embedded)
      for (const e of unzipEntries(Buffer.from(embedded[1]!, 'base64'))) scan(`${file} (embedded ${e.name})`, e.text)
    for (const e of allureDataFiles(text)) scan(`${file} (embedded ${e.name})`, e.text)
  }
  return found
}
