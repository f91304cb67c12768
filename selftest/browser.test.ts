/**
 * conformance.html in a real browser: nothing overflows sideways at 800, 1280 and 1920 px nor printed on A4, with
 * the longest texts a run can hold (an unbreakable JSON excerpt, a long URL, long sources). Debian's chromium, driven
 * by the kit's own playwright-core; where no browser is installed the test says so and is SKIPPED (CI installs it:
 * .ci/run). No network: the page loads nothing, and the browser is started with its background traffic off.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { test } from 'node:test'
import { chromium, type Browser, type Page } from 'playwright-core'
import { signoffHtml } from '../src/report/html.ts'
import { sampleReport } from './unit/sample-report.ts'

const BROWSERS = ['/usr/bin/chromium', '/usr/bin/chromium-browser']
const executablePath = BROWSERS.find((p) => existsSync(p))
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** The longest texts a report can hold: an unbreakable JSON body, a long URL, a long source label. */
function longReport(withFailed: boolean) {
  const json = JSON.stringify({ error: 'invalid_client', error_description: 'x'.repeat(300), padding: 'y'.repeat(400) })
  const r = sampleReport((_, i) => (withFailed && i % 7 === 0 ? 'FAILED' : i % 5 === 0 ? 'WARNING' : 'PASSED'))
  r.target.tokenUrl = `https://gateway.${'very-long-subdomain-'.repeat(8)}example.org/auth/token`
  for (const [i, x] of r.results.entries()) {
    if (i % 3 === 0) x.reason = `one answer for every credential failure: 401 ${json}`
    if (i % 4 === 0) x.detail = `POST ${r.target.tokenUrl}?${'a'.repeat(900)}\n-> 401\n  body: ${json}`
    x.sources = [
      ...x.sources,
      { label: `Observed release behaviour: v1.9 ${'z'.repeat(120)}`, url: 'https://a.example/' },
    ]
  }
  r.contract = { 'response.body': json }
  return r
}

/** The widest thing on the page beyond the viewport, or null: the document and every element checked. */
async function overflow(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth
    if (document.documentElement.scrollWidth > width + 1)
      return `the page is ${document.documentElement.scrollWidth} px wide in a ${width} px viewport`
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const box = el.getBoundingClientRect()
      if (box.right > width + 1) return `<${el.tagName.toLowerCase()}> ends at ${Math.round(box.right)} px of ${width}`
      if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && getComputedStyle(el).display !== 'inline')
        return `<${el.tagName.toLowerCase()}> holds ${el.scrollWidth} px in ${el.clientWidth} px (cut off)`
    }
    return null
  })
}

test('conformance.html: no horizontal overflow at 800, 1280, 1920 px nor printed on A4', async (t) => {
  if (!executablePath) {
    const why = `no browser installed (looked for ${BROWSERS.join(', ')}): install Debian's chromium to run it`
    console.log(`SKIPPED: ${why}`)
    t.skip(why)
    return
  }
  let browser: Browser | undefined
  try {
    browser = await chromium.launch({ executablePath, args: FLAGS, headless: true })
    const page = await browser.newPage()
    for (const withFailed of [false, true]) {
      await page.setContent(signoffHtml(longReport(withFailed)), { waitUntil: 'load' })
      // the folded evidence is opened: what a reader sees when they look at it
      await page.evaluate(() => {
        for (const d of Array.from(document.querySelectorAll('details'))) d.open = true
      })
      for (const width of [800, 1280, 1920]) {
        await page.setViewportSize({ width, height: 900 })
        await page.emulateMedia({ media: 'screen' })
        assert.equal(await overflow(page), null, `${width} px${withFailed ? ', a run with FAILED' : ''}`)
      }
      // A4 less the page's 12 mm margins, at 96 px to the inch
      await page.setViewportSize({ width: Math.floor(((210 - 24) / 25.4) * 96), height: 1000 })
      await page.emulateMedia({ media: 'print' })
      assert.equal(await overflow(page), null, `print (A4)${withFailed ? ', a run with FAILED' : ''}`)
      const pdf = await page.pdf({ format: 'A4', printBackground: true })
      const pages = pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)?.length ?? 0
      assert.ok(pages > 0, 'the page prints')
      console.log(`  printed to A4${withFailed ? ' (a run with FAILED)' : ''}: ${pages} page(s)`)
    }
  } finally {
    await browser?.close()
  }
})
