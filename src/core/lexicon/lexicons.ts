// A set of loaded lexicon documents and the validators that use them.
// Validation returns results (hot path, no throw); only loading a bad document throws.
import {
  LexiconDefNotFoundError,
  LexiconDocError,
  ValidationError,
  fail,
  ok,
  type ValidationResult,
} from './errors.ts'
import { parseLexiconDoc } from './parse.ts'
import { tryCanonicalRef, withCanonicalRefs } from './refs.ts'
import type { LexBody, LexMethodDef, LexiconDoc, LexUserType } from './schema.ts'
import { type DefResolver, validateObject, validateOneOf } from './validators/complex.ts'
import { coerceQueryParams, type RawQueryParams, validateParamsObject } from './validators/params.ts'
import { isDataObject } from './validators/values.ts'

export type MethodKind = 'query' | 'procedure' | 'subscription'

export interface MethodInfo {
  nsid: string
  kind: MethodKind
  /** Same as `kind`, under the lexicon's own name for it. */
  type: MethodKind
  /** Encoding of the request body (procedures only), e.g. "application/json" or "*\/*". */
  inputEncoding?: string
  outputEncoding?: string
  /** Error names the method declares, for mapping domain errors to XRPC errors. */
  errors: string[]
  def: LexMethodDef
}

export interface LexiconsOptions {
  /**
   * Check each document only when one of its definitions is first used. Duplicate ids are still
   * refused at once. For the embedded bundle, whose documents a test checks at build time.
   */
  lazy?: boolean
}

/**
 * A document as its JSON text, with its id: kept as text until one of its definitions is first used
 * (lazy Lexicons). The embedded bundle is shipped this way; as object literals its ~400 documents
 * cost ~2 MB of memory at startup.
 */
export type LexiconSource = { readonly id: string; readonly json: string }

function isSource(doc: unknown): doc is LexiconSource {
  return typeof doc === 'object' && doc !== null && typeof (doc as LexiconSource).json === 'string' && typeof (doc as LexiconSource).id === 'string' && !('lexicon' in doc)
}

export class Lexicons implements DefResolver {
  private readonly docs = new Map<string, LexiconDoc>()
  /** Canonical ref ("nsid#name") → definition with canonical refs inside. */
  private readonly defs = new Map<string, LexUserType>()
  /** Documents registered lazily and not yet checked, by id. */
  private readonly pending = new Map<string, unknown>()
  private readonly lazy: boolean
  /** getMethod's answers, dropped whenever a document is added. */
  private readonly methods = new Map<string, MethodInfo>()

  constructor(docs: Iterable<unknown> = [], options: LexiconsOptions = {}) {
    this.lazy = options.lazy ?? false
    for (const doc of docs) this.add(doc)
  }

  /** Registers a document (or its source). Throws LexiconDocError when it is malformed or its id is taken. */
  add(doc: unknown): void {
    this.methods.clear()
    if (isSource(doc) && !this.lazy) doc = parseSource(doc)
    if (this.lazy) {
      const id = (doc as { id?: unknown } | null)?.id
      if (typeof id === 'string') {
        this.assertNewId(id)
        this.pending.set(id, doc)
        return
      }
    }
    this.register(parseLexiconDoc(doc))
  }

  /** Ids of every registered document. */
  ids(): string[] {
    return [...this.docs.keys(), ...this.pending.keys()].sort()
  }

  has(nsid: string): boolean {
    return this.docs.has(nsid) || this.pending.has(nsid)
  }

  /** The checked document (refs made canonical: "nsid#name"). */
  getDoc(nsid: string): LexiconDoc | undefined {
    this.loadPending(nsid)
    return this.docs.get(nsid)
  }

  /** A definition by "nsid", "nsid#name" or "lex:nsid#name". */
  getDef(ref: string): LexUserType | undefined {
    const canonical = tryCanonicalRef(ref)
    return canonical === undefined ? undefined : this.resolveDef(canonical)
  }

  /** DefResolver: lookup by canonical ref, checking a lazily added document on first use. */
  resolveDef(ref: string): LexUserType | undefined {
    const hash = ref.indexOf('#')
    this.loadPending(hash === -1 ? ref : ref.slice(0, hash))
    return this.defs.get(ref)
  }

  /** The XRPC method an NSID names, or undefined if it is not a query/procedure/subscription. */
  getMethod(nsid: string): MethodInfo | undefined {
    // Asked on every XRPC request; the answer only changes when a document is added. Only methods
    // are kept (as many as the documents hold): unknown NSIDs come from clients, without bound.
    const known = this.methods.get(nsid)
    if (known) return known
    const method = this.readMethod(nsid)
    if (method) this.methods.set(nsid, method)
    return method
  }

