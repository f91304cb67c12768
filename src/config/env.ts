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
