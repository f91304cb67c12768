/**
 * Certificates for the emulator's HTTPS mode: a throwaway CA and a server certificate for 127.0.0.1 and
 * localhost signed by it. The CA is written to a file for the kit to trust (OPENCRVS_CA_FILE).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generate } from 'selfsigned'

export interface EmulatorTls {
  key: string
  cert: string
  caCert: string
  /** A second certificate from the same CA, expired yesterday (for a gateway whose certificate lapsed alone). */
  expired: { key: string; cert: string }
  /** Where the CA certificate was written. */
  caFile: string
}

type TlsOptions = { days?: number; hostnames?: string[]; expired?: boolean }
const made = new Map<string, Promise<Omit<EmulatorTls, 'caFile'>>>()

/** Certificates for these options, made once per process (two RSA keys and signatures take seconds). */
export async function makeTls(opts: TlsOptions = {}): Promise<EmulatorTls> {
  const key = JSON.stringify(opts)
  let p = made.get(key)
  if (!p) made.set(key, (p = generateTls(opts)))
  const tls = await p
  return { ...tls, caFile: writePrivate('opencrvs-emulator-ca-', 'ca.pem', tls.caCert) }
}

/**
 * A file only this user can read, in a new private directory (mkdtemp, mode 0700), created exclusively (never
 * through a link another user planted): nothing the kit writes outside the report folder lands in a shared name.
 */
export function writePrivate(prefix: string, name: string, content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), prefix)), name)
  writeFileSync(file, content, { flag: 'wx', mode: 0o600 })
  return file
}

async function generateTls(opts: TlsOptions): Promise<Omit<EmulatorTls, 'caFile'>> {
  const now = new Date()
  const until = (days: number) => new Date(now.getTime() + days * 86_400_000)
  const ca = await generate([{ name: 'commonName', value: 'OpenCRVS conformance emulator test CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: until(365),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  })
  // by default: localhost, 127.0.0.1, and the names under the emulated domain its edge serves (emulator/edge.ts)
  const names = opts.hostnames ?? ['localhost', '*.opencrvs.test']
  const issue = (o: TlsOptions) =>
    generate([{ name: 'commonName', value: names[0]! }], {
      keySize: 2048,
      algorithm: 'sha256',
      ...(o.expired ? { notBeforeDate: until(-30), notAfterDate: until(-1) } : { notAfterDate: until(o.days ?? 90) }),
      ca: { key: ca.private, cert: ca.cert },
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            ...names.map((value) => ({ type: 2 as const, value })),
            ...(opts.hostnames ? [] : [{ type: 7 as const, ip: '127.0.0.1' }]),
          ],
        },
      ],
    })
  const leaf = await issue(opts)
  const expired = await issue({ ...opts, expired: true })
  return { key: leaf.private, cert: leaf.cert, caCert: ca.cert, expired: { key: expired.private, cert: expired.cert } }
}
