/**
 * The house a maintainer lives in: no import circles over the kit's own code, and no function in `src/` or
 * `emulator/` longer than a screen (MAX_FUNCTION_LINES). Read with the TypeScript compiler's own parser.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const MAX_FUNCTION_LINES = 80

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(ROOT, dir, name)
    if (statSync(path).isDirectory()) return files(join(dir, name))
    return name.endsWith('.ts') ? [path] : []
  })
}

const parse = (file: string) =>
  ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)

/** Every module a file names by a literal path: static imports, re-exports and import() calls, types included. */
function importsOf(file: string): string[] {
  const out: string[] = []
  const visit = (node: ts.Node): void => {
    let spec: ts.Expression | undefined
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) spec = node.moduleSpecifier
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) spec = node.arguments[0]
    if (spec && ts.isStringLiteral(spec) && spec.text.startsWith('.')) out.push(resolve(dirname(file), spec.text))
    ts.forEachChild(node, visit)
  }
  visit(parse(file))
  return out
}

test('no import circles in src, emulator, fixtures and specs', () => {
  const all = ['src', 'emulator', 'fixtures', 'specs'].flatMap(files)
  const graph = new Map(all.map((f) => [f, importsOf(f).filter((to) => all.includes(to))]))
  const circles: string[] = []
  const state = new Map<string, 'open' | 'done'>()
  const walk = (f: string, path: string[]): void => {
    if (state.get(f) === 'done') return
    if (state.get(f) === 'open') {
      circles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(ROOT, p)).join(' -> '))
      return
    }
    state.set(f, 'open')
    for (const to of graph.get(f) ?? []) walk(to, [...path, f])
    state.set(f, 'done')
  }
  for (const f of all) walk(f, [])
  assert.ok(graph.size > 50, 'the files were read')
  assert.deepEqual(circles, [], 'import circles: give the idea the two files share a module of its own')
})

test(`no function in src or emulator is longer than ${MAX_FUNCTION_LINES} lines`, () => {
  const long: string[] = []
  for (const file of ['src', 'emulator'].flatMap(files)) {
    const sf = parse(file)
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line
        const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line
        const name = node.name && ts.isIdentifier(node.name) ? node.name.text : '(anonymous)'
        if (last - first + 1 > MAX_FUNCTION_LINES)
          long.push(`${relative(ROOT, file)}:${first + 1} ${name}: ${last - first + 1} lines`)
      }
      ts.forEachChild(node, visit)
    }
    visit(sf)
  }
  assert.deepEqual(long, [], 'functions longer than a screen: give each step a name of its own')
})

test("each emulator fault acts in the room it names (emulator/faults.ts's room: the file reads it)", async () => {
  const { FAULTS } = await import('../../emulator/faults.ts')
  const misplaced = Object.entries(FAULTS)
    .filter(([name, f]) => !readFileSync(join(ROOT, 'emulator', f.room), 'utf8').includes(`'${name}'`))
    .map(([name, f]) => `${name} (room ${f.room})`)
  assert.ok(Object.keys(FAULTS).length > 50, 'the faults were read')
  assert.deepEqual(misplaced, [], 'faults whose room does not read them')
})

test('docs/requirements.md is the catalogue as `npm run docs` writes it, every requirement id in it', async () => {
  const { requirementsMarkdown } = await import('../../src/requirements/document.ts')
  const { REQUIREMENT_LIST } = await import('../../src/requirements/catalogue.ts')
  const file = readFileSync(join(ROOT, 'docs/requirements.md'), 'utf8')
  const listed = [...file.matchAll(/^\| ([A-Z][A-Z0-9-]+-\d+) \|/gm)].map((m) => m[1])
  assert.deepEqual([...listed].sort(), REQUIREMENT_LIST.map((r) => r.id).sort(), 'ids: run npm run docs')
  assert.equal(file, requirementsMarkdown(), 'docs/requirements.md differs from the catalogue: run npm run docs')
})
