// What the router needs from the lexicon layer: method kinds and validation of params and bodies.
export type ValidationResult<T = unknown> = { success: true; value: T } | { success: false; error: { message: string } }

export type MethodInfo = {
  type: 'query' | 'procedure' | 'subscription'
  inputEncoding?: string
}

export interface LexiconValidator {
  getMethod(nsid: string): MethodInfo | undefined
  validateParams(nsid: string, params: Record<string, string | string[]>): ValidationResult<Record<string, unknown>>
  validateInput(nsid: string, input: unknown): ValidationResult
}
