/**
 * conformance.html: the page to attach to a sign-off. One self-contained file built from the report alone: no
 * script, no external font, style or image, and a Content-Security-Policy that forbids loading anything, so it opens
 * offline and contacts no one. Every text is escaped (a target's words can never become markup) and neutralised
 * (no control character reaches the page). Prints cleanly to PDF: colours kept, rows unbroken, the evidence
 * folded as on screen (conformance.md holds it in full).
 */
import { VERDICTS, type Verdict } from '../requirements/catalogue.ts'
import { neutral } from '../redact/neutral.ts'
import type { UpgradeChange } from '../profiles/upgrades.ts'
import { adviceOf, cannotVouch, forIntegrators, INTEGRATORS_INTRO, toFix, upgradeSteps } from './findings.ts'
import { factText } from './markdown.ts'
import { type ConformanceReport, rateLimitLine, requestLine, type ResultEntry, signatureCaveat } from './model.ts'

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text for the page: neutral (bounded, no control characters), then every markup character escaped. */
export function esc(text: string, opts: { lines?: boolean; max?: number } = {}): string {
  return neutral(text, opts).replace(/[&<>"']/g, (c) => ESCAPES[c]!)
}

/** A link only to an http(s) address, shown as its label: anything else is text. */
function link(url: string, label: string): string {
  return /^https?:\/\/[^\s"'<>]+$/.test(url) ? `<a href="${esc(url)}">${esc(label)}</a>` : esc(label)
}

const COLOURS: Record<Verdict, string> = {
  PASSED: '#1a7f37',
  FAILED: '#cf222e',
  WARNING: '#9a6700',
  REVIEW: '#8250df',
  INFO: '#0969da',
  SKIPPED: '#6e7781',
}

const badge = (v: Verdict | 'NOT CHECKED') =>
  `<span class="badge" style="background:${v === 'NOT CHECKED' ? '#57606a' : COLOURS[v]}">${v}</span>`

// No horizontal overflow at any width from 800 px up nor on A4: tables lay out to the page's width (fixed layout,
// column widths set by the header row), and any long word, URL or JSON excerpt wraps anywhere rather than widening them
const STYLE = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1f2328;margin:2em auto;max-width:1100px;padding:0 1em}
h1{font-size:1.6em;margin:.2em 0}h3{font-size:1.05em;margin:1em 0 .3em}h2{font-size:1.2em;margin:1.6em 0 .5em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
h1,h2,h3,p,li,td,th,div,pre,code,summary{overflow-wrap:anywhere;word-break:normal}
table{border-collapse:collapse;width:100%;table-layout:fixed}th,td{border:1px solid #d0d7de;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f6f8fa}.facts th{width:12em}.badge{color:#fff;border-radius:3px;padding:.1em .45em;font-size:.85em;font-weight:600;white-space:nowrap}
.totals .badge{font-size:1em;margin-right:.4em}.note{border-left:4px solid #9a6700;background:#fff8c5;padding:.5em .8em;margin:.8em 0}
.stop{border-left-color:#cf222e;background:#ffebe9}.banner{font-size:1.15em}code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
pre{white-space:pre-wrap;background:#f6f8fa;padding:.6em;margin:.3em 0;max-width:100%}details summary{cursor:pointer;color:#0969da}
.muted{color:#57606a}td.id{font-weight:600}th.id{width:9.5em}th.verdict{width:6.8em}th.req{width:22%}th.src{width:17%}
td.src{font-size:.85em}.fix{margin-top:.3em}ol li,ul li{margin:.4em 0}.clients th:nth-child(2){width:9em}.clients th:nth-child(3){width:6em}
@page{size:A4;margin:12mm}
@media print{body{margin:0;max-width:none;font-size:11px;padding:0}details summary{color:#1f2328}a{color:inherit;text-decoration:none}
tr,li{break-inside:avoid}.badge,.note{-webkit-print-color-adjust:exact;print-color-adjust:exact}}`

export function signoffHtml(r: ConformanceReport): string {
  const checked = r.results.length > 0 && !r.stop
  // the page's one word: FAILED when a requirement failed, REVIEW when a person must still decide, else PASSED
  const headline: Verdict | 'NOT CHECKED' = !r.results.length
    ? 'NOT CHECKED'
    : r.totals.FAILED
      ? 'FAILED'
      : r.totals.REVIEW
        ? 'REVIEW'
        : 'PASSED'
  const body = [
    `<h1>OpenCRVS token endpoint conformance ${badge(headline)}</h1>`,
    ...cannotVouch(r).map(
      (b) => `<div class="note stop banner"><strong>${esc(b.headline)}.</strong> ${esc(b.why)}</div>`,
    ),
    `<p class="muted">${esc(r.kit.name)} ${esc(r.kit.version)} · run started ${esc(r.startedAt)} · ${(r.durationMs / 1000).toFixed(1)} s</p>`,
    targetTable(r),
    `<p class="totals">${VERDICTS.map((v) => `${badge(v)}${r.totals[v]}`).join(' ')}</p>`,
    ...notes(r, checked),
    findings(r),
    integrators(r),
    upgrade(r),
    clients(r),
    everyRequirement(r),
    fingerprint(r),
  ]
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OpenCRVS token conformance: ${esc(r.target.version)}, ${headline}</title>
<style>${STYLE}</style></head>
<body>
${body.filter(Boolean).join('\n')}
</body></html>
`
}

function targetTable(r: ConformanceReport): string {
  const t = r.target
  const emu = t.emulator
  const rows: [string, string][] = [
    [
      'Token endpoint',
      `<code>${esc(t.tokenUrl)}</code>${emu ? ` (bundled emulator, release ${esc(emu.release)}${emu.faults.length ? `, faults: ${esc(emu.faults.join(', '))}` : ''})` : ''}`,
    ],
    [
      'Release',
      `${esc(t.version)} (OPENCRVS_VERSION=${esc(t.declared || '?')}; identification: ${esc(t.identification.confidence)})`,
    ],
    ['Evidence for it', list(t.identification.supporting) || 'none'],
    ...(t.identification.contradicting.length
      ? [['Evidence against it', list(t.identification.contradicting)] as [string, string]]
      : []),
    ['Mode', esc(t.mode || '?')],
    ['Requests to the target', esc(requestLine(r))],
  ]
  return `<table class="facts">${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`
}

const list = (items: string[]) => items.map((x) => `<code>${esc(x)}</code>`).join('; ')

function notes(r: ConformanceReport, checked: boolean): string[] {
  const out: string[] = []
  if (!r.results.length)
    out.push(
      `<div class="note stop"><strong>NOT CHECKED: no check ran.</strong>${r.errors.map((e) => `<pre>${esc(e, { lines: true })}</pre>`).join('')}</div>`,
    )
  else if (r.stop)
    out.push(`<div class="note stop"><strong>The run stopped in setup:</strong> ${esc(r.stop.reason)}</div>`)
  const limited = rateLimitLine(r)
  if (limited) out.push(`<div class="note">${esc(limited)}</div>`)
  if (r.requests.budgetReached)
    out.push(`<div class="note stop">The request budget was reached: the run is incomplete.</div>`)
  const caveat = checked ? signatureCaveat(r) : null
  if (caveat) out.push(`<div class="note">${esc(caveat)}</div>`)
  return out
}

function findings(r: ConformanceReport): string {
  const first = toFix(r)
  if (!first.length) return ''
  const item = (x: ResultEntry) =>
    `<li>${badge(x.verdict)} <strong>${x.id}</strong> ${esc(x.title)}<br>${esc(x.reason)}${x.fix ? `<div class="fix"><em>How to fix:</em> ${esc(x.fix)}</div>` : ''}${x.waiver ? `<div class="fix"><em>Waiver${x.waiver.expired ? ' (EXPIRED, not applied)' : ''}:</em> ${esc(x.waiver.reason)}, until ${esc(x.waiver.until)}</div>` : ''}</li>`
  return `<h2>What to fix first</h2><p class="muted">This deployment's own findings: what FAILED, then what a person must decide (REVIEW).</p><ol>${first.map(item).join('')}</ol>`
}

/** A finding's advice: how to fix the deployment's own; for OpenCRVS's own, what integrators do and optional hardening. */
function fixHtml(x: ResultEntry): string {
  if (x.verdict !== 'WARNING' || x.waiver)
    return x.fix ? `<div class="fix"><em>How to fix:</em> ${esc(x.fix)}</div>` : ''
  const { integrators: todo, hardening } = adviceOf(x)
  return `${todo ? `<div class="fix"><em>What integrators do:</em> ${esc(todo)}</div>` : ''}${hardening ? `<div class="fix"><em>Optional hardening (not a fix; the release behaves so everywhere):</em> ${esc(hardening)}</div>` : ''}`
}

function integrators(r: ConformanceReport): string {
  const known = forIntegrators(r)
  if (!known.length) return ''
  const item = (x: ResultEntry) => `<li><strong>${x.id}</strong> ${esc(x.title)}<br>${esc(x.reason)}${fixHtml(x)}</li>`
  return `<h2>What integrators should know</h2><p class="muted">${esc(INTEGRATORS_INTRO)}</p><ul>${known.map(item).join('')}</ul>`
}

function upgrade(r: ConformanceReport): string {
  const steps = upgradeSteps(r)
  if (!steps.length) return ''
  const change = (c: UpgradeChange) =>
    `<li>${esc(c.change)}${c.todo ? `<div class="fix"><em>What integrators must do:</em> ${esc(c.todo)}</div>` : ''}</li>`
  return `<h2>Upgrade readiness</h2><p class="muted">What the releases after ${esc(r.target.version)} change for its integrators, in the order an upgrade meets them.</p>${steps
    .map(({ heading, step }) => `<h3>${esc(heading)}</h3><ul>${step.changes.map(change).join('')}</ul>`)
    .join('')}`
}

function clients(r: ConformanceReport): string {
  if (!r.clients.length) return ''
  const rows = r.clients.map(
    (c) =>
      `<tr><td>${esc(c.name)}${c.required ? ' <strong>(required)</strong>' : ''}</td><td>${esc(c.versions)}</td><td>${c.works === null ? 'not checked' : c.works ? 'yes' : '<strong>no</strong>'}</td><td>${esc(c.reason)}${c.fix ? `<div class="fix"><em>Fix:</em> ${esc(c.fix)}</div>` : ''}</td><td>${esc(c.nextRelease)}</td></tr>`,
  )
  return `<h2>Integration clients (CLIENTS-01)</h2><table class="clients"><tr><th>Client</th><th>Versions</th><th>Gets a token here</th><th>Why</th><th>Next release</th></tr>${rows.join('')}</table>`
}

function everyRequirement(r: ConformanceReport): string {
  if (!r.results.length) return ''
  const row = (x: ResultEntry) =>
    `<tr id="${x.id}"><td class="id">${x.id}</td><td>${badge(x.verdict)}</td><td>${esc(x.title)}<div class="muted">${esc(x.area)}</div></td><td>${esc(x.reason)}${fixHtml(x)}${x.detail ? `<details><summary>Evidence (redacted)</summary><pre>${esc(x.detail, { lines: true, max: 8000 })}</pre></details>` : ''}</td><td class="src">${x.sources.map((s) => link(s.url, s.label)).join('<br>')}</td></tr>`
  return `<h2>Every requirement</h2><table class="all"><tr><th class="id">Id</th><th class="verdict">Verdict</th><th class="req">Requirement</th><th>Result</th><th class="src">Sources</th></tr>${r.results.map(row).join('')}</table>`
}

function fingerprint(r: ConformanceReport): string {
  const facts = Object.entries(r.contract)
  if (!facts.length) return ''
  return `<h2>Contract fingerprint</h2><details><summary>What this run observed of the token contract (${facts.length} facts)</summary><table>${facts.map(([k, v]) => `<tr><th><code>${esc(k)}</code></th><td><code>${esc(factText(v))}</code></td></tr>`).join('')}</table></details>`
}
