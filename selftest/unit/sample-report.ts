/** A report as a run writes it, built from the catalogue: each requirement's verdict chosen by the test. */
import { REQUIREMENT_LIST, VERDICTS, type Verdict } from '../../src/requirements/catalogue.ts'
import type { ConformanceReport, ResultEntry } from '../../src/report/model.ts'

export function sampleReport(
  verdictOf: (id: string, i: number) => Verdict | null,
  more: Partial<ConformanceReport> = {},
): ConformanceReport {
  const results: ResultEntry[] = REQUIREMENT_LIST.flatMap((r, i) => {
    const verdict = verdictOf(r.id, i)
    if (!verdict) return []
    return [
      {
        id: r.id,
        verdict,
        reason: `${r.id} was ${verdict}`,
        detail: `answer for ${r.id}:\nline 2`,
        fix: verdict === 'FAILED' || verdict === 'WARNING' ? `fix ${r.id}` : undefined,
        title: r.title,
        area: r.area,
        severity: r.severity,
        sources: r.sources,
      },
    ]
  })
  const totals = Object.fromEntries(VERDICTS.map((v) => [v, results.filter((x) => x.verdict === v).length])) as Record<
    Verdict,
    number
  >
  return {
    kit: { name: 'opencrvs-token-conformance', version: '9.9.9' },
    target: {
      tokenUrl: 'https://gateway.example.org/auth/token',
      tokenRoute: 'gateway',
      version: 'v2.0',
      declared: 'auto',
      detectedFrom: ['X-Version 2.0'],
      identification: {
        profile: 'v2.0',
        confidence: 'high',
        supporting: ['X-Version 2.0'],
        contradicting: [],
        newerThanProfiles: null,
      },
      mode: 'opencrvs',
      emulator: null,
    },
    startedAt: '2026-12-04T10:00:00.000Z',
    durationMs: 1234,
    requests: {
      total: 50,
      token: 30,
      issued: 4,
      secretInUrl: 0,
      tokenInUrl: 0,
      rateLimited: 0,
      max: 150,
      budgetReached: false,
    },
    errors: [],
    upgrade: null,
    totals,
    results,
    contract: {},
    clients: [],
    ...more,
  }
}
