// Zod schema of a Lexicon v1 document (https://atproto.com/specs/lexicon).
// Mirrors the reference @atproto/lexicon `lexiconDoc`, including its quirks:
// primary types (record, query, …) only as `main`, `ref`/`union` never as a top-level def.
// Longer than most files: one declaration per lexicon type, kept together so it reads like the spec.
import { z } from 'zod'
import { isValidLanguage, isValidNsid } from '../syntax/index.ts'

const description = z.string().optional()
const int = z.number().int()

/** Refinement shared by objects and params: every required field must be declared. */
function requiredFieldsDeclared(
  def: { required?: string[]; properties?: Record<string, unknown> },
  ctx: z.RefinementCtx,
): void {
  for (const field of def.required ?? []) {
    if (def.properties?.[field] === undefined) {
      ctx.addIssue({ code: 'custom', message: `Required field "${field}" not defined` })
    }
  }
}

/**
 * A schema that picks the object schema for a value's `type` from `schemas()` (called at parse
 * time, so definitions may refer to each other). Faster and clearer than a union over refined
 * objects: one message for an unknown type instead of one per alternative.
 */
function byType<T>(what: string, schemas: () => Record<string, z.ZodType>): z.ZodType<T> {
  return z.unknown().superRefine((value, ctx) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: `A ${what} must be an object`, fatal: true })
      return
    }
    const type = (value as { type?: unknown }).type
    const table = schemas()
    const schema = typeof type === 'string' && Object.hasOwn(table, type) ? table[type] : undefined
    if (!schema) {
      const allowed = Object.keys(table).join(', ')
      ctx.addIssue({ code: 'custom', message: `Invalid ${what} type: ${String(type)} must be one of: ${allowed}`, fatal: true })
      return
    }
    const result = schema.safeParse(value)
    if (result.success) return
    for (const issue of result.error.issues) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path })
    }
  }) as unknown as z.ZodType<T>
}

export const lexBoolean = z.object({
  type: z.literal('boolean'),
  description,
  default: z.boolean().optional(),
  const: z.boolean().optional(),
})

export const lexInteger = z.object({
  type: z.literal('integer'),
  description,
  default: int.optional(),
  minimum: int.optional(),
  maximum: int.optional(),
  enum: int.array().optional(),
  const: int.optional(),
})

export const STRING_FORMATS = [
  'datetime',
  'uri',
  'at-uri',
  'did',
  'handle',
  'at-identifier',
  'nsid',
  'cid',
  'language',
  'tid',
  'record-key',
] as const

export const lexString = z.object({
  type: z.literal('string'),
  format: z.enum(STRING_FORMATS).optional(),
  description,
  default: z.string().optional(),
  minLength: int.optional(),
  maxLength: int.optional(),
  minGraphemes: int.optional(),
  maxGraphemes: int.optional(),
  enum: z.string().array().optional(),
  const: z.string().optional(),
  knownValues: z.string().array().optional(),
})

export const lexUnknown = z.object({ type: z.literal('unknown'), description })

export const lexBytes = z.object({
  type: z.literal('bytes'),
  description,
  minLength: z.number().optional(),
  maxLength: z.number().optional(),
})

export const lexCidLink = z.object({ type: z.literal('cid-link'), description })

export const lexRef = z.object({ type: z.literal('ref'), description, ref: z.string() })

export const lexUnion = z.object({
  type: z.literal('union'),
  description,
  refs: z.string().array(),
  closed: z.boolean().optional(),
})

export const lexBlob = z.object({
  type: z.literal('blob'),
  description,
  accept: z.string().array().optional(),
  maxSize: z.number().optional(),
})

// Array items and object properties may nest (objects inside objects, arrays of objects), which the
// reference schema forbids but the interop catalog uses; dispatch by hand so the recursion is lazy.
const lexField: z.ZodType<LexFieldDef> = byType('field', () => ({
  array: lexArray,
  object: lexObject,
  boolean: lexBoolean,
  integer: lexInteger,
  string: lexString,
  unknown: lexUnknown,
  bytes: lexBytes,
  'cid-link': lexCidLink,
  ref: lexRef,
  union: lexUnion,
  blob: lexBlob,
}))

export const lexArray = z.object({
  type: z.literal('array'),
  description,
  items: lexField,
  minLength: int.optional(),
  maxLength: int.optional(),
})

/** Arrays allowed in query parameters: primitive items only. */
const lexPrimitiveArray = lexArray.extend({
  items: z.discriminatedUnion('type', [lexBoolean, lexInteger, lexString, lexUnknown]),
})

export const lexToken = z.object({ type: z.literal('token'), description })

export const lexObject = z
  .object({
    type: z.literal('object'),
    description,
    required: z.string().array().optional(),
    nullable: z.string().array().optional(),
    properties: z.record(z.string(), lexField),
  })
  .superRefine(requiredFieldsDeclared)

const lexLang = z.record(
  z.string().refine(isValidLanguage, 'Invalid BCP47 language tag'),
  z.string().optional(),
)

const permissionValue = z.union([
  z.array(z.union([z.string(), int, z.boolean()])),
  z.boolean(),
  int,
  z.string(),
])

const lexPermission = z.intersection(
  z.object({ type: z.literal('permission'), resource: z.string().min(1) }),
  z.record(z.string(), permissionValue.optional()),
)

