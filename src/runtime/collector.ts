/**
 * For a run Playwright starts by itself (npx playwright test, an editor's test explorer): the collection of every
 * request the checks need (src/evidence/collect.ts) in a process of its own.
 */
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { pathToFileURL, fileURLToPath } from 'node:url'
import { snapshotRequests } from '../evidence/recorder.ts'
import type { Collected } from '../evidence/collect.ts'
import { redact } from '../redact/index.ts'
import { RUNTIME_ENV, type Runtime } from './runtime.ts'

/** Where the collection runs: a process of its own (startCollector) or the wrapper's (src/runtime/early.ts). */
export interface Collector {
  collect: (runtime: Runtime) => Promise<Collected>
  cancel: () => void
}

/**
 * For a run Playwright starts by itself (npx playwright test, an editor's test explorer): every request the checks
 * need, sent once (src/evidence/collect.ts), in a process of its own: the spec files it
 * loads cannot be loaded a second time inside the Playwright runner. Started first, so its start-up (tsx, the
 * spec files) overlaps the setup's requests; then the runtime goes in on stdin and the evidence comes back on
 * stdout: in memory both ways.
 */
export function startCollector(): Collector {
  const require = createRequire(import.meta.url)
  const child = spawn(
    process.execPath,
    [
      '--import',
      pathToFileURL(require.resolve('tsx')).href,
      fileURLToPath(new URL('../evidence/collect-child.ts', import.meta.url)),
    ],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, [RUNTIME_ENV]: '' },
    },
  )
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (c: Buffer) => out.push(c))
  child.stderr.on('data', (c: Buffer) => err.push(c))
  // the runner may be stopped (its global deadline, Ctrl-C): the collection stops with it
  const stop = () => child.kill()
  process.once('exit', stop)
  const done = new Promise<Collected>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      process.off('exit', stop)
      const text = Buffer.concat(out).toString('utf8')
      if (code !== 0)
        return reject(
          new Error(
            redact(
              Buffer.concat(err).toString('utf8').trim() || `the evidence collection ended with exit code ${code}`,
            ),
          ),
        )
      try {
        // the workers revive its bodies; here only the request counts are read
        resolve({ text, requests: snapshotRequests(text) })
      } catch (e) {
        reject(new Error(`the evidence collection returned nothing usable: ${(e as Error).message}`))
      }
    })
  })
  done.catch(() => {}) // seen by collect()'s caller; a cancelled collector is not an error
  return {
    collect: (runtime) => {
      child.stdin.end(JSON.stringify(runtime))
      return done
    },
    cancel: () => {
      process.off('exit', stop)
      child.kill()
    },
  }
}
