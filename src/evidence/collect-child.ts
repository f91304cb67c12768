/**
 * The collection in a process of its own (global setup starts it: the spec files cannot be loaded a second time
 * inside the Playwright runner). The runtime arrives on stdin; the evidence leaves on stdout; neither touches disk.
 */
import { register } from 'node:module'

// Playwright is not running here and the specs only register their checks (src/evidence/collecting.ts): a stand-in
// for @playwright/test spares the 0.6 s its loading takes
const STAND_IN = `data:text/javascript,${encodeURIComponent('export const test = { extend: () => ({}) }')}`
register(`data:text/javascript,${encodeURIComponent(`export async function resolve(specifier, context, next) {
  return specifier === '@playwright/test' ? { url: ${JSON.stringify(STAND_IN)}, shortCircuit: true } : next(specifier, context)
}`)}`)

const { redact } = await import('../redact/index.ts')
const { collect, loadChecks } = await import('./collect.ts')
const { serializeSnapshot } = await import('./recorder.ts')
// the spec files load while global setup is still making its own requests
await loadChecks()

const chunks: Buffer[] = []
for await (const c of process.stdin) chunks.push(c as Buffer)
try {
  const { snapshot } = await collect(JSON.parse(Buffer.concat(chunks).toString('utf8')))
  process.stdout.write(serializeSnapshot(snapshot))
} catch (e) {
  process.stderr.write(redact(`the evidence collection stopped: ${(e as Error).message}`) + '\n')
  process.exitCode = 1
}
