/**
 * Where the collection runs outside the Playwright runner (its own process, or the `npm run conformance` wrapper),
 * the spec files only register their checks (src/evidence/collecting.ts): a stand-in for @playwright/test spares the
 * 0.6 s its loading takes. Call before anything imports the spec files.
 */
import { register } from 'node:module'

const STAND_IN = `data:text/javascript,${encodeURIComponent('export const test = { extend: () => ({}) }')}`
let registered = false

export function useStandIn(): void {
  if (registered) return
  registered = true
  register(
    `data:text/javascript,${encodeURIComponent(`export async function resolve(specifier, context, next) {
  return specifier === '@playwright/test' ? { url: ${JSON.stringify(STAND_IN)}, shortCircuit: true } : next(specifier, context)
}`)}`,
  )
}
