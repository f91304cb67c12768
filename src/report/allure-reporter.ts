/**
 * allure-playwright, with two changes made where it writes each result:
 * - the verdict as Allure's status, so that the report's headline and lists tell a WARNING from a PASSED: a check
 *   graded WARNING or REVIEW is `broken` (a person must read it), INFO is `unknown`, FAILED `failed`, SKIPPED
 *   `skipped`; its message is the verdict and the reason;
 * - no fsync per file. Its FileSystemWriter syncs every result and attachment to disk, synchronously, in the
 *   runner's process: about 150 syncs a run, which hold up the dispatch of tests to workers. The results are read
 *   after the run, by `npm run report`; nothing reads them while it runs.
 * Both reach into allure-playwright's runtime writer, which it does not export: `writesItsOwn` says whether they
 * could (a self-test fails when an upgrade takes the fallback, allure-playwright's own writer).
 */
import { AllureReporter } from 'allure-playwright'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Suite } from '@playwright/test/reporter'
import type { Verdict } from '../requirements/catalogue.ts'

type Writer = Record<'writeResult' | 'writeGroup' | 'writeAttachment', (...args: never[]) => void>
interface Uuid {
  uuid: string
}
interface AllureResult extends Uuid {
  status?: string
  statusDetails?: { message?: string; trace?: string }
  labels?: { name: string; value: string }[]
  description?: string
}

const STATUS: Record<Verdict, string> = {
  PASSED: 'passed',
  FAILED: 'failed',
  WARNING: 'broken',
  REVIEW: 'broken',
  INFO: 'unknown',
  SKIPPED: 'skipped',
}

/** The result with the check's verdict (its `verdict` label) as its status; a result without one is left alone. */
export function withVerdictStatus<T extends AllureResult>(r: T): T {
  const verdict = r.labels?.find((l) => l.name === 'verdict')?.value as Verdict | undefined
  if (!verdict || !(verdict in STATUS) || verdict === 'PASSED' || verdict === 'FAILED') return r
  const reason = r.description?.split('\n\n')[0] ?? ''
  return { ...r, status: STATUS[verdict], statusDetails: { ...r.statusDetails, message: `${verdict}: ${reason}` } }
}

export default class KitAllureReporter extends AllureReporter {
  private readonly dir: string
  /** Whether this reporter writes the results (verdict statuses, no fsync), not allure-playwright's own writer. */
  writesItsOwn = false

  constructor(options: { resultsDir: string } & Record<string, unknown>) {
    super(options)
    this.dir = options.resultsDir
  }

  override onBegin(suite: Suite): void {
    super.onBegin(suite)
    const self = this as unknown as { allureRuntime?: { writer?: Writer } }
    const writer = self.allureRuntime?.writer
    if (!writer || typeof writer.writeResult !== 'function') return
    mkdirSync(this.dir, { recursive: true })
    const put = (name: string, data: string | Buffer) => writeFileSync(join(this.dir, name), data)
    Object.assign(writer, {
      writeResult: (r: AllureResult) => put(`${r.uuid}-result.json`, JSON.stringify(withVerdictStatus(r))),
      writeGroup: (r: Uuid) => put(`${r.uuid}-container.json`, JSON.stringify(r)),
      writeAttachment: (name: string, content: Buffer) => put(name, content),
    })
    this.writesItsOwn = true
  }
}
