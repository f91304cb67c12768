/**
 * npm run test:load [-- --runs N]: npm test with every core held busy by a background load, N times in a row
 * (default 1), to show the self-tests give the same result on a loaded machine. The load is one busy process per
 * core, each ending by itself after 30 minutes if this script is killed first. Exit 0 only if every run passed.
 */
import { spawn, spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { runsArgument } from './tools/runs.ts'

const runs = runsArgument(process.argv.slice(2), 1, 'test:load')

const cores = availableParallelism()
const busy = Array.from({ length: cores }, () =>
  spawn(process.execPath, ['-e', 'const end = Date.now() + 30 * 60_000; while (Date.now() < end) {}'], {
    stdio: 'ignore',
  }),
)
const stop = () => busy.forEach((p) => p.kill())
process.on('exit', stop)
process.on('SIGINT', () => process.exit(130))
console.log(`Background load: ${cores} busy process(es), one per core.`)

const results: string[] = []
for (let i = 1; i <= runs; i++) {
  const started = Date.now()
  const r = spawnSync('npm', ['test'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  })
  const out = r.stdout ?? ''
  process.stdout.write(out)
  const line = /^(\d+) passed, (\d+) failed$/m.exec(out)?.[0] ?? 'no result line'
  results.push(`run ${i}: ${line}, exit ${r.status}, ${((Date.now() - started) / 1000).toFixed(0)} s`)
  console.log(`\n== under load, ${results[results.length - 1]}`)
}
stop()
console.log(`\n== npm test under a background load on ${cores} core(s):\n${results.join('\n')}`)
process.exit(results.every((r) => / 0 failed, exit 0,/.test(r)) ? 0 : 1)
