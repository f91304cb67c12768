/**
 * What the kit's own tests run with, whoever runs them: none of the caller's OPENCRVS_*, CONFORMANCE_* or DOTENV_*
 * variables, an empty env file and an empty waivers list of their own. So a user's .env, exported settings and
 * conformance.waivers.json never reach a self-test or a kit run it starts, and nothing they point at is touched.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The caller's variables a self-test must never see: the kit's settings, and dotenv's own, in any case. */
export const USER_SETTING = /^(OPENCRVS_|CONFORMANCE_|DOTENV_)/i

let files: { envFile: string; waivers: string } | undefined

/** The self-tests' own env file (empty) and waivers file (no waivers), made once per process. */
function ownFiles(): { envFile: string; waivers: string } {
  if (files) return files
  const dir = mkdtempSync(join(tmpdir(), 'selftest-env-'))
  files = { envFile: join(dir, 'empty.env'), waivers: join(dir, 'no-waivers.json') }
  writeFileSync(files.envFile, '# the self-tests read no settings from a file\n')
  writeFileSync(files.waivers, '{"waivers": []}\n')
  return files
}

/** The settings every kit run a self-test starts gets first: its own env file and waivers, never the user's. */
export function ownSettings(): Record<string, string> {
  const { envFile, waivers } = ownFiles()
  return { CONFORMANCE_ENV_FILE: envFile, CONFORMANCE_WAIVERS_FILE: waivers }
}

/** This process's environment without the caller's settings, plus the self-tests' own files. */
export function isolatedEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !USER_SETTING.test(k)) env[k] = v
  return { ...env, ...ownSettings() }
}
