// Lexicon references. Inside this module every ref is kept in one canonical form,
// "nsid#name" with an explicit "#main", so lookups and union membership are plain string compares.
// Accepted inputs follow the reference: "#name" (local), "nsid", "nsid#name", and a "lex:" prefix.

export function canonicalRef(ref: string, baseNsid?: string): string {
  let uri = ref.startsWith('lex:') ? ref.slice(4) : ref
  const hash = uri.indexOf('#')
  if (hash !== uri.lastIndexOf('#')) throw new Error(`Ref can only have one hash segment: ${ref}`)
  if (hash === 0) {
    if (!baseNsid) throw new Error(`Unable to resolve a local ref without its document: ${ref}`)
    uri = baseNsid + uri
  }
  return hash === -1 ? `${uri}#main` : uri
}

/** Same as canonicalRef, but undefined instead of a throw (for untrusted `$type` values). */
export function tryCanonicalRef(ref: string): string | undefined {
  try {
    return canonicalRef(ref)
  } catch {
    return undefined
  }
}

/** The reference's display form of a ref ("lex:nsid" for main), used in messages. */
export function displayRef(canonical: string): string {
  return `lex:${canonical.endsWith('#main') ? canonical.slice(0, -5) : canonical}`
}

/**
 * Copy of a definition tree with every `ref` / `union.refs` made canonical against `nsid`.
 * A copy, so the caller's document is never mutated.
 */
export function withCanonicalRefs<T>(node: T, nsid: string): T {
  if (Array.isArray(node)) return node.map((item) => withCanonicalRefs(item, nsid)) as T
  if (!node || typeof node !== 'object') return node
  const source = node as Record<string, unknown>
  const copy: Record<string, unknown> = {}
  for (const key in source) copy[key] = withCanonicalRefs(source[key], nsid)
  if (source.type === 'ref' && typeof source.ref === 'string') {
    copy.ref = canonicalRef(source.ref, nsid)
  } else if (source.type === 'union' && Array.isArray(source.refs)) {
    copy.refs = source.refs.map((ref) => canonicalRef(String(ref), nsid))
  }
  return copy as T
}
