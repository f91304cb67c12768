/**
 * allure-playwright, writing its results without an fsync per file. Its FileSystemWriter syncs every result and
 * attachment to disk, synchronously, in the runner's process: about 150 syncs a run, which hold up the dispatch of
 * tests to workers (0.3-0.5 s of a 6 s run here, more on a slow disk). The results of a run are read after it, by
 * `npm run report`; nothing reads them while it runs, so the hot writes (each check's result and attachments) are
 * plain writes. Everything else is allure-playwright's own.
 */
import { AllureReporter } from 'allure-playwright'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Suite } from '@playwright/test/reporter'

type Writer = Record<'writeResult' | 'writeGroup' | 'writeAttachment', (...args: never[]) => void>
interface Uuid {
  uuid: string
}

export default class KitAllureReporter extends AllureReporter {
  private readonly dir: string

  constructor(options: { resultsDir: string } & Record<string, unknown>) {
    super(options)
    this.dir = options.resultsDir
  }

  override onBegin(suite: Suite): void {
    super.onBegin(suite)
    const self = this as unknown as { allureRuntime?: { writer?: Writer } }
    const writer = self.allureRuntime?.writer
    // a later allure-playwright that names this differently keeps its own (syncing) writer
    if (!writer || typeof writer.writeResult !== 'function') return
    mkdirSync(this.dir, { recursive: true })
    const put = (name: string, data: string | Buffer) => writeFileSync(join(this.dir, name), data)
    Object.assign(writer, {
      writeResult: (r: Uuid) => put(`${r.uuid}-result.json`, JSON.stringify(r)),
      writeGroup: (r: Uuid) => put(`${r.uuid}-container.json`, JSON.stringify(r)),
      writeAttachment: (name: string, content: Buffer) => put(name, content),
    })
  }
}
