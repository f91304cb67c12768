/**
 * A real TLS edge of the kit's own, in front of the emulator: node:https with a root CA, an intermediate and a
 * leaf for 127.0.0.1, serving the leaf alone or the full chain. The kit must name a missing intermediate (even when
 * OPENCRVS_CA_FILE happens to hold it), and pass a correct edge.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { generate } from 'selfsigned'
import { request } from 'undici'
import { startEmulator, type RunningEmulator } from '../emulator/server.ts'
import { gradeKitAgainst, leaks, runKitAgainst } from './harness.ts'

const days = (n: number) => new Date(Date.now() + n * 86_400_000)

async function pki() {
  const ca = { keySize: 2048, algorithm: 'sha256' as const }
  const root = await generate([{ name: 'commonName', value: 'Edge test root CA' }], {
    ...ca,
    notAfterDate: days(365),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  })
  const intermediate = await generate([{ name: 'commonName', value: 'Edge test intermediate CA' }], {
    ...ca,
    notAfterDate: days(300),
    ca: { key: root.private, cert: root.cert },
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  })
  const leaf = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    ...ca,
    notAfterDate: days(200),
    ca: { key: intermediate.private, cert: intermediate.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  })
  return { root: root.cert, intermediate: intermediate.cert, leaf }
}

/** An HTTPS edge proxying to the emulator's auth service, with HSTS, serving the given certificate chain. */
async function edge(emu: RunningEmulator, key: string, chain: string) {
  const server = createServer({ key, cert: chain, minVersion: 'TLSv1.2' }, (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => ['content-type', 'authorization'].includes(k)),
      ) as Record<string, string>
      const up = await request(`${emu.url}${req.url}`, {
        method: (req.method ?? 'GET') as 'POST',
        headers,
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      })
      const body = Buffer.from(await up.body.arrayBuffer())
      const pass = Object.fromEntries(
        Object.entries(up.headers).filter(([k]) => ['content-type', 'cache-control'].includes(k)),
      )
      res
        .writeHead(up.statusCode, { ...pass, 'strict-transport-security': 'max-age=31536000; includeSubDomains' })
        .end(body)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  }
}

describe('a real TLS edge: chains', { concurrency: 1 }, () => {
  let emu: RunningEmulator
  let certs: Awaited<ReturnType<typeof pki>>
  const dir = mkdtempSync(join(tmpdir(), 'edge-'))
  const caFile = (name: string, ...pems: string[]) => {
    writeFileSync(join(dir, name), pems.join('\n'))
    return join(dir, name)
  }
  before(async () => {
    emu = await startEmulator({ release: '1.9' })
    certs = await pki()
  })
  after(async () => emu.stop())

  const env = (e: { url: string }, ca: string) => ({
    OPENCRVS_AUTH_URL: e.url,
    OPENCRVS_GATEWAY_URL: '',
    OPENCRVS_CA_FILE: ca,
    CONFORMANCE_ALLOW_HTTP: 'false',
    OPENCRVS_VERSION: '1.9',
  })
  /** A whole run (for the one that stops in setup: its report and output are what is tested). */
  const run = async (chain: string, ca: string) => {
    const e = await edge(emu, certs.leaf.private, chain)
    try {
      return await runKitAgainst(emu, env(e, ca), ['--workers=1', '--reporter=./src/report/conformance-reporter.ts'])
    } finally {
      await e.stop()
    }
  }
  /** The run graded in process: the verdicts. */
  const grade = async (chain: string, ca: string) => {
    const e = await edge(emu, certs.leaf.private, chain)
    try {
      return await gradeKitAgainst(emu, env(e, ca))
    } finally {
      await e.stop()
    }
  }

  test('the leaf alone, the root in OPENCRVS_CA_FILE: stopped before any check, naming the issuer and the missing intermediate', async () => {
    const r = await run(certs.leaf.cert, caFile('root.pem', certs.root))
    assert.equal(r.code, 1)
    assert.deepEqual(
      r.report.results.map((x) => `${x.id} ${x.verdict}`),
      ['TLS-02 FAILED'],
    )
    assert.match(
      r.output,
      /TLS verification failed: the certificate chain of 127\.0\.0\.1:\d+ \(issuer CN=Edge test intermediate CA\) does not lead to a CA this machine trusts or to the CA in OPENCRVS_CA_FILE: .*if CN=Edge test intermediate CA is an intermediate, the server must send it too \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/,
    )
  })

  test('the leaf alone, with the intermediate added to OPENCRVS_CA_FILE: it verifies, and TLS-02 is FAILED for every integrator who trusts only the root', async () => {
    const r = await grade(certs.leaf.cert, caFile('root-and-intermediate.pem', certs.root, certs.intermediate))
    const tls02 = r.records.find((x) => x.id === 'TLS-02')
    assert.equal(tls02?.verdict, 'FAILED', r.output)
    assert.match(
      tls02!.reason,
      /sends only its own certificate, without the intermediate that issued it \(CN=Edge test intermediate CA\): it verifies here only because OPENCRVS_CA_FILE holds that intermediate/,
    )
    assert.match(tls02!.fix ?? '', /Serve the full chain/)
  })

  test('the full chain, the root in OPENCRVS_CA_FILE: every TLS check PASSED, nothing leaked', async () => {
    const r = await grade(
      `${certs.leaf.cert.trim()}\n${certs.intermediate.trim()}\n`,
      caFile('root-only.pem', certs.root),
    )
    for (const id of ['TLS-01', 'TLS-02', 'TLS-03', 'TLS-04', 'TLS-05', 'TLS-06'])
      assert.equal(r.verdicts[id], 'PASSED', `${id}: ${r.records.find((x) => x.id === id)?.reason}`)
    assert.deepEqual(leaks(r), [])
  })
})
