import { check, finding, pass, violation, test } from '../fixtures/index.ts'
import { req } from '../src/requirements/catalogue.ts'
import { PROFILES } from '../src/profiles/profiles.ts'

test(
  ...check(req('PROFILE-01'), async ({ runtime }) => {
    const used = PROFILES[runtime.profileId]
    const evidence = runtime.detectedFrom.length
      ? runtime.detectedFrom.map((e) => `- ${e}`).join('\n')
      : '- no evidence (no client configured and no X-Version header)'
    const detail = `Evidence:\n${evidence}${runtime.conflicts.length ? `\nConflicting evidence:\n${runtime.conflicts.map((c) => `- ${c}`).join('\n')}` : ''}`
    if (runtime.declared === 'auto') {
      if (runtime.newer) {
        return finding(
          'REVIEW',
          `the deployment says it is ${runtime.newer}, newer than every release the kit has a profile for: judged against ${used.label}, with every difference REVIEW instead of FAILED. Use a kit that knows ${runtime.newer} for a verdict`,
          { detail },
        )
      }
      if (runtime.xVersionContradicted) {
        return finding(
          'REVIEW',
          `the gateway's X-Version says ${runtime.xVersionContradicted} but every other signal says ${used.label}: judged against ${used.label}, and X-Version neither picks the release nor turns a FAILED into REVIEW`,
          {
            detail,
            fix: 'Check what sets X-Version in front of the gateway (a proxy or a stale header) and which release is deployed; set OPENCRVS_VERSION to it.',
          },
        )
      }
      if (!runtime.detected) {
        return violation(`could not identify the release line; checking against ${used.label}`, {
          detail,
          fix: 'Configure a notification or search client, or set OPENCRVS_VERSION.',
        })
      }
      const others = (runtime.candidates ?? []).map((id) => PROFILES[id].label)
      const undecided = others.length
        ? `; the evidence does not rule out ${others.join(', ')} (one deviation more), so a shortfall that is genuine there is REVIEW, not FAILED`
        : ''
      if (runtime.conflicts.length) {
        return finding(
          'REVIEW',
          `the evidence points at more than one release line (${runtime.conflicts.length} signal(s) against ${used.label}, named below); judged against ${used.label}, the line the strongest evidence supports${undecided}`,
          {
            detail,
            fix: 'Check which release is deployed and set OPENCRVS_VERSION to it. A signal against the release is a deviation of the deployment: the check that grades it says so.',
          },
        )
      }
      if (others.length)
        return finding('REVIEW', `detected ${used.label} from weak evidence${undecided}`, {
          detail,
          fix: 'Set OPENCRVS_VERSION to the release you run, or configure OPENCRVS_GATEWAY_URL (its X-Version header names the release).',
        })
      return finding(
        'INFO',
        `detected ${used.label} (OPENCRVS_VERSION=auto)${used.preview ? `: ${used.preview}` : ''}`,
        { detail },
      )
    }
    if (runtime.detected && runtime.detected !== runtime.profileId) {
      const seen = PROFILES[runtime.detected].label
      // the operator's mistake, said plainly: the checks judged against the declared release point here
      return finding(
        'REVIEW',
        `OPENCRVS_VERSION says ${runtime.declared} but the deployment behaves as ${seen}: fix OPENCRVS_VERSION. Every check was judged against the declared ${used.label}, so the findings that differ between ${used.label} and ${seen} come from this mismatch, not from the deployment`,
        {
          detail,
          fix: `Set OPENCRVS_VERSION to the release deployed (${seen} by the evidence below), or to auto, and run again.`,
        },
      )
    }
    return pass(
      `declared OPENCRVS_VERSION=${runtime.declared} (${used.label})${runtime.detected ? ', and the evidence agrees' : ', no evidence to compare'}`,
      { detail },
    )
  }),
)
