/**
 * Which requirement each emulator fault must turn FAILED. Kept here, not in emulator/faults.ts, so the
 * emulator knows nothing of the kit's checks.
 */
export const FAULT_MATRIX: Record<string, { release: string; fails: string[] }> = {
  'no-cache-control': { release: '1.9', fails: ['TOKEN-RESP-03'] },
  'content-type-octet-stream': { release: '1.8', fails: ['TOKEN-RESP-02'] },
  'no-token-type': { release: '2.0', fails: ['TOKEN-RESP-01'] },
  // an opaque token breaks the response schema (access_token must be a compact JWS) and the JWT decode alike
  'opaque-token': { release: '1.6', fails: ['TOKEN-RESP-01', 'JWT-01'] },
  'json-body-ignored': { release: '2.0', fails: ['TOKEN-FMT-02'] },
  'form-body-ignored': { release: '2.0', fails: ['TOKEN-FMT-03'] },
  'query-ignored': { release: '2.0', fails: ['TOKEN-FMT-01'] },
}

/** Requirements that never grade FAILED, and the self-test that shows them leaving PASSED/INFO. */
export const NON_FAILING_SCENARIOS: Record<string, string> = {
  'PROFILE-01': 'a declared OPENCRVS_VERSION the evidence contradicts is reported, not hidden',
}
