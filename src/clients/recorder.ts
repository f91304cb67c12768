/**
 * The recorder behind `npm run clients -- record NAME`: a loopback server that answers every token request, on any
 * Host, with a well-formed token in the chosen release's shape (so the client goes on as it would), and turns the
 * first one into a recorded client file: where each parameter went, in order, with placeholders for the
 * credentials. Nothing the client sent as a credential is ever written: the file is checked before it is.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { SignJWT } from 'jose'
import { PROFILES, type ProfileId } from '../profiles/profiles.ts'
import { neutral } from '../redact/neutral.ts'
import { fileFor, fileProblems } from './recorded.ts'
import {
  ID_PLACEHOLDER,
  RECORDED_FORMAT,
  SECRET_PLACEHOLDER,
  VALUE_PLACEHOLDER,
  type RecordedFile,
  type RecordedParam,
} from './recorded-file.ts'

const MAX_BODY = 64 * 1024

export interface RecordOptions {
  name: string
  dir: string
  port?: number
  release: ProfileId
  /** The URL the client's own setting normally holds (https://auth.<domain>), when it was pointed here instead. */
  as?: string
  tls?: { key: string; cert: string }
  once?: boolean
  log(line: string): void
}

/** What a client sent as credentials, found in the request: never written, only looked for before writing. */
interface Seen {
  file: Omit<RecordedFile, 'recordedAt'>
  credentials: string[]
}

/**
 * Does the file carry a credential the client sent: any run of 8 or more of its characters (as the kit's output boundary
 * treats a secret), or a shorter credential whole inside a value the client chose?
 */
export function leaksCredential(file: Omit<RecordedFile, 'recordedAt'>, credentials: string[]): boolean {
  const text = JSON.stringify(file)
  const free = [file.path, file.contentType ?? '', file.accept ?? '', ...file.params.flatMap((p) => [p.name, p.value])]
  return credentials.some((c) => {
    if (c.length < 8) return free.some((v) => v.includes(c) && v !== ID_PLACEHOLDER && v !== SECRET_PLACEHOLDER)
    for (let i = 0; i + 8 <= c.length; i++) if (text.includes(c.slice(i, i + 8))) return true
    return false
  })
}

/** The host the client called: from the Host header, the --as URL, or (failing both) the path. */
function hostOf(req: IncomingMessage, path: string, as?: string): Pick<RecordedFile, 'host' | 'hostFrom'> {
  const name = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase()
  if (name.startsWith('auth.')) return { host: 'auth', hostFrom: 'the Host header (auth.<domain>)' }
  if (name.startsWith('gateway.')) return { host: 'gateway', hostFrom: 'the Host header (gateway.<domain>)' }
  if (as) {
    const h = new URL(as).hostname
    return { host: h.startsWith('gateway.') ? 'gateway' : 'auth', hostFrom: `--as ${new URL(as).origin}` }
  }
  return path.startsWith('/auth/')
    ? { host: 'gateway', hostFrom: 'the path (/auth/token is the gateway route)' }
    : { host: 'auth', hostFrom: 'the path (/token is the auth service route)' }
}

/** The only values written as sent: grant types, and a scope of plain words. Everything else is a placeholder. */
const GRANT_TYPES = new Set(['client_credentials', 'password', 'refresh_token', 'authorization_code'])
const SAFE_SCOPE = /^[A-Za-z0-9_.:/ -]{0,200}$/

/** A name with case, "-", "_", " " and "." folded: "Client-Secret" and "client_secret" are the same name. */
const fold = (name: string) => name.toLowerCase().replace(/[\s._-]/g, '')
/** Names whose value is a credential, whatever their case or spelling (nested keys included). */
const SECRETISH = /secret|pass|pwd|token|key|credential|auth|assertion|bearer|signature|cookie|session|otp|pin/

/** Is this parameter a credential by its name: client_id, or anything named like a secret? */
export function credentialName(name: string): 'id' | 'secret' | null {
  const f = fold(name)
  if (f === 'clientid') return 'id'
  return f === 'clientsecret' || SECRETISH.test(f) ? 'secret' : null
}

