// What a web page does with a failure: a PageProblem becomes a page in plain words with its status;
// a refusal from a service becomes a message a person can act on (services' own messages are written
// for API callers; `serviceMessage` keeps them when they are about the input).

export class PageProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message)
  }
}

/** The message of a service refusing the input (4xx-like), or null for an internal failure. */
export function serviceMessage(err: unknown): string | null {
  if (!(err instanceof Error)) return null
  const status = (err as { status?: unknown }).status
  return typeof status === 'number' && status >= 400 && status < 500 ? err.message : null
}

/** The error name (XRPC error or domain error) for choosing a friendlier wording. */
export function serviceErrorName(err: unknown): string | undefined {
  const e = err as { error?: unknown; code?: unknown; name?: unknown }
  if (typeof e?.error === 'string') return e.error
  if (typeof e?.code === 'string') return e.code
  return typeof e?.name === 'string' ? e.name : undefined
}
