/** Reading the environment: the env file, a variable's value, and the error that names a bad one. */
import { mkdirSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
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

/**
 * Create a folder and its missing parents one level at a time; what the file system said when it cannot. Node's own
 * recursive mkdir never returns under /proc (it spins), and a file in the path gives a raw ENOTDIR.
 */
export function makeFolder(path: string): string | undefined {
  const full = resolve(path)
  const missing: string[] = []
  for (let p = full; ; p = dirname(p)) {
    try {
      if (!statSync(p).isDirectory()) return `"${p}" is a file, not a folder`
      break
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'ENOTDIR') continue // a file further up: found as the walk goes on
      if (code !== 'ENOENT') return `"${p}" cannot be read (${code ?? 'error'})`
      if (dirname(p) === p) return `"${p}" does not exist`
      missing.unshift(p)
    }
  }
  for (const p of missing) {
    try {
      mkdirSync(p)
    } catch (e) {
      return `"${p}" cannot be created (${(e as NodeJS.ErrnoException).code ?? 'error'})`
    }
  }
  return undefined
}
