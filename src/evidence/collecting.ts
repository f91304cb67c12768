/**
 * Imported first by the collector, before anything loads fixtures/index.ts: from then on, in this process, the
 * spec files register their checks here instead of with Playwright (which is not running here).
 */
import { COLLECTING } from '../../fixtures/check.ts'
import type { CollectedCheck } from '../../fixtures/index.ts'

export const registry: CollectedCheck[] = []
;(globalThis as Record<symbol, unknown>)[COLLECTING] = registry