/** A parameter's value as written: allow-listed values as sent, placeholders for everything else. */
function placeholder(name: string, v: string, creds: string[]): string {
  const kind = credentialName(name)
  if (kind === 'id') return ID_PLACEHOLDER
  if (kind === 'secret') return SECRET_PLACEHOLDER
  if (creds.some((c) => c && v.includes(c))) return SECRET_PLACEHOLDER
  if (name === 'grant_type' && GRANT_TYPES.has(v)) return v
  if (name === 'scope' && SAFE_SCOPE.test(v)) return v
  return VALUE_PLACEHOLDER
}

/** Every leaf inside a value, as text: what a leak check must look for. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v]
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings)
  return v === null || v === undefined ? [] : [String(v)]
}

/** The body, parsed as its content type says: the parameters it holds, and what kind it was. */
function bodyParams(
  ct: string,
  raw: string,
  sent: boolean,
): { kind: RecordedFile['body']; params: Array<[string, string, unknown?]> } {
  if (!sent) return { kind: 'none', params: [] }
  if (!raw.length) return { kind: 'empty', params: [] }
  if (ct === 'application/x-www-form-urlencoded') return { kind: 'form', params: [...new URLSearchParams(raw)] }
  if (ct === 'application/json' || ct.endsWith('+json')) {
    try {
      const o = JSON.parse(raw) as unknown
      if (o && typeof o === 'object' && !Array.isArray(o))
        return {
          kind: 'json',
          params: Object.entries(o).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v), v]),
        }
    } catch {
      // a body its content type cannot parse: the release's route cannot either
    }
  }
  return { kind: 'other', params: [] }
}

/** The request as a recorded client, and the credentials it carried (kept only to check the file before writing). */
export function describe(
  req: IncomingMessage,
  raw: string,
  opts: Pick<RecordOptions, 'name' | 'release' | 'as'>,
): Seen {
  const url = new URL(req.url ?? '/', 'http://recorder')
  const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  const sent = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined
  const body = bodyParams(ct, raw, sent)
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')
  const pair = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8') : undefined
  const [user, pass] = pair === undefined ? [] : [pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)]
  const all: Array<[string, string, RecordedParam['in'], unknown?]> = [
    ...[...url.searchParams].map(([k, v]) => [k, v, 'query'] as [string, string, 'query']),
    ...body.params.map(([k, v, o]) => [k, v, body.kind as 'json' | 'form', o] as [string, string, 'json', unknown]),
    ...(pair === undefined
      ? []
      : ([
          ['client_id', safeDecode(user!), 'basic'],
          ['client_secret', safeDecode(pass!), 'basic'],
        ] as Array<[string, string, 'basic']>)),
  ]
  const creds = all.flatMap(([k, v, , o]) => [
    ...(credentialName(k) ? (o && typeof o === 'object' ? strings(o) : [v]) : []),
    ...nestedCredentials(o),
  ])
  const params = all.map(([name, v, where]) => ({
    name: name.slice(0, 64),
    in: where,
    value: placeholder(name, v, creds),
  }))
  const file: Seen['file'] = {
    format: RECORDED_FORMAT,
    name: opts.name,
    ...hostOf(req, url.pathname, opts.as),
    ...(opts.as ? { urlSetting: opts.as.slice(0, 200) } : {}),
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname.slice(0, 200),
    params,
    contentType: req.headers['content-type']?.slice(0, 200) ?? null,
    accept: req.headers.accept?.slice(0, 200) ?? null,
    body: body.kind,
    recordedWith: opts.release,
  }
  return { file, credentials: [...new Set(creds)].filter((c) => c.length > 0) }
}

/** The values held under credential names anywhere inside a JSON value ({"credentials": {"client_secret": ...}}). */
function nestedCredentials(v: unknown): string[] {
  if (!v || typeof v !== 'object') return []
  return Object.entries(v).flatMap(([k, x]) => (credentialName(k) ? strings(x) : nestedCredentials(x)))
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '))
  } catch {
    return s
  }
}

