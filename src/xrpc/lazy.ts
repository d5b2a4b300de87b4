// Code that only some requests need (web pages, OAuth, mail, images) is imported at its first use,
// not at startup: an idle server keeps it out of memory, and startup does not evaluate it.
//
//   const pages = lazy(() => import('../../web/thing/app.ts'))
//   server.get('/thing/*', async ({ request }) => (await pages()).handle(request))
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