  private readMethod(nsid: string): MethodInfo | undefined {
    const def = this.getDef(nsid)
    if (!def || (def.type !== 'query' && def.type !== 'procedure' && def.type !== 'subscription')) {
      return undefined
    }
    return {
      nsid,
      kind: def.type,
      type: def.type,
      inputEncoding: def.type === 'procedure' ? def.input?.encoding : undefined,
      outputEncoding: def.type === 'subscription' ? undefined : def.output?.encoding,
      errors: (def.errors ?? []).map((error) => error.name),
      def,
    }
  }

  /** Validates a repository record of collection `nsid`: `$type` must name it. */
  validateRecord(nsid: string, value: unknown): ValidationResult {
    if (!isDataObject(value)) return fail('Record must be an object')
    if (typeof value.$type !== 'string') return fail('Record/$type must be a string')
    const expected = tryCanonicalRef(nsid)
    if (expected === undefined || tryCanonicalRef(value.$type) !== expected) {
      return fail(`Invalid $type: must be lex:${nsid}, got ${value.$type}`)
    }
    const def = this.expectDef(nsid, ['record'])
    if (!def.success) return def
    if (def.value.type !== 'record') return fail(`Not a record lexicon: ${nsid}`)
    return validateObject(this, 'Record', def.value.record, value)
  }

  /** Validates a value against an object (or record) definition, without the `$type` check. */
  validateObjectValue(ref: string, value: unknown): ValidationResult {
    const def = this.expectDef(ref, ['record', 'object'])
    if (!def.success) return def
    const found = def.value
    if (found.type === 'record') return validateObject(this, 'Record', found.record, value)
    if (found.type === 'object') return validateObject(this, 'Object', found, value)
    return fail(`Not a record or object lexicon: ${ref}`)
  }

  /**
   * Coerces raw query-string values (integers, booleans, arrays) and validates them against the
   * method's parameters, applying defaults. Undeclared params are kept as strings.
   */
  validateParams(nsid: string, raw: RawQueryParams): ValidationResult<Record<string, unknown>> {
    const def = this.expectMethod(nsid, ['query', 'procedure', 'subscription'])
    if (!def.success) return def
    const coerced = coerceQueryParams(def.value.parameters, raw)
    if (!coerced.success || !def.value.parameters) return coerced
    return validateParamsObject(this, 'Params', def.value.parameters, coerced.value)
  }

  /** Validates a procedure's JSON input body. Bodies without a schema (e.g. blobs) pass as is. */
  validateInput(nsid: string, body: unknown): ValidationResult {
    const def = this.expectMethod(nsid, ['procedure'])
    if (!def.success) return def
    return this.validateBody('Input', def.value.type === 'procedure' ? def.value.input : undefined, body)
  }

  /** Validates a query's or procedure's JSON output body. */
  validateOutput(nsid: string, body: unknown): ValidationResult {
    const def = this.expectMethod(nsid, ['query', 'procedure'])
    if (!def.success) return def
    return this.validateBody('Output', def.value.type === 'subscription' ? undefined : def.value.output, body)
  }

  private validateBody(path: string, body: LexBody | undefined, value: unknown): ValidationResult {
    if (!body?.schema) return ok(value)
    return validateOneOf(this, path, body.schema, value, true)
  }

  private expectMethod(nsid: string, kinds: MethodKind[]): ValidationResult<LexMethodDef> {
    return this.expectDef(nsid, kinds) as ValidationResult<LexMethodDef>
  }

  private expectDef(ref: string, types: string[]): ValidationResult<LexUserType> {
    const def = this.getDef(ref)
    if (!def) return { success: false, error: new LexiconDefNotFoundError(`Lexicon not found: lex:${ref}`) }
    if (!types.includes(def.type)) {
      return { success: false, error: new ValidationError(`Not a ${types.join(' or ')} lexicon: lex:${ref}`) }
    }
    return ok(def)
  }

  private loadPending(nsid: string): void {
    const raw = this.pending.get(nsid)
    if (raw === undefined) return
    this.pending.delete(nsid)
    this.register(parseLexiconDoc(isSource(raw) ? parseSource(raw) : raw))
  }

  private assertNewId(id: string): void {
    if (this.docs.has(id) || this.pending.has(id)) {
      throw new LexiconDocError(`lex:${id} has already been registered`)
    }
  }

  private register(parsed: LexiconDoc): void {
    this.assertNewId(parsed.id)
    const doc = withCanonicalRefs(parsed, parsed.id)
    this.docs.set(doc.id, doc)
    for (const name in doc.defs) this.defs.set(`${doc.id}#${name}`, doc.defs[name]!)
  }
}

function parseSource(source: LexiconSource): unknown {
  try {
    return JSON.parse(source.json)
  } catch (err) {
    throw new LexiconDocError(`lex:${source.id} is not valid JSON: ${(err as Error).message}`)
  }
}