/** A token in the release's shape, signed by a key made for this recording and thrown away with it. */
async function tokenFor(release: ProfileId, key: CryptoKey | import('node:crypto').KeyObject): Promise<string> {
  const p = PROFILES[release]
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({
    scope: p.defaultScopes.NOTIFICATION ?? [],
    ...(p.jwt.userType ? { userType: p.jwt.userType } : {}),
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + (p.lifetime.default ?? 600))
    .setAudience(p.jwt.aud)
    .setIssuer(p.jwt.iss)
    .setSubject(p.jwt.sub === 'client-id' ? randomUUID() : randomUUID().replace(/-/g, '').slice(0, 24))
    .sign(key)
}

/** A request that asks for a token: a path ending in /token (the auth service's /token, the gateway's /auth/token). */
const isTokenRequest = (path: string) => /\/token\/?$/.test(path)

export interface Recording {
  port: number
  /** Resolves once a token request came, with --once. */
  done: Promise<void>
  /** Stop, and write what was recorded: the file written, or why nothing was. */
  stop(): Promise<{ file: string } | { error: string }>
}

/** Start the recorder. Refuses at once a name that escapes the folder or is already recorded there. */
export async function startRecorder(opts: RecordOptions): Promise<Recording> {
  const target = fileFor(opts.dir, opts.name)
  if (existsSync(target))
    throw new Error(
      `${target} already exists: another client is recorded under "${opts.name}". Record this one under another name, or delete that file first to record it again.`,
    )
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  let first: Seen | undefined
  let finish: () => void = () => {}
  const done = new Promise<void>((r) => (finish = r))
  const handler = (req: IncomingMessage, res: ServerResponse) =>
    readBody(req, async (raw) => {
      const path = new URL(req.url ?? '/', 'http://recorder').pathname
      if (!isTokenRequest(path)) {
        opts.log(neutral(`${req.method} ${path.slice(0, 200)}: not a token request, answered 404`))
        return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}')
      }
      const seen = describe(req, raw, opts)
      if (!first) {
        first = seen
        opts.log(`recorded: ${summary(seen.file)}`)
      } else if (JSON.stringify(first.file) !== JSON.stringify(seen.file))
        opts.log(
          `a different token request (${summary(seen.file)}) was answered, not recorded: record it under its own name`,
        )
      const token = await tokenFor(opts.release, privateKey)
      res
        .writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
          pragma: 'no-cache',
        })
        .end(JSON.stringify({ access_token: token, token_type: 'Bearer' }))
      if (opts.once) finish()
    })
  const server: Server = opts.tls ? createHttpsServer(opts.tls, handler) : createHttpServer(handler)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  return {
    port: (server.address() as AddressInfo).port,
    done,
    stop: async () => {
      await new Promise<void>((r) => {
        server.closeAllConnections?.()
        server.close(() => r())
      })
      return first
        ? write(target, opts.dir, first)
        : { error: 'no token request came to the recorder: nothing written' }
    },
  }
}

function readBody(req: IncomingMessage, then: (raw: string) => Promise<void>): void {
  const chunks: Buffer[] = []
  let size = 0
  req.on('data', (c: Buffer) => {
    size += c.length
    if (size <= MAX_BODY) chunks.push(c)
  })
  req.on('end', () => void then(Buffer.concat(chunks).toString('utf8')).catch(() => req.socket.destroy()))
}

/** One line for the console: method, host, path and where each parameter went (no value but placeholders). */
export function summary(f: Omit<RecordedFile, 'recordedAt'>): string {
  const params = f.params.map((p) => `${p.name}@${p.in}`).join(', ') || 'no parameters'
  return neutral(
    `${f.method} ${f.host}.<domain>${f.path} (host from ${f.hostFrom}); ${params}; Content-Type ${f.contentType ?? '(none)'}; Accept ${f.accept ?? '(none)'}; body ${f.body}`,
  )
}

/** Write the file, exclusively (never over another client's), after checking it holds no credential and is valid. */
function write(target: string, dir: string, seen: Seen): { file: string } | { error: string } {
  const file: RecordedFile = { ...seen.file, recordedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }
  if (leaksCredential(file, seen.credentials))
    return { error: 'the recording would hold a credential the client sent: nothing written' }
  const problems = fileProblems(file, file.name)
  if (problems.length)
    return { error: `the recording is not a valid client file (${problems.join('; ')}): nothing written` }
  mkdirSync(dir, { recursive: true })
  try {
    writeFileSync(target, `${JSON.stringify(file, null, 2)}\n`, { flag: 'wx' })
  } catch (e) {
    return {
      error: `${target}: ${(e as NodeJS.ErrnoException).code === 'EEXIST' ? 'another client was recorded under this name meanwhile; nothing overwritten' : (e as Error).message}`,
    }
  }
  return { file: target }
}
