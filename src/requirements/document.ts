/**
 * docs/requirements.md, generated from the catalogue (`npm run docs`): what an auditor asks for (which
 * requirements, from which sources, at which severity in each mode). A self-test fails when the file and the
 * catalogue differ, so the list never drifts.
 */
import { EPIC_OF_AREA, REQUIREMENT_LIST, type Requirement } from './catalogue.ts'

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

function severity(r: Requirement): string {
  const s = `${r.severity.opencrvs} / ${r.severity.strict}`
  const own = r.deviation ? `${s} (OpenCRVS's own: ${r.deviation.opencrvs} / ${r.deviation.strict})` : s
  return r.must ? `${own}<br>MUST: ${r.must}` : own
}

export function requirementsMarkdown(): string {
  const areas = Object.keys(EPIC_OF_AREA) as (keyof typeof EPIC_OF_AREA)[]
  const lines = [
    '# Requirements',
    '',
    '<!-- Generated from src/requirements/catalogue.ts by `npm run docs`: edit the catalogue, not this file. -->',
    '',
    `Every requirement the kit checks: ${REQUIREMENT_LIST.length} in ${areas.length} areas. "If not met" is the verdict a`,
    'shortfall gets in `opencrvs` mode / `strict` mode (CONFORMANCE_MODE); where the shortfall is how the release',
    'itself behaves as officially installed, the verdict in brackets applies instead (the reason names it). A met',
    'requirement is PASSED in both modes.',
    '',
  ]
  for (const area of areas) {
    const list = REQUIREMENT_LIST.filter((r) => r.area === area)
    if (!list.length) continue
    lines.push(`## ${area}`, '', '| Id | Requirement | If not met | Sources |', '|---|---|---|---|')
    for (const r of list)
      lines.push(
        `| ${r.id} | ${cell(r.title)} | ${severity(r)} | ${r.sources.map((s) => `[${cell(s.label)}](${s.url})`).join('<br>')} |`,
      )
    lines.push('')
  }
  return lines.join('\n')
}
