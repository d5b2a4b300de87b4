// Keeps garbage from piling up in resident memory. JavaScriptCore collects only when allocation asks
// for it, and its default heap lets ~30 MB of dead objects (requests, rows, frames) build up first;
// when a burst of work ends nothing allocates any more, so that garbage stays resident for as long
// as the server is quiet (bench: ~20 MB after 10k records were written, before the fan-out started).
// A timer watches resident memory and runs one full collection when it has grown `slackBytes` above
// where the last collection left it and the process is not busy (under half a core used since the
// last look): a steady load keeps the collector's own pace (a full collection a second there cost
// ~10% of listRecords' CPU), and a server between bursts, or idle, gives its garbage back.
// Once the server has been quiet for `quietMs` after real work, it also gives back the code compiled
// for that work (Bun.shrink: JavaScriptCore drops its bytecode and JIT code, collects, and returns
// free memory to the OS; whatever runs next is compiled again, ~30 ms of CPU spread over the first
// requests). Measured after 320 writes with 100 firehose subscribers: RSS 100 -> 90 MB at rest.

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
  /** Quiet this long (no look over WORKING_CPU_SHARE of a core) after work, the compiled code goes too (default 60 s). */
  quietMs?: number
  shrink?: () => void
  now?: () => number
}

const DEFAULT_INTERVAL_MS = 250
const DEFAULT_SLACK_BYTES = 8 * 1024 * 1024
const DEFAULT_MIN_GAP_MS = 1000
/** Busy: the process used more than this share of one core since the last look. */
const BUSY_CPU_SHARE = 0.5
const DEFAULT_QUIET_MS = 60_000
/**
 * Working: over this share of one core in a look. Below it the server is quiet: a request now and
 * then, health checks, its own timers (blips of ~20 ms in a look were seen after writes).
 */
const WORKING_CPU_SHARE = 0.1
/** CPU spent working (not in quiet looks) since the last shrink for another to be worth it. */
const SHRINK_AFTER_CPU_MICROS = 1_000_000

function processCpuMicros(): number {
  const { user, system } = process.cpuUsage()
  return user + system
}

export function startGcPacer(opts: GcPacerOptions = {}): { stop(): void; tick(): boolean } {
  const resident = opts.residentBytes ?? (() => process.memoryUsage.rss())
  const collect = opts.collect ?? (() => Bun.gc(true))
  const shrink = opts.shrink ?? (() => Bun.shrink())
  const now = opts.now ?? (() => performance.now())
  const cpu = opts.cpuMicros ?? processCpuMicros
  const slack = opts.slackBytes ?? DEFAULT_SLACK_BYTES
  const minGap = opts.minGapMs ?? DEFAULT_MIN_GAP_MS
  const quietFor = opts.quietMs ?? DEFAULT_QUIET_MS
  let floor = resident()
  let lastCollection = -Infinity
  let lastLook = now()
  let lastCpu = cpu()
  let lastActive = lastLook
  let cpuSinceShrink = 0
  /** The collection's (or shrink's) result is the new floor, even if live data grew (caches, open databases). */
  const collected = (): true => {
    lastCollection = lastLook = now()
    lastCpu = cpu()
    floor = resident()
    return true
  }
  /** One look: shrinks after a quiet spell that followed work; else collects when memory is `slack` above its floor, the process is not busy and the last collection is `minGap` old. */
  const tick = (): boolean => {
    const rss = resident()
    const [time, cpuNow] = [now(), cpu()]
    const used = cpuNow - lastCpu
    const elapsedMicros = (time - lastLook) * 1000
    const busy = used > elapsedMicros * BUSY_CPU_SHARE
    // Only work counts toward the next shrink, not a quiet server's trickle (health checks, timers).
    if (used > elapsedMicros * WORKING_CPU_SHARE) {
      lastActive = time
      cpuSinceShrink += used
    }
    lastLook = time
    lastCpu = cpuNow
    if (rss < floor) floor = rss
    if (time - lastActive >= quietFor && cpuSinceShrink >= SHRINK_AFTER_CPU_MICROS) {
      shrink()
      cpuSinceShrink = 0
      return collected()
    }
    if (busy || rss - floor < slack || time - lastCollection < minGap) return false
    collect()
    return collected()
  }
  const timer = setInterval(tick, opts.intervalMs ?? DEFAULT_INTERVAL_MS)
  timer.unref?.()
  return { stop: () => clearInterval(timer), tick }
}
