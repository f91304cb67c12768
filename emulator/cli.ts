/**
 * npm run emulator -- --profile 1.9 --port 4050 [--fault NAME ...] [--lifetime 600] [--latency MS]
 * Starts the emulator alone and prints an .env block for its demo clients.
 */
import { demoCommand, FAULTS, startEmulator } from './server.ts'

function usage(code: number): never {
  console.log(`Usage: npm run emulator -- [--profile 2.0] [--port 4050] [--fault NAME]... [--lifetime SECONDS] [--latency MS]
Releases: 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 2.0, 2.1 (a preview of what is merged after v2.0.0)
Faults (each with the demo that shows it: the bundled emulator checked by the kit, HTTPS, the release's own topology):
${Object.entries(FAULTS)
  .map(
    ([n, f]) =>
      `  ${n.padEnd(26)} ${f.description}${f.releases ? ` (${f.releases.join(', ')} only)` : ''}\n  ${''.padEnd(26)} shows in: ${demoCommand(n)}`,
  )
  .join('\n')}`)
  process.exit(code)
}

const args = process.argv.slice(2)
let release = '2.0'
let port = 4050
let lifetime: number | undefined
let latencyMs = 0
const faults: string[] = []
for (let i = 0; i < args.length; i++) {
  const a = args[i]
  const next = () => args[++i] ?? usage(2)
  if (a === '--profile' || a === '--release') release = next()
  else if (a === '--port') port = Number(next())
  else if (a === '--fault') faults.push(next())
  else if (a === '--lifetime') lifetime = Number(next())
  else if (a === '--latency') latencyMs = Number(next())
  else if (a === '--help' || a === '-h') usage(0)
  else usage(2)
}

try {
  const emu = await startEmulator({
    release,
    port,
    faults,
    latencyMs,
    ...(lifetime ? { lifetimeSeconds: lifetime } : {}),
  })
  const [notif, search, deact] = emu.clients
  console.log(
    `OpenCRVS auth emulator (release ${release}, line ${emu.line}) on ${emu.url}${faults.length ? `, faults: ${faults.join(', ')}` : ''}`,
  )
  console.log(
    'Not OpenCRVS: a local stand-in for checking the kit. Demo clients for your .env (valid until it stops):\n',
  )
  console.log(
    `OPENCRVS_AUTH_URL=${emu.url}\nOPENCRVS_GATEWAY_URL=${emu.gatewayUrl}\nCONFORMANCE_ALLOW_HTTP=true\nOPENCRVS_VERSION=${release}`,
  )
  console.log(
    `OPENCRVS_NOTIFICATION_CLIENT_ID=${notif!.clientId}\nOPENCRVS_NOTIFICATION_CLIENT_SECRET=${notif!.secret}`,
  )
  console.log(`OPENCRVS_SEARCH_CLIENT_ID=${search!.clientId}\nOPENCRVS_SEARCH_CLIENT_SECRET=${search!.secret}`)
  console.log(`OPENCRVS_DEACTIVATED_CLIENT_ID=${deact!.clientId}\nOPENCRVS_DEACTIVATED_CLIENT_SECRET=${deact!.secret}`)
  const stop = async () => {
    await emu.stop()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
} catch (e) {
  console.error(`emulator: ${(e as Error).message}`)
  process.exit(2)
}
