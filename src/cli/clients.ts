/**
 * npm run clients -- record NAME [--port N] [--tls] [--as URL] [--release R] [--once]
 * npm run clients -- check [NAME...] [--release R [--production]] [--json]
 * Record a country's own token client once, as a file in CONFORMANCE_CLIENTS_DIR (default clients/), and judge every
 * recorded and known client against every release (docs/clients.md). Exit 0; 1: nothing recorded, or (check
 * --release) a required client gets no token there; 2: bad usage or configuration.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { config as loadDotenv } from 'dotenv'
import { KNOWN_CLIENTS } from '../clients/catalogue.ts'
import { asJson, blocked, checkClients, gateColumns, table } from '../clients/check.ts'
import { badName } from '../clients/recorded.ts'
import { startRecorder } from '../clients/recorder.ts'
import { ConfigError } from '../config/env.ts'
import { parseRecordedClients, parseRequiredClients } from '../config/integration.ts'
import { PROFILES, profileForRelease, type ProfileId } from '../profiles/profiles.ts'
import { neutral } from '../redact/neutral.ts'

loadDotenv({ quiet: true })

const USAGE = `Usage:
  npm run clients -- record NAME [--port N] [--tls] [--as https://auth.<domain>] [--release 2.0] [--once]
  npm run clients -- check [NAME...] [--release R [--production]] [--json]`

function fail(message: string, code = 2): never {
  console.error(code === 2 ? `${message}\n${USAGE}` : message)
  process.exit(code)
}

/** --flag value pairs and the words left. */
function parseArgs(args: string[]): { words: string[]; flags: Map<string, string | true> } {
  const words: string[] = []
  const flags = new Map<string, string | true>()
  const valued = new Set(['--port', '--as', '--release'])
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (valued.has(a)) {
      if (args[i + 1] === undefined) fail(`${a} needs a value`)
      flags.set(a, args[++i]!)
    } else if (a.startsWith('--')) flags.set(a, true)
    else words.push(a)
  }
  return { words, flags }
}

function release(flags: Map<string, string | true>, fallback?: ProfileId): ProfileId | undefined {
  const r = flags.get('--release')
  if (r === undefined) return fallback
  const p = typeof r === 'string' ? profileForRelease(r) : null
  if (!p) fail(`--release ${String(r)} is not a release the kit knows (${Object.keys(PROFILES).join(', ')})`)
  return p.id
}

async function record(words: string[], flags: Map<string, string | true>): Promise<void> {
  const name = words[0]
  if (!name || words.length > 1) fail('record takes one NAME')
  const why = badName(name)
  if (why) fail(why)
  const as = flags.get('--as')
  if (as !== undefined && (typeof as !== 'string' || !/^https?:\/\/(auth|gateway)\./.test(as)))
    fail('--as takes the URL the client normally calls, e.g. https://auth.<domain> or https://gateway.<domain>/auth')
  const port = flags.has('--port') ? Number(flags.get('--port')) : 0
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port takes a port number')
  const dir = process.env.CONFORMANCE_CLIENTS_DIR?.trim() || 'clients'
  const tls = flags.has('--tls') ? await makeCert(typeof as === 'string' ? new URL(as).hostname : undefined) : undefined
  const rec = await startRecorder({
    name,
    dir,
    port,
    release: release(flags, '2.0')!,
    ...(typeof as === 'string' ? { as } : {}),
    ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}),
    once: flags.has('--once'),
    log: (l) => console.log(l),
  }).catch((e: Error) => fail(e.message, 1))
  const stop = async () => {
    const out = await rec.stop()
    if ('error' in out) fail(out.error, 1)
    console.log(`Written ${out.file}. Judge it: npm run clients -- check ${name}`)
    process.exit(0)
  }
  // before the line that tells the user (or a script) the recorder is up
  process.once('SIGINT', () => void stop())
  process.once('SIGTERM', () => void stop())
  const scheme = tls ? 'https' : 'http'
  console.log(
    `Recording "${name}" on ${scheme}://127.0.0.1:${rec.port} (answers /token and /auth/token on any Host with a ${release(flags, '2.0')} token).` +
      (tls
        ? `\nIts certificate is signed by a CA made for this recording: ${tls.caFile} (trust it in the client).`
        : '') +
      `\nRun the client once against it; ${flags.has('--once') ? 'the recorder stops after its token request' : 'then press Ctrl-C'}.`,
  )
  await rec.done
  await stop()
}

/** A CA and a certificate for auth.<domain> and gateway.<domain> (OPENCRVS_DOMAIN), the --as host, 127.0.0.1, localhost. */
async function makeCert(asHost?: string): Promise<{ key: string; cert: string; caFile: string }> {
  const { generate } = await import('selfsigned')
  const { mkdtempSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const ca = await generate([{ name: 'commonName', value: 'OpenCRVS conformance recorder CA (throwaway)' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 7 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, critical: true },
    ],
  })
  const hosts = [
    ...(process.env.OPENCRVS_DOMAIN?.trim() ? [process.env.OPENCRVS_DOMAIN.trim()] : []).flatMap((d) => [
      `auth.${d}`,
      `gateway.${d}`,
    ]),
    ...(asHost ? [asHost] : []),
  ]
  const leaf = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 7 * 86_400_000),
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...['localhost', ...hosts].map((value) => ({ type: 2 as const, value })),
          { type: 7 as const, ip: '127.0.0.1' },
        ],
      },
    ],
  })
  const caFile = join(mkdtempSync(join(tmpdir(), 'opencrvs-recorder-ca-')), 'ca.pem')
  writeFileSync(caFile, ca.cert, { flag: 'wx', mode: 0o600 })
  return { key: leaf.private, cert: leaf.cert, caFile }
}

function check(words: string[], flags: Map<string, string | true>): void {
  let recorded: ReturnType<typeof parseRecordedClients>
  let required: string[]
  try {
    recorded = parseRecordedClients(process.env)
    required = parseRequiredClients(
      process.env,
      [...recorded.clients, ...recorded.refused].map((c) => c.id),
    )
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message)
    throw e
  }
  const all = [...KNOWN_CLIENTS, ...recorded.clients]
  const known = new Set([...all.map((c) => c.id), ...recorded.refused.map((f) => f.id)])
  const unknown = words.filter((w) => !known.has(w))
  if (unknown.length) fail(neutral(`${unknown.join(', ')}: no such client (known: ${[...known].join(', ')})`))
  const pick = <T extends { id: string }>(list: T[]) => (words.length ? list.filter((c) => words.includes(c.id)) : list)
  const rows = checkClients(pick(all), pick(recorded.refused), required)
  const r = release(flags)
  const stuck = r ? blocked(rows, gateColumns(r, flags.has('--production'))) : []
  if (flags.has('--json'))
    console.log(asJson({ clients: rows, ...(r ? { gate: { release: r, blocked: stuck.map((x) => x.id) } } : {}) }))
  else {
    console.log(table(rows))
    if (r)
      console.log(
        stuck.length
          ? `\nNot ready for ${PROFILES[r].label}: required client(s) with no token there: ${neutral(stuck.map((x) => x.id).join(', '))}.`
          : `\nReady for ${PROFILES[r].label}: every required client (${required.join(', ') || 'none set in CONFORMANCE_REQUIRED_CLIENTS'}) gets a token there.`,
      )
  }
  process.exit(stuck.length ? 1 : 0)
}

const { words, flags } = parseArgs(process.argv.slice(2))
const [command, ...rest] = words
if (command === 'record') await record(rest, flags)
else if (command === 'check') check(rest, flags)
else fail(command ? `"${command}" is not a command` : 'give a command')
