/**
 * Named faults: each turns exactly one behaviour of a correctly installed deployment wrong, so the self-tests
 * can show that the check for that behaviour fails. `releases` limits a fault to the lines where it makes sense.
 */
export interface FaultInfo {
  description: string
  releases?: string[]
}

export const FAULTS: Record<string, FaultInfo> = {
  'no-cache-control': { description: 'token responses lose Cache-Control: no-store (hapi then sends no-cache), as behind an unfixed gateway proxy' },
  'content-type-octet-stream': { description: 'token responses are served as application/octet-stream instead of JSON' },
  'no-token-type': { description: 'the success body has no token_type member' },
  'opaque-token': { description: 'access_token is an opaque random string, not a JWT' },
  'json-body-ignored': { description: 'a JSON request body is ignored (parameters read from the query only)', releases: ['2.0'] },
  'form-body-ignored': { description: 'a form request body is ignored (parameters read from the query only)', releases: ['2.0'] },
  'query-ignored': { description: 'parameters in the query string are ignored (body only)', releases: ['2.0'] },
}

export function validateFaults(names: string[], line: string): void {
  for (const name of names) {
    const f = FAULTS[name]
    if (!f) throw new Error(`Unknown emulator fault "${name}". Known faults: ${Object.keys(FAULTS).join(', ')}`)
    if (f.releases && !f.releases.includes(line)) throw new Error(`Fault "${name}" applies to release line ${f.releases.join(', ')} only, not ${line}`)
  }
}
