/** Reading the environment: the env file, a variable's value, and the error that names a bad one. */
import { resolve } from 'node:path'
import { parse as parseDotenv } from 'dotenv'
import { readBounded } from './bounded-read.ts'
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

/** CONFORMANCE_ENV_FILE: the file the kit reads its settings from; by default .env in the folder it runs in. */
export const ENV_FILE_VAR = 'CONFORMANCE_ENV_FILE'

export function envFilePath(env: Env = process.env): string {
  return resolve(value(env, ENV_FILE_VAR) ?? '.env')
}

/**
 * The env file's settings join process.env (a variable the environment already sets wins). Its path and behaviour
 * are the kit's alone: dotenv's own DOTENV_* variables (another path, override) are not honoured. Returns the names
 * the file set, so a misspelt one can be named as the file's.
 */
export function loadEnvFile(): string[] {
  let text: string
  try {
    // a plain file of bounded size only: a named pipe or a device named as the env file must not hang the kit
    text = readBounded(envFilePath(), 1024 * 1024)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      console.error(
        `The env file ${envFilePath()} was not read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      )
    return []
  }
  const parsed = parseDotenv(text)
  for (const [k, v] of Object.entries(parsed)) if (process.env[k] === undefined) process.env[k] = v
  return Object.keys(parsed)
}
