/**
 * The JSON Schemas in schemas/, compiled once by ajv (draft 2020-12). validate() answers with messages that
 * name the field and the rule it broke, never the value.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import Ajv2020 from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import type { ValidateFunction } from 'ajv'

const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ allErrors: true, strict: true })
;(addFormats as unknown as typeof addFormats.default)(ajv)

const compiled = new Map<string, ValidateFunction>()

export function schemaPath(name: string): string {
  return fileURLToPath(new URL(`../../schemas/${name}.schema.json`, import.meta.url))
}

function compile(name: string): ValidateFunction {
  let fn = compiled.get(name)
  if (!fn) {
    fn = ajv.compile(JSON.parse(readFileSync(schemaPath(name), 'utf8')) as object)
    compiled.set(name, fn)
  }
  return fn
}

export interface SchemaProblem {
  /** The field, dotted ("error_description"), or "(body)". */
  field: string
  keyword: string
  /** "<field>: <rule broken>", never the value. */
  message: string
}

/** Validate against schemas/<name>.schema.json; every rule broken, by field (empty when valid). */
export function problems(name: string, value: unknown): SchemaProblem[] {
  const fn = compile(name)
  if (fn(value)) return []
  return (fn.errors ?? []).map((e) => {
    const field = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(body)'
    const extra = e.keyword === 'required' ? '' : ` [${e.keyword}]`
    return { field, keyword: e.keyword, message: `${field}: ${e.message ?? 'invalid'}${extra}` }
  })
}

/** Validate against schemas/<name>.schema.json; returns the list of problems (empty when valid). */
export function validate(name: string, value: unknown): string[] {
  return problems(name, value).map((p) => p.message)
}
