/**
 * Extract the recorded cases of ../shared/reference/real-auth-transcripts.md into selftest/transcripts/auth-cases.json,
 * and those of real-gateway-transcripts.md and real-events-transcripts.md into selftest/transcripts/gateway-cases.json:
 * the data the replay tests run against the emulator. Tokens are kept only as their decoded header and claims.
 *   npx tsx selftest/tools/extract-transcripts.ts [reference-folder]
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export interface TranscriptCase {
  release: string
  /** gateway and events recordings: which recorded service answered (by its port). */
  service?: 'auth' | 'gateway' | 'events'
  n: number
  title: string
  request: {
    method: string
    path: string
    headers: Record<string, string>
    body?: string
    form?: Record<string, string>
    basic?: string
    compressed?: boolean
  }
  response: {
    status: number
    headers: Record<string, string>
    body: string
    jwt?: { header: Record<string, unknown>; payload: Record<string, unknown> }
    lifetime?: number
  }
}

const APPENDICES: Array<[string, string]> = [
  ['## Appendix D: full transcripts, auth v1.9.15', '1.9'],
  ['## Appendix E: full transcripts, auth v2.0.0', '2.0'],
  ['## Appendix F: full transcripts, auth v1.8.3', '1.8'],
]

function shellWords(cmd: string): string[] {
  const out: string[] = []
  let cur = ''
  let quote: string | null = null
  let has = false
  for (const ch of cmd) {
    if (quote) {
      if (ch === quote) quote = null
      else cur += ch
    } else if (ch === "'" || ch === '"') {
      quote = ch
      has = true
    } else if (/\s/.test(ch)) {
      if (has || cur) out.push(cur)
      cur = ''
      has = false
    } else cur += ch
  }
  if (has || cur) out.push(cur)
  return out
}

function parseCurl(cmd: string): TranscriptCase['request'] {
  const words = shellWords(cmd.replace(/^\$ /, ''))
  const req: TranscriptCase['request'] = { method: 'GET', path: '', headers: {} }
  let explicitMethod = false
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!
    if (w === '-i') continue
    else if (w === '-X') {
      req.method = words[++i]!
      explicitMethod = true
    } else if (w === '-I') {
      req.method = 'HEAD'
      explicitMethod = true
    } else if (w === '-H') {
      const [k, ...v] = words[++i]!.split(':')
      req.headers[k!.trim().toLowerCase()] = v.join(':').trim()
    } else if (w === '-d' || w === '--data') req.body = words[++i]!
    else if (w === '-F') {
      const [k, ...v] = words[++i]!.split('=')
      req.form = { ...(req.form ?? {}), [k!]: v.join('=') }
    } else if (w === '-u') req.basic = words[++i]!
    else if (w === '--compressed') req.compressed = true
    else if (/^https?:\/\//.test(w)) {
      const u = new URL(w)
      req.path = u.pathname + u.search
    } else throw new Error(`unknown curl word ${w}`)
  }
  if (!explicitMethod && (req.body !== undefined || req.form)) req.method = 'POST'
  if (req.body !== undefined && !req.headers['content-type'])
    req.headers['content-type'] = 'application/x-www-form-urlencoded'
  return req
}

/** The recorded services of the gateway and events transcripts, by the port they listened on. */
const SERVICE_BY_PORT: Record<string, 'auth' | 'gateway' | 'events'> = {
  '4040': 'auth',
  '4042': 'auth',
  '7070': 'gateway',
  '7072': 'gateway',
  '5556': 'events',
}
const ROUTE_SECTIONS: Array<[string, string]> = [
  ['## Gateway v1.9.15 transcripts', '1.9'],
  ['## Gateway v2.0.0 transcripts', '2.0'],
  ['## Events v2.0.0 transcripts', '2.0'],
]

export function extract(markdown: string, sections: Array<[string, string]> = APPENDICES): TranscriptCase[] {
  const cases: TranscriptCase[] = []
  for (const [heading, release] of sections) {
    const start = markdown.indexOf(heading)
    if (start < 0) throw new Error(`missing ${heading}`)
    const end = markdown.indexOf('\n## ', start + heading.length)
    const section = markdown.slice(start, end < 0 ? undefined : end)
    const parts = section.split(/\n#### (\d+)\. (.*)\n/)
    for (let i = 1; i < parts.length; i += 3) {
      const n = Number(parts[i])
      const title = parts[i + 1]!
      const text = parts[i + 2]!
      const block = /```\n(\$ curl[^\n]*)\n([\s\S]*?)\n```/.exec(text)
      if (!block) throw new Error(`${release} #${n}: no transcript block`)
      const [head, ...bodyParts] = block[2]!.split(/\r?\n\r?\n/)
      const headLines = head!.split('\n')
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headLines[0]!)![1])
      const headers: Record<string, string> = {}
      for (const line of headLines.slice(1)) {
        const idx = line.indexOf(':')
        if (idx > 0) headers[line.slice(0, idx).toLowerCase()] = line.slice(idx + 1).trim()
      }
      delete headers.date
      let body = bodyParts.join('\n\n').trim()
      const response: TranscriptCase['response'] = { status, headers, body }
      if (/"access_token":"/.test(body)) {
        const decoded = /\/\/ header\n([\s\S]*?)\n\/\/ payload\n([\s\S]*?)\n```/.exec(text)
        if (!decoded) throw new Error(`${release} #${n}: token without decoded claims`)
        response.jwt = { header: JSON.parse(decoded[1]!), payload: JSON.parse(decoded[2]!) }
        const life = /exp - iat = (\d+) s/.exec(text)
        if (life) response.lifetime = Number(life[1])
        body = body.replace(/"access_token":"[^"]*"/, '"access_token":"<JWT>"')
        response.body = body
      }
      const port = /https?:\/\/[^/:\s']+:(\d+)/.exec(block[1]!)?.[1] ?? ''
      cases.push({
        release,
        ...(sections === APPENDICES ? {} : { service: SERVICE_BY_PORT[port] ?? 'gateway' }),
        n,
        title,
        request: parseCurl(block[1]!),
        response,
      })
    }
  }
  return cases
}

/** The gateway and events recordings, one list. */
export function extractRoutes(gatewayMarkdown: string, eventsMarkdown: string): TranscriptCase[] {
  const tag = (source: string) => (c: TranscriptCase) => ({ ...c, title: `${source}: ${c.title}` })
  return [
    ...extract(gatewayMarkdown, ROUTE_SECTIONS.slice(0, 2)).map(tag('gateway')),
    ...extract(eventsMarkdown, ROUTE_SECTIONS.slice(2)).map(tag('events')),
  ]
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const folder = process.argv[2] ?? fileURLToPath(new URL('../../../shared/reference/', import.meta.url))
  const read = (name: string) => readFileSync(`${folder.replace(/\/?$/, '/')}${name}`, 'utf8')
  const outputs: Array<[string, TranscriptCase[]]> = [
    ['auth-cases.json', extract(read('real-auth-transcripts.md'))],
    ['gateway-cases.json', extractRoutes(read('real-gateway-transcripts.md'), read('real-events-transcripts.md'))],
  ]
  for (const [name, cases] of outputs) {
    const target = new URL(`../transcripts/${name}`, import.meta.url)
    writeFileSync(target, `${JSON.stringify(cases, null, 1)}\n`)
    console.log(
      `extracted ${cases.length} cases (${[...new Set(cases.map((c) => c.release))].join(', ')}) to ${fileURLToPath(target)}`,
    )
  }
}
