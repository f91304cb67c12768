/**
 * conformance.md: the sign-off summary for a CI job summary and a diff. Every text that may carry a target's words
 * goes in a code span (mdCode) or a fenced block (mdBlock): it can form no link, image or HTML in a rendered report.
 */
import { VERDICTS } from '../requirements/catalogue.ts'
import { listed, mdBlock, mdCode, mdText } from '../redact/neutral.ts'
import { adviceOf, cannotVouch, forIntegrators, INTEGRATORS_INTRO, toFix, upgradeSteps } from './findings.ts'
import {
  type ConformanceReport,
  oneLine,
  rateLimitLine,
  requestLine,
  type ResultEntry,
  signatureCaveat,
} from './model.ts'

export function markdown(r: ConformanceReport): string {
  const caveat = signatureCaveat(r)
  const lines = [
    ...overview(r),
    ...waivers(r),
    ...findings(r),
    ...upgrade(r),
    ...(caveat ? [`> **${caveat}**`, ''] : []),
    ...clients(r),
    '## Every requirement',
    '',
    '| Id | Verdict | Requirement | Result |',
    '|---|---|---|---|',
    ...r.results.map((x) => `| ${x.id} | ${x.verdict} | ${oneLine(x.title)} | ${mdCode(x.reason)} |`),
    ...fingerprint(r),
    '',
    '## Evidence',
    '',
    ...r.results
      .filter((y) => y.detail)
      .flatMap((x) => [
        `### ${x.id} (${x.verdict})`,
        '',
        mdBlock(x.detail ?? ''),
        '',
        `Sources: ${x.sources.map((s) => `[${s.label}](${s.url})`).join(', ')}`,
        '',
      ]),
  ]
  return `${lines.join('\n')}\n`
}

function overview(r: ConformanceReport): string[] {
  const emu = r.target.emulator
  const limited = rateLimitLine(r)
  return [
    '# OpenCRVS token endpoint conformance',
    '',
    ...cannotVouch(r).flatMap((b) => [`> **${b.headline}.** ${mdCode(b.why, false)}`, '']),
    `| | |`,
    `|---|---|`,
    `| Token endpoint | ${mdCode(r.target.tokenUrl)}${emu ? ` (bundled emulator, release ${emu.release}${emu.faults.length ? `, faults: ${emu.faults.join(', ')}` : ''})` : ''} |`,
    `| Release profile | ${r.target.version} (OPENCRVS_VERSION=${mdCode(r.target.declared || '?')}) |`,
    `| Evidence | ${r.target.detectedFrom.map((e) => mdCode(e)).join('; ') || 'none'} |`,
    `| Mode | ${r.target.mode || '?'} |`,
    `| Started | ${r.startedAt} |`,
    `| Duration | ${(r.durationMs / 1000).toFixed(1)} s |`,
    `| Requests to the target | ${requestLine(r)}${r.requests.budgetReached ? ' - BUDGET REACHED, run incomplete' : ''} |`,
    `| Kit | ${r.kit.name} ${r.kit.version} |`,
    '',
    ...(limited ? [`> **${limited}**`, ''] : []),
    `**Totals:** ${VERDICTS.map((v) => `${r.totals[v]} ${v}`).join(', ')}`,
    '',
    ...(r.results.length
      ? []
      : ['**NOT CHECKED: no check ran.**', '', ...r.errors.map((e) => `> ${mdCode(e, false)}`), '']),
  ]
}

function waivers(r: ConformanceReport): string[] {
  const waived = r.results.filter((x) => x.waiver)
  if (!waived.length) return []
  return [
    '## Waivers',
    '',
    ...waived.map(
      (w) =>
        `- **${w.id}** ${w.waiver!.expired ? `waiver EXPIRED on ${w.waiver!.until}, not applied` : `waived until ${w.waiver!.until}`}: ${mdCode(w.waiver!.reason, false)}`,
    ),
    '',
  ]
}

function findings(r: ConformanceReport): string[] {
  const first = toFix(r)
  const known = forIntegrators(r)
  const fixItem = (f: ResultEntry) =>
    `- **${f.id}** (${f.verdict}) ${mdCode(f.reason, false)}${f.fix ? `  \n  How to fix: ${mdCode(f.fix, false)}` : ''}`
  const knownItem = (w: ResultEntry) => {
    const { integrators, hardening } = adviceOf(w)
    return `- **${w.id}** ${mdCode(w.reason, false)}${integrators ? `  \n  What integrators do: ${mdCode(integrators, false)}` : ''}${hardening ? `  \n  Optional hardening (not a fix): ${mdCode(hardening, false)}` : ''}`
  }
  return [
    ...(first.length
      ? [
          '## What to fix first',
          '',
          "This deployment's own findings: what FAILED, then what a person must decide (REVIEW).",
          '',
          ...first.map(fixItem),
          '',
        ]
      : []),
    ...(known.length
      ? ['## What integrators should know', '', INTEGRATORS_INTRO, '', ...known.map(knownItem), '']
      : []),
  ]
}

function upgrade(r: ConformanceReport): string[] {
  const steps = upgradeSteps(r)
  if (!steps.length) return []
  return [
    '## Upgrade readiness',
    '',
    `What the releases after ${r.target.version} change for its integrators, in the order an upgrade meets them.`,
    '',
    ...steps.flatMap(({ heading, step }) => [
      `### ${heading}`,
      '',
      ...step.changes.map((c) => `- ${c.change}${c.todo ? `  \n  What integrators must do: ${c.todo}` : ''}`),
      '',
    ]),
  ]
}

function clients(r: ConformanceReport): string[] {
  if (!r.clients.length) return []
  return [
    '## Integration clients',
    '',
    "Each known client's token request, replayed as the client sends it with a dummy secret (CLIENTS-01).",
    '',
    '| Client | Versions | Gets a token here | Why | Next release |',
    '|---|---|---|---|---|',
    ...r.clients.map(
      (c) =>
        `| ${mdText(c.name)}${c.required ? ' (required)' : ''} | ${mdText(c.versions)} | ${c.works === null ? 'not checked' : c.works ? 'yes' : '**no**'} | ${mdCode(c.reason)}${c.fix ? ` Fix: ${mdCode(c.fix)}` : ''} | ${mdText(c.nextRelease)} |`,
    ),
    '',
  ]
}

function fingerprint(r: ConformanceReport): string[] {
  const facts = Object.entries(r.contract)
  if (!facts.length) return []
  return [
    '',
    '## Contract fingerprint',
    '',
    'What this run observed of the token contract (compare two runs with `npm run compare -- before.json after.json`).',
    '',
    '| Item | Observed |',
    '|---|---|',
    ...facts.map(([k, v]) => `| ${mdCode(k)} | ${mdCode(factText(v))} |`),
  ]
}

/** A contract fact as the report shows it: a target's long list cut to a handful. */
export function factText(v: unknown): string {
  if (Array.isArray(v)) return `[${listed(v)}]`
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? '')
}
