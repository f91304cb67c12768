/**
 * Evidence first, verdicts second. Every request a check needs, every TLS handshake and every deliberate wait
 * goes through a Recorder, under a key naming what it is ("probe:wrong-secret", "token:SEARCH:form").
 *
 * - live (the collector, once per run): the request is sent, under the run's budget, deadline and size cap, and
 *   its answer, or the error it ended in, is kept under its key. Waits are real.
 * - replay (the Playwright workers, and the graders' unit tests): the same key returns what was kept, and
 *   nothing is sent; a wait returns at once. A key that was never collected is a bug in the kit, said so.
 *
 * So a check body is a pure function of the evidence: re-run in any worker, restarted or not, it sends nothing
 * and gives the same outcome. The evidence lives in memory only (it holds tokens): never on disk.
 */
import {
  BudgetExceeded,
  EXCHANGES,
  noRequests,
  parseJson,
  RateLimited,
  type RequestStats,
  TargetMisbehaved,
  TlsFailure,
  type HttpClient,
  type HttpExchange,
  type HttpRequest,
} from '../http/index.ts'
import { adoptRegistry, registryEntries } from '../redact/index.ts'

/** What a collected action ended in: its value, or the error it threw (by class name, to be thrown again). */
type Kept = { value: unknown } | { thrown: { name: string; message: string; max?: number } }

export interface EvidenceSnapshot {
  /** Every action the checks asked for, by key. */
  kept: Record<string, Kept>
  /** The redaction registry of the collecting process: dummy secrets and forged tokens it made up included. */
  registry: Array<[string, string, (boolean | number)?]>
  /** The requests the collection sent. */
  requests: RequestStats
}

/** A check asked for evidence the collection did not gather: a kit bug (a key built from something that varies). */
export class NotCollected extends Error {}

/** Errors that travel with the evidence, rebuilt as their own class so the checks treat them as they did live. */
const REVIVE: Record<string, (message: string, max?: number) => Error> = {
  BudgetExceeded: (_m, max) => new BudgetExceeded(max ?? 0),
  TargetMisbehaved: (m) => new TargetMisbehaved(m),
  TlsFailure: (m) => new TlsFailure(m),
  RateLimited: (m) => new RateLimited(m),
}

export class Recorder {
  private readonly live = new Map<string, Promise<unknown>>()
  private kept: Record<string, Kept> = {}

  private constructor(
    readonly mode: 'live' | 'replay',
    /** The run's HTTP client (live only). */
    private readonly http: HttpClient | undefined,
    snapshot?: EvidenceSnapshot,
    /** Errors of the caller's own classes that must travel too (e.g. a check's "cannot run here"). */
    private readonly revive: Record<string, (message: string) => Error> = {},
  ) {
    if (snapshot) {
      this.kept = snapshot.kept
      adoptRegistry(snapshot.registry)
    }
  }

  static live(http: HttpClient, revive: Record<string, (message: string) => Error> = {}): Recorder {
    return new Recorder('live', http, undefined, revive)
  }

  static replay(snapshot: EvidenceSnapshot, revive: Record<string, (message: string) => Error> = {}): Recorder {
    return new Recorder('replay', undefined, snapshot, revive)
  }

  /** The run's HTTP client, for an action being collected; replaying, there is none. */
  client(): HttpClient {
    if (!this.http)
      throw new NotCollected('a check tried to reach the target while grading kept evidence: a bug in the kit')
    return this.http
  }

  /** Send one request (inside an action being recorded). */
  send(req: HttpRequest, timeoutMs?: number): Promise<HttpExchange> {
    return this.client().send(req, timeoutMs)
  }

