/**
 * Nothing the kit or its emulator writes outside the report folder lands in a shared, guessable name: each file is
 * in a private directory (mkdtemp, 0700), created exclusively with mode 0600, and gone when the run ends. The
 * request budget is held in the process, so no other local user can reset or exhaust it through a file.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { startEmulator } from '../../emulator/server.ts'
import { BudgetExceeded, HttpClient } from '../../src/http/index.ts'
import { collectKit } from '../harness.ts'

test('an HTTPS emulator run writes only private files in private directories, and removes them', async () => {
  const previous = process.env.TMPDIR
  const tmp = mkdtempSync(join(tmpdir(), 'kit-tmp-'))
  process.env.TMPDIR = tmp
  try {
    const emu = await startEmulator({ release: '2.0', tls: true })
    const entries = readdirSync(tmp)
    assert.ok(entries.length >= 2, `the CA and the public key are written (${entries.join(', ')})`)
    for (const dir of entries) {
      const d = statSync(join(tmp, dir))
      assert.ok(d.isDirectory(), `${dir} is a directory of its own, not a file in the shared folder`)
      assert.equal(d.mode & 0o777, 0o700, `${dir} is private`)
      for (const f of readdirSync(join(tmp, dir)))
        assert.equal(statSync(join(tmp, dir, f)).mode & 0o777, 0o600, `${dir}/${f} is private`)
    }
    await emu.stop()
    // a whole preparation and collection against it: the budget leaves no file behind
    await collectKit('1.9')
    // (the harness keeps its own report folder there: a private directory too)
    assert.deepEqual(
      readdirSync(tmp).filter((e) => e.startsWith('opencrvs-')),
      [],
      'nothing of the kit or its emulator left behind',
    )
    for (const e of readdirSync(tmp)) assert.equal(statSync(join(tmp, e)).mode & 0o777, 0o700, e)
  } finally {
    if (previous === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = previous
  }
})

test("the request budget is the process's own: the setup's spending carries over, and the cap holds", async () => {
  const http = new HttpClient({ budget: { max: 3, spent: 2 } })
  http.spend()
  assert.equal(http.spent, 3)
  assert.throws(() => http.spend(), BudgetExceeded)
  assert.equal(http.spent, 3, 'a refused request is not counted')
})
