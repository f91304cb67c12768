/**
 * `npm run conformance` prepares the run while Playwright starts. Playwright takes about as long to reach global
 * setup as the preparation takes (the release identified, the key, each client's token, then every request the
 * checks need, collected once): the wrapper, whose configuration check has passed and whose tsx is loaded, does it
 * in its own process and serves the outcome on a loopback port (src/evidence/loopback.ts); global setup takes it
 * over, and the workers read the evidence from there. What is sent, and in what order, is exactly what global setup
 * would send (prepareRun): only the moment differs. A run Playwright starts by itself (npx playwright test) is
 * prepared in global setup.
 */
import { fetchText, serveSecretly } from '../evidence/loopback.ts'
import type { Collector } from './collector.ts'
import type { Runtime } from './runtime.ts'

export const PREPARED_ENV = 'CONFORMANCE_PREPARED'

/** The prepared run, or why it could not be prepared (in the words global setup would have thrown, and a verdict: TLS-02). */
export type Prepared =
  | { runtime: Runtime; evidenceUrl: string }
  | { error: string; setupVerdict?: string; setupContext?: string }

/** Playwright options after which it runs no check: nothing is prepared, so nothing is sent. */
const RUNS_NOTHING = ['--list', '--help', '-h']

export function preparesEarly(args: string[]): boolean {
  return !args.some((a) => RUNS_NOTHING.includes(a))
}

/** The collection in this process: the spec files load beside the preparation's requests. */
async function inProcessCollector(): Promise<Collector> {
  const { useStandIn } = await import('../evidence/stand-in.ts')
  useStandIn()
  const loading = import('../evidence/collect.ts').then(async (m) => {
    await m.loadChecks()
    return m
  })
  loading.catch(() => {}) // seen by collect()
  return { collect: async (runtime) => (await loading).collectText(runtime), cancel: () => {} }
}

/**
 * The wrapper's side. Serves at once (Playwright starts with the URL in its environment, before anything heavy is
 * loaded here); prepare() then starts the preparation; close(), when Playwright has ended, stops serving and stops
 * the bundled emulator (a preparation still under way then, past the run's deadline, ends with this process).
 */
export async function serveEarly(
  env: Record<string, string | undefined>,
): Promise<{ env: Record<string, string>; prepare: () => void; close: () => Promise<void> }> {
  let begin = () => {}
  const begun = new Promise<void>((resolve) => (begin = resolve))
  let prepared: { evidence: string; stop: () => Promise<void> } | undefined
  const run: Promise<Prepared> = begun
    .then(async () => {
      const [{ prepareRun }, { SETUP_VERDICT_ENV, SETUP_CONTEXT_ENV, setupLog }, { redact }] = await Promise.all([
        import('./prepare.ts'),
        import('./runtime.ts'),
        import('../redact/index.ts'),
      ])
      try {
        const r = await prepareRun(env, setupLog(env), await inProcessCollector())
        prepared = r
        return { runtime: r.runtime, evidenceUrl: `${served.url}/evidence` }
      } catch (e) {
        // redacted here, where the target's secrets are registered: Playwright's process has no runtime to register them from
        return {
          error: redact((e as Error).message),
          ...(env[SETUP_VERDICT_ENV] ? { setupVerdict: env[SETUP_VERDICT_ENV] } : {}),
          ...(env[SETUP_CONTEXT_ENV] ? { setupContext: env[SETUP_CONTEXT_ENV] } : {}),
        }
      }
    })
    .catch((e: Error) => ({ error: `the kit could not load its own modules: ${e.message}` })) // never an unhandled rejection, asked for or not
  const served = await serveSecretly(async (sub) => {
    if (sub === '/run') return JSON.stringify(await run)
    return sub === '/evidence' && prepared ? prepared.evidence : null
  })
  return {
    env: { [PREPARED_ENV]: served.url },
    prepare: begin,
    close: async () => {
      await served.close()
      await prepared?.stop()
    },
  }
}

/** Global setup's side: the run as prepared (waits until it is). */
export async function takeOver(env: Record<string, string | undefined>): Promise<Prepared> {
  return JSON.parse(await fetchText(`${env[PREPARED_ENV]}/run`, 'the prepared run')) as Prepared
}
