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
