// Structured validators: objects, arrays, refs and unions, plus the dispatch over every def type.
// Semantics follow the reference @atproto/lexicon (validators/complex.ts): defaults are applied
// into a lazily made shallow copy, `required` wins over a type error for a missing property,
// open unions accept an unknown $type, closed unions refuse it.
import { LexiconDefNotFoundError, fail, ok, type ValidationResult } from '../errors.ts'
import { displayRef, tryCanonicalRef } from '../refs.ts'
import type { LexArray, LexObject, LexUnion, LexUserType, LexValueDef } from '../schema.ts'
import { validateBlob } from './blob.ts'
import {
  validateBoolean,
  validateBytes,
  validateCidLink,
  validateInteger,
  validateString,
  validateUnknown,
} from './primitives.ts'
import { isDataObject } from './values.ts'

/** Looks up a definition by canonical ref ("nsid#name"). */
export interface DefResolver {
  resolveDef(ref: string): LexUserType | undefined
}

export function validateValue(
  lex: DefResolver,
  path: string,
  def: LexUserType,
  value: unknown,
): ValidationResult {
  switch (def.type) {
    case 'object':
      return validateObject(lex, path, def, value)
    case 'array':
      return validateArray(lex, path, def, value)
    case 'blob':
      return validateBlob(path, def, value)
    case 'boolean':
      return validateBoolean(path, def, value)
    case 'integer':
      return validateInteger(path, def, value)
    case 'string':
      return validateString(path, def, value)
    case 'bytes':
      return validateBytes(path, def, value)
    case 'cid-link':
      return validateCidLink(path, value)
    case 'unknown':
      return validateUnknown(path, value)
    case 'ref':
    case 'union':
      return validateOneOf(lex, path, def, value)
    default:
      return fail(`Unexpected lexicon type: ${def.type}`)
  }
}

export function validateArray(lex: DefResolver, path: string, def: LexArray, value: unknown): ValidationResult {
  if (!Array.isArray(value)) return fail(`${path} must be an array`)
  if (def.maxLength !== undefined && value.length > def.maxLength) {
    return fail(`${path} must not have more than ${def.maxLength} elements`)
  }
  if (def.minLength !== undefined && value.length < def.minLength) {
    return fail(`${path} must not have fewer than ${def.minLength} elements`)
  }
  for (let i = 0; i < value.length; i++) {
    const result = validateOneOf(lex, `${path}/${i}`, def.items, value[i])
    if (!result.success) return result
  }
  return ok(value)
}

export function validateObject(lex: DefResolver, path: string, def: LexObject, value: unknown): ValidationResult {
  if (!isDataObject(value)) return fail(`${path} must be an object`)
  let result: Record<string, unknown> = value
  for (const key in def.properties) {
    const propDef = def.properties[key]!
    const propValue = value[key]
    if (propValue === null && def.nullable?.includes(key)) continue
    const required = def.required?.includes(key) ?? false
    if (propValue === undefined && !required && !hasDefault(propDef)) continue
    const validated = validateOneOf(lex, `${path}/${key}`, propDef, propValue)
    const finalValue = validated.success ? validated.value : propValue
    if (finalValue === undefined) {
      if (required) return fail(`${path} must have the property "${key}"`)
    } else if (!validated.success) {
      return validated
    }
    if (finalValue !== propValue) {
      if (result === value) result = { ...value }
      result[key] = finalValue
    }
  }
  return ok(result)
}

function hasDefault(def: LexValueDef): boolean {
  return (def.type === 'integer' || def.type === 'boolean' || def.type === 'string') && def.default !== undefined
}

/**
 * Validates against a ref (its target), a union (the member named by `$type`) or a plain def.
 * `mustBeObject` is for XRPC bodies, which are always objects.
 */
export function validateOneOf(
  lex: DefResolver,
  path: string,
  def: LexUserType,
  value: unknown,
  mustBeObject = false,
): ValidationResult {
  let concrete: LexUserType
  if (def.type === 'union') {
    if (!isDataObject(value) || typeof value.$type !== 'string') {
      return fail(`${path} must be an object which includes the "$type" property`)
    }
    const member = unionMember(def, value.$type)
    if (member === undefined) {
      if (def.closed) return fail(`${path} $type must be one of ${def.refs.map(displayRef).join(', ')}`)
      return ok(value)
    }
    const found = resolve(lex, member)
    if (!found.success) return found
    concrete = found.value
  } else if (def.type === 'ref') {
    const found = resolve(lex, def.ref)
    if (!found.success) return found
    concrete = found.value
  } else {
    concrete = def
  }
  if (mustBeObject) {
    const objectDef = concrete.type === 'record' ? concrete.record : concrete
    if (objectDef.type !== 'object') return fail(`${path} must be an object`)
    return validateObject(lex, path, objectDef, value)
  }
  return validateValue(lex, path, concrete, value)
}

/** The union ref that `$type` names ("nsid" and "nsid#main" are the same), if any. */
function unionMember(def: LexUnion, $type: string): string | undefined {
  const ref = tryCanonicalRef($type)
  return ref !== undefined && def.refs.includes(ref) ? ref : undefined
}

function resolve(lex: DefResolver, ref: string): ValidationResult<LexUserType> {
  const def = lex.resolveDef(ref)
  if (def) return ok(def)
  return { success: false, error: new LexiconDefNotFoundError(`Lexicon not found: ${displayRef(ref)}`) }
}
