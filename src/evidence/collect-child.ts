/**
 * The collection in a process of its own, for a run Playwright starts directly (`npx playwright test`): global
 * setup starts it (the spec files cannot be loaded a second time inside the Playwright runner). The runtime arrives
 * on stdin; the evidence leaves on stdout; neither touches disk. `npm run conformance` collects in its own process
 * instead, while Playwright starts (src/runtime/early.ts).
 */
import { useStandIn } from './stand-in.ts'

useStandIn()
const { collectText, loadChecks } = await import('./collect.ts')
// the spec files load while global setup is still making its own requests
await loadChecks()

const chunks: Buffer[] = []
for await (const c of process.stdin) chunks.push(c as Buffer)
try {
  process.stdout.write((await collectText(JSON.parse(Buffer.concat(chunks).toString('utf8')))).text)
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`)
  process.exitCode = 1
}
