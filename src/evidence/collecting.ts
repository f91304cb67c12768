/**
 * Imported first by the collector, before anything loads fixtures/index.ts: from then on, in this process, the
 * spec files register their checks here instead of with Playwright (which is not running here).
 */
import type { CollectedCheck } from '../../fixtures/index.ts'

export const COLLECTING = Symbol.for('opencrvs-conformance.collecting')
export const registry: CollectedCheck[] = []
;(globalThis as Record<symbol, unknown>)[COLLECTING] = registry
