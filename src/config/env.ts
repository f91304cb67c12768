/** Reading the environment: a variable's value, and the error that names a bad one. */
/** The environment the configuration is read from. */
export type Env = Record<string, string | undefined>

/** A variable's value, trimmed; undefined when unset or blank. */
export function value(env: Env, name: string): string | undefined {
  const v = env[name]
  if (v === undefined) return undefined
  const t = v.trim()
  return t === '' ? undefined : t
}

/** A bad configuration value: which variable, what was wrong, what to write instead. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${variable}: ${problem}. ${fix}`)
    this.name = 'ConfigError'
  }
}

/** CONFORMANCE_QUIET (`npm run conformance -- --quiet`): the console says only the totals, FAILED and REVIEW, and the reports. */
export const QUIET_ENV = 'CONFORMANCE_QUIET'

export function isQuiet(env: Env = process.env): boolean {
  return /^(1|true|yes)$/i.test(value(env, QUIET_ENV) ?? '')
}
