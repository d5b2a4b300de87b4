// Gives memory back after a burst of work. JavaScriptCore collects only when allocation asks for it,
// and its default heap lets ~30 MB of garbage (dead requests, rows, frames) build up before it does;
// when the burst ends nothing allocates any more, so that garbage stays resident for as long as the
// server is quiet (bench: 20 MB after 10k records were written, before the fan-out started). A timer
// notices the quiet (resident memory stopped growing, no request in flight) and runs one full
// collection; under load it stays out of the way and the collector keeps its own pace.

export type GcPacerOptions = {
  /** True while requests are in flight (Bun's server.pendingRequests). */
  busy: () => boolean
  /** How often memory is looked at (default 500 ms). */
  intervalMs?: number
  /** Collect once resident memory is this much above where the last collection left it. */
  slackBytes?: number
  /** Test seams. */
  residentBytes?: () => number
  collect?: () => void
}

const DEFAULT_INTERVAL_MS = 500
const DEFAULT_SLACK_BYTES = 4 * 1024 * 1024
/** Resident memory moves by a few pages without anything happening. */
const GROWTH_NOISE = 256 * 1024

export function startGcPacer(opts: GcPacerOptions): { stop(): void; tick(): boolean } {
  const resident = opts.residentBytes ?? (() => process.memoryUsage.rss())
  const collect = opts.collect ?? (() => Bun.gc(true))
  const slack = opts.slackBytes ?? DEFAULT_SLACK_BYTES
  let floor = resident()
  let last = floor
  /** One look: collects when memory stopped growing since the last look, is well above its floor, and no request runs. */
  const tick = (): boolean => {
    const now = resident()
    const growing = now > last + GROWTH_NOISE
    last = now
    if (now < floor) floor = now
    if (growing || now - floor < slack || opts.busy()) return false
    collect()
    floor = last = resident()
    return true
  }
  const timer = setInterval(tick, opts.intervalMs ?? DEFAULT_INTERVAL_MS)
  timer.unref?.()
  return { stop: () => clearInterval(timer), tick }
}
