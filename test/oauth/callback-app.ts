// A loopback app's redirect endpoint for browser tests of the OAuth pages: it answers a small page and
// hands each authorization response to whoever waits for it.
export type CallbackApp = { redirectUri: string; nextCallback(): Promise<URLSearchParams>; stop(): void }

export function startCallbackApp(): CallbackApp {
  let waiting: ((params: URLSearchParams) => void) | null = null
  const app = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(req) {
      const url = new URL(req.url)
      if (url.pathname !== '/callback') return new Response('not found', { status: 404 })
      waiting?.(url.searchParams)
      waiting = null
      return new Response('<!doctype html><title>Signed in</title><p>You can close this window.</p>', { headers: { 'Content-Type': 'text/html' } })
    },
  })
  return {
    redirectUri: `http://127.0.0.1:${app.port}/callback`,
    nextCallback: () => new Promise((resolve) => void (waiting = resolve)),
    stop: () => app.stop(true),
  }
}
