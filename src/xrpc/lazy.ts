// Code that only some requests need (web pages, OAuth, mail, images) is imported at its first use,
// not at startup: an idle server keeps it out of memory, and startup does not evaluate it.
//
// Wrap the dynamic import of the module in lazy() and await it inside the route handler; mount the
// route paths at startup (src/xrpc/routes/account.ts does this for the account app).
//
// The compiled binary puts each dynamically imported module in a chunk of its own (scripts/build.ts
// splitting), so a static import of the same module from startup code would undo this: keep such
// modules reachable from startup through `import type` only.

/** Runs `load` once, at the first call; later calls share its promise. A failed load is tried again. */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined
  return () =>
    (loading ??= load().catch((err) => {
      loading = undefined
      throw err
    }))
}
