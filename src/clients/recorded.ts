/**
 * A country's own token clients, recorded once as files (npm run clients -- record NAME; schemas/recorded-client.schema.json)
 * and judged like the known ones: the file read, validated (each problem naming its field and what to write), and
 * turned into a client of the catalogue's shape whose request is replayed exactly as recorded.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, join, resolve, sep } from 'node:path'
import { readBounded } from '../config/bounded-read.ts'
import type { HttpRequest } from '../http/index.ts'
import { schemaPath, validate } from '../schemas/index.ts'
import { KNOWN_CLIENT_IDS, type KnownClient, type ParamPlace } from './catalogue.ts'
import {
  ID_PLACEHOLDER,
  SECRET_PLACEHOLDER,
  type ParamIn,
  type RecordedFile,
  type RecordedParam,
} from './recorded-file.ts'

export {
  ID_PLACEHOLDER,
  RECORDED_FORMAT,
  SECRET_PLACEHOLDER,
  type RecordedFile,
  type RecordedParam,
} from './recorded-file.ts'

/** The most recorded files one folder may hold (each adds at most one request to a run). */
export const MAX_RECORDED = 20
const MAX_FILE_BYTES = 64 * 1024

/** A file that could not be used: its client is listed as not checked, the others are replayed. */
export interface RefusedFile {
  id: string
  file: string
  problems: string[]
}

/** The folder's clients (CONFORMANCE_CLIENTS_DIR), read once when the configuration is. */
export interface RecordedSet {
  dir: string
  clients: KnownClient[]
  refused: RefusedFile[]
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/

/** Why a client name cannot be a file name in the folder (it would escape it, or collide), or null. */
export function badName(name: string): string | null {
  if (!NAME.test(name) || name.includes('..'))
    return `"${name}" is not a client name: write 1-64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit (no "/", no "..")`
  if (KNOWN_CLIENT_IDS.includes(name))
    return `"${name}" is a client the kit already knows (src/clients/catalogue.ts): name your own client differently`
  return null
}

/** The file a client name is kept in, inside the folder (never outside it). */
export function fileFor(dir: string, name: string): string {
  const why = badName(name)
  if (why) throw new Error(why)
  const file = resolve(dir, `${name}.json`)
  if (!file.startsWith(resolve(dir) + sep)) throw new Error(`"${name}" would be written outside ${dir}`)
  return file
}

const schema = () => JSON.parse(readFileSync(schemaPath('recorded-client'), 'utf8')) as Record<string, unknown>

/** What the schema says a field holds ("params.0.value" -> the description of a parameter's value). */
function whatToWrite(field: string): string {
  let node: Record<string, unknown> | undefined = schema()
  const defs = node.$defs as Record<string, Record<string, unknown>>
  for (const part of field.split('.')) {
    if (!node) break
    if (/^\d+$/.test(part)) {
      const items = node.items as { $ref?: string } | undefined
      node = items?.$ref ? defs[items.$ref.split('/').pop()!] : (items as Record<string, unknown> | undefined)
    } else node = (node.properties as Record<string, Record<string, unknown>> | undefined)?.[part]
  }
  const allowed = Array.isArray(node?.enum)
    ? ` Write one of: ${(node.enum as string[]).join(', ')}.`
    : node?.const !== undefined
      ? ` Write ${JSON.stringify(node.const)}.`
      : ''
  return typeof node?.description === 'string' ? ` (${node.description}${allowed})` : allowed
}

/** Every problem of a parsed file, each naming its field and what to write there (empty when it is usable). */
export function fileProblems(value: unknown, expectedName?: string): string[] {
  const problems = validate('recorded-client', value)
    .filter((m) => !/\[(if|anyOf)\]$/.test(m))
    .map((m) => m.replace(/^\(body\)/, '(file)'))
    // the pattern itself helps no one: say what is wrong (the field's description, added below, says what to write)
    .map((m) =>
      m.replace(
        /must match pattern "[^"]*"( \[pattern\])?/,
        'holds a character not allowed there (a control character, or outside its allowed set)',
      ),
    )
  const out = [...new Set(problems)].map((m) => `${m}${whatToWrite(m.split(':')[0]!)}`)
  const name = (value as { name?: unknown } | null)?.name
  if (!out.length && expectedName !== undefined && name !== expectedName)
    out.push(`name: must be "${expectedName}", the file's name without .json`)
  if (!out.length && typeof name === 'string' && KNOWN_CLIENT_IDS.includes(name))
    out.push(`name: "${name}" is a client the kit already knows: rename the file and its name`)
  return out
}

