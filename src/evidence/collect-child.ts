/**
 * The collection in a process of its own (global setup starts it: the spec files cannot be loaded a second time
 * inside the Playwright runner). The runtime arrives on stdin; the evidence leaves on stdout; neither touches disk.
 */
import { redact } from '../redact/index.ts'
import type { Runtime } from '../runtime/runtime.ts'
import { collect } from './collect.ts'
import { serializeSnapshot } from './recorder.ts'

const chunks: Buffer[] = []
for await (const c of process.stdin) chunks.push(c as Buffer)
try {
  const runtime = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Runtime
  const { snapshot } = await collect(runtime)
  process.stdout.write(serializeSnapshot(snapshot))
} catch (e) {
  process.stderr.write(redact(`the evidence collection stopped: ${(e as Error).message}`) + '\n')
  process.exitCode = 1
}
