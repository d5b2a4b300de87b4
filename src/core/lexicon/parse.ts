// Checking an untrusted lexicon document, with every problem reported as "path: message".
import { LexiconDocError } from './errors.ts'
import { lexiconDocSchema, type LexiconDoc } from './schema.ts'

export function parseLexiconDoc(doc: unknown): LexiconDoc {
  const result = lexiconDocSchema.safeParse(doc)
  if (result.success) return result.data as LexiconDoc
  const issues = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.')
    return path ? `${path}: ${issue.message}` : issue.message
  })
  const id = typeof (doc as { id?: unknown } | null)?.id === 'string' ? (doc as { id: string }).id : '(no id)'
  throw new LexiconDocError(`Invalid lexicon document ${id}: ${issues.join('; ')}`, issues)
}