export const lexPermissionSet = z.object({
  type: z.literal('permission-set'),
  description,
  title: z.string().optional(),
  'title:lang': lexLang.optional(),
  detail: z.string().optional(),
  'detail:lang': lexLang.optional(),
  permissions: z.array(lexPermission),
})

export const lexParams = z
  .object({
    type: z.literal('params'),
    description,
    required: z.string().array().optional(),
    properties: z.record(
      z.string(),
      z.discriminatedUnion('type', [lexPrimitiveArray, lexBoolean, lexInteger, lexString, lexUnknown]),
    ),
  })
  .superRefine(requiredFieldsDeclared)

const lexBody = z.object({
  description,
  encoding: z.string(),
  schema: z.union([lexRef, lexUnion, lexObject]).optional(),
})

const lexError = z.object({ name: z.string(), description })

export const lexQuery = z.object({
  type: z.literal('query'),
  description,
  parameters: lexParams.optional(),
  output: lexBody.optional(),
  errors: lexError.array().optional(),
})

export const lexProcedure = z.object({
  type: z.literal('procedure'),
  description,
  parameters: lexParams.optional(),
  input: lexBody.optional(),
  output: lexBody.optional(),
  errors: lexError.array().optional(),
})

export const lexSubscription = z.object({
  type: z.literal('subscription'),
  description,
  parameters: lexParams.optional(),
  message: z.object({ description, schema: lexUnion }),
  errors: lexError.array().optional(),
})

export const lexRecord = z.object({
  type: z.literal('record'),
  description,
  key: z.string().optional(),
  record: lexObject,
})

/**
 * Schemas of the types a document may define at its top level, by `type`. Like the reference, minus
 * `unknown`: the interop vectors refuse it as a named definition (no real lexicon has one).
 */
const TOP_LEVEL_SCHEMAS = {
  record: lexRecord,
  'permission-set': lexPermissionSet,
  query: lexQuery,
  procedure: lexProcedure,
  subscription: lexSubscription,
  blob: lexBlob,
  array: lexArray,
  token: lexToken,
  object: lexObject,
  boolean: lexBoolean,
  integer: lexInteger,
  string: lexString,
  bytes: lexBytes,
  'cid-link': lexCidLink,
} as const

const PRIMARY_TYPES = new Set(['record', 'permission-set', 'query', 'procedure', 'subscription'])

const lexUserType = byType('definition', () => TOP_LEVEL_SCHEMAS)

export const lexiconDocSchema = z
  .object({
    lexicon: z.literal(1),
    id: z.string().refine(isValidNsid, 'Must be a valid NSID'),
    revision: z.number().optional(),
    description,
    defs: z.record(z.string(), lexUserType),
  })
  .superRefine((doc, ctx) => {
    for (const [name, def] of Object.entries(doc.defs)) {
      const type = (def as { type: string }).type
      if (name !== 'main' && PRIMARY_TYPES.has(type)) {
        ctx.addIssue({
          code: 'custom',
          path: ['defs', name],
          message: 'Records, permission sets, procedures, queries, and subscriptions must be the main definition',
        })
      }
    }
  })

export type LexBoolean = z.infer<typeof lexBoolean>
export type LexInteger = z.infer<typeof lexInteger>
export type LexString = z.infer<typeof lexString>
export type LexStringFormat = (typeof STRING_FORMATS)[number]
export type LexUnknown = z.infer<typeof lexUnknown>
export type LexBytes = z.infer<typeof lexBytes>
export type LexCidLink = z.infer<typeof lexCidLink>
export type LexRef = z.infer<typeof lexRef>
export type LexUnion = z.infer<typeof lexUnion>
export type LexBlob = z.infer<typeof lexBlob>
export type LexFieldDef = LexPrimitive | LexRef | LexUnion | LexBlob | LexArray | LexObject
export interface LexArray {
  type: 'array'
  description?: string
  items: LexFieldDef
  minLength?: number
  maxLength?: number
}
export type LexToken = z.infer<typeof lexToken>
export interface LexObject {
  type: 'object'
  description?: string
  required?: string[]
  nullable?: string[]
  properties: Record<string, LexFieldDef>
}
export type LexPermissionSet = z.infer<typeof lexPermissionSet>
export interface LexParams {
  type: 'params'
  description?: string
  required?: string[]
  properties: Record<string, LexBoolean | LexInteger | LexString | LexUnknown | LexPrimitiveArray>
}
export interface LexPrimitiveArray extends LexArray {
  items: LexBoolean | LexInteger | LexString | LexUnknown
}
export type LexBody = z.infer<typeof lexBody>
export type LexQuery = z.infer<typeof lexQuery>
export type LexProcedure = z.infer<typeof lexProcedure>
export type LexSubscription = z.infer<typeof lexSubscription>
export type LexRecord = z.infer<typeof lexRecord>

export type LexPrimitive = LexBoolean | LexInteger | LexString | LexUnknown | LexBytes | LexCidLink
/** Any definition that can describe a value (a property, an array item, a body). */
export type LexValueDef = LexPrimitive | LexRef | LexUnion | LexBlob | LexArray | LexObject | LexToken
export type LexMethodDef = LexQuery | LexProcedure | LexSubscription
export type LexUserType = LexValueDef | LexRecord | LexPermissionSet | LexMethodDef

export interface LexiconDoc {
  lexicon: 1
  id: string
  revision?: number
  description?: string
  defs: Record<string, LexUserType>
}
