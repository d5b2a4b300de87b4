// Lexicon documents: loading (with schema checks) and validation of records, params and bodies.
export { Lexicons, type LexiconSource, type LexiconsOptions, type MethodInfo, type MethodKind } from './lexicons.ts'
export { parseLexiconDoc } from './parse.ts'
export {
  LexiconDefNotFoundError,
  LexiconDocError,
  ValidationError,
  type ValidationResult,
} from './errors.ts'
export type { RawQueryParams } from './validators/params.ts'
export { mimeTypeAccepted, readBlobRef, type BlobInfo } from './validators/blob.ts'
export type * from './schema.ts'
