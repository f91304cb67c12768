/**
 * Every unit self-test (selftest/unit/*.test.ts) in one process: npm test runs this file instead of the 24 files,
 * each of which would otherwise start a process of its own and compile the kit again (half the units' CPU time).
 * Run one alone with `node --import tsx --test selftest/unit/<name>.test.ts`.
 */
import { readdirSync } from 'node:fs'

const dir = new URL('./unit/', import.meta.url)
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts'))
  .sort())
  await import(new URL(file, dir).href)
