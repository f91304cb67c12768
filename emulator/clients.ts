/**
 * The registered integration clients, as user-mgnt (v1.x) or the events service's integrations (v2.0) keep them:
 * their lookup by id and secret, and the lifecycle the national system admin drives from the OpenCRVS UI (refresh
 * the secret, deactivate, activate, delete). The faults that change either are read once, in lookupFaults().
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { scopesFor, type Line, type SystemType } from './releases.ts'

export interface EmulatorClient {
  clientId: string
  secret: string
  type: SystemType
  status: 'active' | 'deactivated'
  /** v1.x: the system's Mongo _id (24 hex), which becomes `sub`. Generated when absent. */
  systemId?: string
  /** Scopes stored for the client; by default those its type gets in the release. */
  scopes?: string[]
}

/** A client as stored: its `sub` and its scopes filled in. */
export type StoredClient = EmulatorClient & { systemId: string; scopes: string[] }

/** Demo clients with fresh random ids and secrets: notification, search, and a deactivated notification client. */
export function demoClients(): EmulatorClient[] {
  return [
    { clientId: randomUUID(), secret: randomUUID(), type: 'HEALTH', status: 'active' },
    { clientId: randomUUID(), secret: randomUUID(), type: 'RECORD_SEARCH', status: 'active' },
    { clientId: randomUUID(), secret: randomUUID(), type: 'HEALTH', status: 'deactivated' },
  ]
}

/** The clients the demo's lifecycle flow acts on (seedLifecycle): three notification clients, two search clients. */
export function lifecycleDemoClients(): EmulatorClient[] {
  const c = (type: SystemType): EmulatorClient => ({
    clientId: randomUUID(),
    secret: randomUUID(),
    type,
    status: 'active',
  })
  return [c('HEALTH'), c('HEALTH'), c('RECORD_SEARCH'), c('HEALTH'), c('RECORD_SEARCH')]
}

/** What the lifecycle flow left behind, as an operator writes it down for the kit. */
export interface SeededLifecycle {
  rotated: { id: string; oldSecret: string; secret: string }
  deleted: { id: string; secret: string }
  reenabled: { id: string; secret: string; type: 'SEARCH' }
  retired: Array<{ id: string; secret: string }>
}

/**
 * Emulator control (not OpenCRVS), for the demo of a lifecycle fault: what a national system admin does before
 * go-live, on the five clients of lifecycleDemoClients(): refresh one's secret, delete one, deactivate and activate
 * one (a search client), delete two rehearsal clients whose credentials must then be dead.
 */
export function seedLifecycle(admin: ClientRegistry['admin'], five: EmulatorClient[]): SeededLifecycle {
  const [rotated, deleted, reenabled, retiredA, retiredB] = five.map((c) => ({ id: c.clientId, secret: c.secret }))
  if (!rotated || !deleted || !reenabled || !retiredA || !retiredB) throw new Error('emulator: five clients needed')
  const secret = admin.rotate(rotated.id)
  admin.remove(deleted.id)
  admin.deactivate(reenabled.id)
  admin.activate(reenabled.id)
  admin.remove(retiredA.id)
  admin.remove(retiredB.id)
  return {
    rotated: { id: rotated.id, oldSecret: rotated.secret, secret },
    deleted,
    reenabled: { ...reenabled, type: 'SEARCH' },
    retired: [retiredA, retiredB],
  }
}

function lookupFaults(faults: Set<string>) {
  return {
    oldSecretWorks: faults.has('rotation-keeps-old-secret'),
    caseInsensitive: faults.has('secret-case-insensitive'),
    prefixMatch: faults.has('secret-prefix-match'),
    anySecret: faults.has('wrong-secret-accepted'),
    reenableFails: faults.has('reenabled-still-refused'),
    deleteKeeps: faults.has('deleted-client-served'),
  } as const
}

export class ClientRegistry {
  readonly clients: StoredClient[]
  private readonly retired = new Map<string, string>() // client id -> old secret, for the rotation fault
  private readonly is: ReturnType<typeof lookupFaults>

  constructor(line: Line, events: string[], faults: Set<string>, clients: EmulatorClient[] = demoClients()) {
    this.is = lookupFaults(faults)
    this.clients = clients.map((c) => ({
      ...c,
      systemId: c.systemId ?? randomBytes(12).toString('hex'),
      scopes: c.scopes ?? scopesFor(line, c.type, events),
    }))
  }

  known(clientId: unknown): boolean {
    return this.clients.some((x) => x.clientId === clientId)
  }

  byId(clientId: unknown): StoredClient | undefined {
    return this.clients.find((x) => x.clientId === clientId)
  }

  /** user-mgnt /verifySystem (Joi string) or events integrations.authenticate (zod UUID): arrays fail. */
  lookup(clientId: unknown, secret: unknown): StoredClient | null {
    if (typeof clientId !== 'string' || typeof secret !== 'string') return null
    const c = this.byId(clientId)
    if (!c) return null
    const oldStillWorks = this.is.oldSecretWorks && this.retired.get(c.clientId) === secret
    // a comparison that ignores case, or stops at the shorter of the two (a prefix either way)
    const near =
      (this.is.caseInsensitive && c.secret.toLowerCase() === secret.toLowerCase()) ||
      (this.is.prefixMatch && secret.length > 0 && (c.secret.startsWith(secret) || secret.startsWith(c.secret)))
    if (c.secret !== secret && !oldStillWorks && !near && !this.is.anySecret) return null
    return c
  }

  private find(clientId: string): StoredClient {
    const c = this.byId(clientId)
    if (!c) throw new Error(`emulator: no client ${clientId}`)
    return c
  }

  /** Emulator controls (not OpenCRVS): what the national system admin does in the UI. */
  readonly admin = {
    /** "Refresh client secret": a new secret; the old one stops working. Returns the new secret. */
    rotate: (clientId: string): string => {
      const c = this.find(clientId)
      this.retired.set(c.clientId, c.secret)
      c.secret = randomUUID()
      return c.secret
    },
    deactivate: (clientId: string): void => {
      this.find(clientId).status = 'deactivated'
    },
    activate: (clientId: string): void => {
      if (!this.is.reenableFails) this.find(clientId).status = 'active'
    },
    remove: (clientId: string): void => {
      const i = this.clients.findIndex((x) => x.clientId === clientId)
      if (i < 0) throw new Error(`emulator: no client ${clientId}`)
      if (!this.is.deleteKeeps) this.clients.splice(i, 1)
    },
  }
}
