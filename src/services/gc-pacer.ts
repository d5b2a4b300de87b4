// Keeps garbage from piling up in resident memory. JavaScriptCore collects only when allocation asks
// for it, and its default heap lets ~30 MB of dead objects (requests, rows, frames) build up first;
// when a burst of work ends nothing allocates any more, so that garbage stays resident for as long
// as the server is quiet (bench: ~20 MB after 10k records were written, before the fan-out started).
// A timer watches resident memory and runs one full collection when it has grown `slackBytes` above
// where the last collection left it and the process is not busy (under half a core used since the
// last look): a steady load keeps the collector's own pace (a full collection a second there cost
// ~10% of listRecords' CPU), and a server between bursts, or idle, gives its garbage back.

export type GcPacerOptions = {
  /** How often memory is looked at (default 250 ms). */
  intervalMs?: number
  /** Collect once resident memory is this much above where the last collection left it (default 8 MB). */
  slackBytes?: number
  /** Least time between two collections (default 1 s). */
  minGapMs?: number
  /** Test seams. */
  residentBytes?: () => number
  /** CPU time the process has used, in microseconds. */
  cpuMicros?: () => number
  collect?: () => void
  now?: () => number
}

const DEFAULT_INTERVAL_MS = 250
const DEFAULT_SLACK_BYTES = 8 * 1024 * 1024
const DEFAULT_MIN_GAP_MS = 1000
/** Busy: the process used more than this share of one core since the last look. */
const BUSY_CPU_SHARE = 0.5

function processCpuMicros(): number {
  const { user, system } = process.cpuUsage()
  return user + system
}

export function startGcPacer(opts: GcPacerOptions = {}): { stop(): void; tick(): boolean } {
  const resident = opts.residentBytes ?? (() => process.memoryUsage.rss())
  const collect = opts.collect ?? (() => Bun.gc(true))
  const now = opts.now ?? (() => performance.now())
  const cpu = opts.cpuMicros ?? processCpuMicros
  const slack = opts.slackBytes ?? DEFAULT_SLACK_BYTES
  const minGap = opts.minGapMs ?? DEFAULT_MIN_GAP_MS
  let floor = resident()
  let lastCollection = -Infinity
  let lastLook = now()
  let lastCpu = cpu()
  /** One look: collects when memory is `slack` above its floor, the process is not busy and the last collection is `minGap` old. */
  const tick = (): boolean => {
    const rss = resident()
    const [time, cpuNow] = [now(), cpu()]
    const busy = cpuNow - lastCpu > (time - lastLook) * 1000 * BUSY_CPU_SHARE
    lastLook = time
    lastCpu = cpuNow
    if (rss < floor) floor = rss
    if (busy || rss - floor < slack || time - lastCollection < minGap) return false
    collect()
    lastCollection = lastLook = now()
    lastCpu = cpu()
    // What the collection left is the new floor, even if live data grew (caches, open databases).
    floor = resident()
    return true
  }
  const timer = setInterval(tick, opts.intervalMs ?? DEFAULT_INTERVAL_MS)
  timer.unref?.()
  return { stop: () => clearInterval(timer), tick }
}
