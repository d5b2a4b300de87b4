// XRPC query parameters: coercion of raw query-string values, then validation like the reference
// (xrpc validators: paths are the bare parameter name; a missing required one is reported first).
import { fail, ok, type ValidationResult } from '../errors.ts'
import type { LexParams } from '../schema.ts'
import { validateArray, type DefResolver, validateValue } from './complex.ts'

export type RawQueryParams = Record<string, string | string[] | undefined>

type ParamDef = LexParams['properties'][string]

/**
 * Turns query-string values into typed values, as the reference's schema-based verifier does:
 * integers must look like /^-?\d+$/, booleans must be "true"/"false", empty values are ignored,
 * array params collect every value, and undeclared params stay strings.
 */
export function coerceQueryParams(def: LexParams | undefined, raw: RawQueryParams): ValidationResult<Record<string, unknown>> {
  const params: Record<string, unknown> = {}
  for (const name in raw) {
    const given = raw[name]
    const values = (Array.isArray(given) ? given : [given]).filter((v): v is string => !!v)
    if (values.length === 0) continue
    const propDef = def?.properties[name]
    const scalarType = propDef?.type === 'array' ? propDef.items.type : propDef?.type
    const coerced: unknown[] = []
    for (const value of values) {
      const result = coerceScalar(name, scalarType, value)
      if (!result.success) return result
      coerced.push(result.value)
    }
    // A non-array param given twice stays an array so validation rejects it.
    params[name] = propDef?.type === 'array' || coerced.length > 1 ? coerced : coerced[0]
  }
  return ok(params)
}

function coerceScalar(name: string, type: string | undefined, value: string): ValidationResult {
  switch (type) {
    case 'integer':
      return /^-?\d+$/.test(value) ? ok(Number(value)) : fail(`${name} must be an integer`)
    case 'boolean':
      if (value === 'true') return ok(true)
      if (value === 'false') return ok(false)
      return fail(`${name} must be a boolean`)
    case undefined:
    case 'string':
      return ok(value)
    default:
      // 'unknown' cannot be carried by a query string.
      return fail(`${name} has a type that cannot be given as a query parameter: ${type}`)
  }
}

export function validateParamsObject(
  lex: DefResolver,
  path: string,
  def: LexParams,
  params: Record<string, unknown>,
): ValidationResult<Record<string, unknown>> {
  let result = params
  for (const key in def.properties) {
    const propDef: ParamDef = def.properties[key]!
    const value = params[key]
    // Absent without a default: nothing to validate (a failed result builds an Error and its stack,
    // which most GETs, with their optional params left out, would pay on every call).
    if (value === undefined && (!('default' in propDef) || propDef.default === undefined)) {
      if (def.required?.includes(key)) return fail(`${path} must have the property "${key}"`)
      continue
    }
    const validated =
      propDef.type === 'array' ? validateArray(lex, key, propDef, value) : validateValue(lex, key, propDef, value)
    const finalValue = validated.success ? validated.value : value
    if (finalValue === undefined) {
      if (def.required?.includes(key)) return fail(`${path} must have the property "${key}"`)
    } else if (!validated.success) {
      return validated
    }
    if (finalValue !== value) {
      if (result === params) result = { ...params }
      result[key] = finalValue
    }
  }
  return ok(result)
}