  /**
   * The action under a key: done once (live) and kept, or what was kept (replay). Concurrent askers share one
   * action. `produce` must return plain data (JSON-safe: an exchange, a decoded token, TLS facts).
   */
  record<T>(key: string, produce: () => Promise<T>): Promise<T> {
    let p = this.live.get(key) as Promise<T> | undefined
    if (p) return p
    if (this.mode === 'replay') {
      const k = this.kept[key]
      if (!k)
        throw new NotCollected(
          `the evidence holds nothing for "${key}": a bug in the kit (the collection did not ask for what this check needs)`,
        )
      p = 'thrown' in k ? Promise.reject(this.rebuild(k.thrown)) : Promise.resolve(k.value as T)
      p.catch(() => {}) // rejections are seen by whoever awaits the key
    } else {
      p = produce().then(
        (value) => {
          this.kept[key] = { value }
          return value
        },
        (e: unknown) => {
          const err = e instanceof Error ? e : new Error(String(e))
          this.kept[key] = {
            thrown: {
              name: err.constructor.name,
              message: err.message,
              ...(err instanceof BudgetExceeded ? { max: err.max } : {}),
            },
          }
          throw err
        },
      )
    }
    this.live.set(key, p)
    return p
  }

  /**
   * A recorder that replays what this one has kept so far and sends nothing: the same evidence seen through
   * another release profile (a key it never asked for is NotCollected).
   */
  view(): Recorder {
    return new Recorder('replay', undefined, { kept: this.kept, registry: [], requests: noRequests() }, this.revive)
  }

  /** Drop a kept action so the next ask does it again (live only: a token too close to its exp). */
  forget(key: string): void {
    if (this.mode !== 'live') return
    this.live.delete(key)
    delete this.kept[key]
  }

  /** A deliberate wait (the next second, a token's expiry): real when collecting, none when replaying. */
  sleep(ms: number): Promise<void> {
    return this.mode === 'live' && ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve()
  }

  private rebuild(t: { name: string; message: string; max?: number }): Error {
    const own = this.revive[t.name]
    if (own) return own(t.message)
    const known = REVIVE[t.name]
    if (known) return known(t.message, t.max)
    const e = new Error(t.message)
    e.stack = t.message
    return e
  }

  /** Everything kept, to hand to the workers (in memory: it holds tokens). */
  snapshot(): EvidenceSnapshot {
    return { kept: this.kept, registry: registryEntries(), requests: { ...(this.http?.stats ?? noRequests()) } }
  }
}

/**
 * The snapshot as text, and back, exactly: what is graded is what was collected, whatever names a target's JSON
 * uses. An exchange's parsed body (`json`) is left out, its `bodyText` being there, and parsed again on arrival;
 * the exchanges are found by identity (the objects HttpClient.send made, see EXCHANGES), never by the names
 * of their members, and their places travel beside the evidence as paths. A body's JSON may nest deeper than any
 * recursion allows: it is not walked.
 */
export function serializeSnapshot(s: EvidenceSnapshot): string {
  const paths: Array<Array<string | number>> = []
  const stack: Array<[unknown, Array<string | number>]> = [[s.kept, []]]
  while (stack.length) {
    const [v, path] = stack.pop()!
    if (!v || typeof v !== 'object') continue
    if (EXCHANGES.has(v)) {
      paths.push(path)
      // an exchange's members other than its body's JSON: its request and headers hold no exchange
      continue
    }
    for (const [k, x] of Object.entries(v)) stack.push([x, [...path, Array.isArray(v) ? Number(k) : k]])
  }
  const text = JSON.stringify(s, function (this: unknown, k, v) {
    return k === 'json' && EXCHANGES.has(this as object) ? undefined : v
  })
  return `${JSON.stringify(paths)}\n${text}`
}

/** The request counts of a snapshot's text, without reviving its bodies. */
export function snapshotRequests(text: string): EvidenceSnapshot['requests'] {
  return (JSON.parse(text.slice(text.indexOf('\n') + 1)) as EvidenceSnapshot).requests
}

export function parseSnapshot(text: string): EvidenceSnapshot {
  const nl = text.indexOf('\n')
  const paths = JSON.parse(text.slice(0, nl)) as Array<Array<string | number>>
  const s = JSON.parse(text.slice(nl + 1)) as EvidenceSnapshot
  for (const path of paths) {
    let o: unknown = s.kept
    for (const step of path) o = (o as Record<string | number, unknown>)[step]
    const ex = o as { bodyText: string; json?: unknown }
    ex.json = parseJson(ex.bodyText)
  }
  return s
}
