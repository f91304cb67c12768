/** The `--runs N` argument of npm run bench and npm run test:load: N, or the default; exit 2 on a bad value. */
export function runsArgument(argv: string[], fallback: number, script: string): number {
  const at = argv.indexOf('--runs')
  const runs = at >= 0 ? Number(argv[at + 1]) : fallback
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`Usage: npm run ${script} [-- --runs N]  (N >= 1, default ${fallback})`)
    process.exit(2)
  }
  return runs
}
