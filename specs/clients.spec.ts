/**
 * Integration readiness: the clients countries really run (src/clients/catalogue.ts), each replayed against the
 * host it calls, as it sends its request, with a dummy secret. A deployment is ready when they get their tokens.
 */
import { check, deviation, finding, pass, skip, test, violation } from '../fixtures/index.ts'
import type { ClientVerdict } from '../fixtures/clients.ts'
import { req } from '../src/requirements/catalogue.ts'
import { bounded } from '../src/redact/neutral.ts'

/** One client in the evidence, bounded: the request, the fix and the whole reason are in conformance.json's clients. */
const line = (c: ClientVerdict) =>
  `${c.name} ${c.versions}: ${bounded(c.works ? `gets a token (${c.answered ?? ''})` : c.reason, 420)}`

test(
  ...check(req('CLIENTS-01'), async ({ clients, target }) => {
    const all = await clients.all()
    const checked = all.filter((c) => c.works !== null)
    const unchecked = all.filter((c) => c.works === null)
    // a client the country requires that could not be replayed is not a pass: say what to set
    const requiredUnchecked = unchecked.filter((c) => c.required)
    const observed = { clients: all }
    if (!checked.length && !requiredUnchecked.length)
      return skip(`no client could be replayed: ${all[0]?.reason ?? 'no known client'}`)
    const broken = checked.filter((c) => c.works === false)
    const detail = [...broken, ...checked.filter((c) => c.works), ...all.filter((c) => c.works === null)]
      .map((c) => `- ${line(c)}\n  next release: ${bounded(c.nextRelease, 200)}`)
      .join('\n')
    const from = target.domain ? ` (domain ${target.domain.name}, from ${target.domain.from})` : ''
    const names = (list: ClientVerdict[]) => list.map((c) => `${c.name} ${c.versions}`).join('; ')
    const required = broken.filter((c) => c.required)
    const deployments = broken.filter((c) => !c.byRelease && !c.required)
    if (required.length || deployments.length) {
      const parts = [
        ...(required.length ? [`required by this country (CONFORMANCE_REQUIRED_CLIENTS): ${names(required)}`] : []),
        ...(deployments.length ? [`supported by the release as officially installed: ${names(deployments)}`] : []),
      ]
      return violation(
        `${required.length + deployments.length} integration client(s) get no token here${from}: ${parts.join('; ')}. ${[...required, ...deployments][0]!.reason}`,
        { detail, fix: [...required, ...deployments][0]!.fix ?? '', observed },
      )
    }
    const behind = broken.filter((c) => c.leftBehind)
    const notChecked = unchecked.length ? `: ${unchecked.length} not checked` : ''
    const works = `${checked.length - broken.length} of ${all.length} clients get a token here${from}${notChecked}`
    if (requiredUnchecked.length) {
      const left = behind.length ? `; the release itself left behind: ${names(behind)}` : ''
      return finding(
        'REVIEW',
        `required by this country (CONFORMANCE_REQUIRED_CLIENTS) but not checked: ${names(requiredUnchecked)} (${requiredUnchecked[0]!.reason}); ${works}${left}`,
        {
          detail,
          fix: `So that it is checked: ${requiredUnchecked[0]!.reason.replace(/^not checked: /, '')}.`,
          observed,
        },
      )
    }
    if (behind.length) {
      return deviation(
        `${works}; the release itself left ${behind.length} behind that got tokens on earlier releases: ${names(behind)}. ${behind[0]!.reason}`,
        { detail, fix: behind[0]!.fix ?? '', observed },
      )
    }
    const other = broken.length ? ` (${broken.length} others are not made for this release: ${names(broken)})` : ''
    return pass(`${works}${other}`, { detail, observed })
  }),
)
