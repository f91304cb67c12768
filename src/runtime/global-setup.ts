/**
 * Playwright's global setup: runs once before the checks and publishes the Runtime to workers and reporter. Under
 * `npm run conformance` the run was prepared while Playwright started (src/runtime/early.ts): it takes the outcome
 * over. A run Playwright starts by itself is prepared here (src/runtime/prepare.ts), its collection in a process of
 * its own (src/runtime/collector.ts).
 */
import type { FullConfig } from '@playwright/test'
import { loadEnvFile } from '../config/env.ts'
import { EVIDENCE_ENV, serveEvidence } from '../evidence/handover.ts'
import { startCollector } from './collector.ts'
import { PREPARED_ENV, takeOver } from './early.ts'
import { prepareRun } from './prepare.ts'
import { RUNTIME_ENV, SETUP_CONTEXT_ENV, SETUP_VERDICT_ENV, setupLog } from './runtime.ts'

export default async function globalSetup(_config: FullConfig): Promise<(() => Promise<void>) | undefined> {
  loadEnvFile()
  // npm run conformance prepared the run while Playwright started (src/runtime/early.ts): take it over
  if (process.env[PREPARED_ENV]) {
    const prepared = await takeOver(process.env)
    if ('error' in prepared) {
      // the same failure, in the same words, as when prepared here
      if (prepared.setupVerdict) process.env[SETUP_VERDICT_ENV] = prepared.setupVerdict
      if (prepared.setupContext) process.env[SETUP_CONTEXT_ENV] = prepared.setupContext
      throw new Error(prepared.error)
    }
    process.env[EVIDENCE_ENV] = prepared.evidenceUrl
    process.env[RUNTIME_ENV] = JSON.stringify(prepared.runtime)
    return undefined
  }
  const { runtime, evidence, stop } = await prepareRun(process.env, setupLog(process.env), startCollector())
  const served = await serveEvidence(evidence)
  process.env[EVIDENCE_ENV] = served.url
  process.env[RUNTIME_ENV] = JSON.stringify(runtime)
  return async () => {
    await served.close()
    await stop()
  }
}