/** Read one file: the client, or the problems that keep it out (the field named, nothing of the file's text shown). */
export function readRecorded(file: string): { client: KnownClient } | { problems: string[] } {
  const id = basename(file, '.json')
  try {
    const parsed = JSON.parse(readBounded(file, MAX_FILE_BYTES)) as unknown
    const problems = fileProblems(parsed, id)
    return problems.length ? { problems } : { client: toClient(parsed as RecordedFile, file) }
  } catch (e) {
    return { problems: [`(file): ${e instanceof SyntaxError ? 'not JSON' : (e as Error).message}`] }
  }
}

/** Every *.json in the folder; a missing default folder is an empty set. */
export function loadRecorded(dir: string): RecordedSet {
  const set: RecordedSet = { dir, clients: [], refused: [] }
  if (!existsSync(dir)) return set
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
  for (const f of names.slice(0, MAX_RECORDED)) {
    const file = join(dir, f)
    const got = readRecorded(file)
    if ('client' in got) set.clients.push(got.client)
    else set.refused.push({ id: basename(f, '.json'), file, problems: got.problems })
  }
  for (const f of names.slice(MAX_RECORDED))
    set.refused.push({
      id: basename(f, '.json'),
      file: join(dir, f),
      problems: [`(folder): over ${MAX_RECORDED} files`],
    })
  return set
}

/** The catalogue's name for where the credentials go, when the recording matches one of its shapes. */
function placeOf(r: RecordedFile): ParamPlace {
  const places = new Set(r.params.map((p) => p.in))
  if (places.size === 1) return [...places][0]!
  if (places.size === 2 && places.has('query') && places.has('json')) return 'query+json'
  return 'mixed'
}

/** A recorded client in the catalogue's shape: the request itself is `recorded`, replayed as it is. */
export function toClient(r: RecordedFile, file: string): KnownClient {
  return {
    id: r.name,
    name: `${r.name} (recorded${r.description ? `: ${r.description.slice(0, 80)}` : ''})`,
    versions: r.recordedAt ? `recorded ${r.recordedAt.slice(0, 10)}` : 'recorded',
    source: file,
    hosts: [r.host],
    ...(r.urlSetting
      ? {
          setting: {
            name: `its token URL setting (recorded as ${r.urlSetting})`,
            auth: 'https://auth.<domain>/token',
            gateway: 'https://gateway.<domain>/auth/token',
          },
        }
      : {}),
    method: 'POST',
    params: placeOf(r),
    order: [],
    headers: {
      ...(r.contentType !== null ? { 'content-type': r.contentType } : {}),
      ...(r.accept !== null ? { accept: r.accept } : {}),
    },
    reads: 'as recorded',
    followsRedirects: false,
    evidence: 'checked',
    recorded: r,
  }
}

/** The recorded request to a host whose token URL is `url` (its path replaced by the recorded one), dummy credentials in. */
export function recordedRequest(r: RecordedFile, url: string, dummy: { id: string; secret: string }): HttpRequest {
  const u = new URL(url)
  const value = (p: RecordedParam) =>
    p.value === ID_PLACEHOLDER ? dummy.id : p.value === SECRET_PLACEHOLDER ? dummy.secret : p.value
  const where = (w: ParamIn) => r.params.filter((p) => p.in === w)
  const query = new URLSearchParams(where('query').map((p) => [p.name, value(p)]))
  const basic = where('basic')
  const cred = (n: string) => basic.find((p) => p.name === n)
  const headers: Record<string, string> = {
    ...(r.contentType !== null ? { 'content-type': r.contentType } : {}),
    ...(r.accept !== null ? { accept: r.accept } : {}),
    ...(basic.length
      ? {
          authorization: `Basic ${Buffer.from(`${cred('client_id') ? value(cred('client_id')!) : ''}:${cred('client_secret') ? value(cred('client_secret')!) : ''}`).toString('base64')}`,
        }
      : {}),
  }
  const body =
    r.body === 'json'
      ? JSON.stringify(Object.fromEntries(where('json').map((p) => [p.name, value(p)])))
      : r.body === 'form'
        ? new URLSearchParams(where('form').map((p) => [p.name, value(p)])).toString()
        : r.body === 'none'
          ? undefined
          : ''
  const base = u.pathname.endsWith('/auth/token')
    ? u.pathname.slice(0, -'/auth/token'.length)
    : u.pathname.slice(0, -'/token'.length)
  return {
    method: r.method,
    url: `${u.origin}${base}${r.path}${query.size ? `?${query.toString()}` : ''}`,
    headers,
    ...(body === undefined ? {} : { body }),
  }
}
