// The GC pacer collects once resident memory has grown past the slack above where the last collection
// left it, not while the process is busy, no more often than its minimum gap, and an idle process
// gives a burst's garbage back; after a quiet minute that followed work, the compiled code too.
import { expect, test } from 'bun:test'
import { startGcPacer } from '../../src/services/gc-pacer.ts'

const MB = 1024 * 1024

function harness(startMb: number) {
  let rss = startMb * MB
  let clock = 0
  let cpuMicros = 0
  const collections: number[] = []
  const shrinks: number[] = []
  const pacer = startGcPacer({
    intervalMs: 3_600_000, // driven by hand through tick()
    slackBytes: 8 * MB,
    minGapMs: 1000,
    residentBytes: () => rss,
    now: () => clock,
    cpuMicros: () => cpuMicros,
    collect: () => {
      collections.push(rss / MB)
      rss -= 10 * MB // the garbage goes
    },
    quietMs: 60_000,
    shrink: () => {
      shrinks.push(clock)
      rss -= 12 * MB // the garbage and the compiled code go
    },
  })
  return {
    pacer,
    collections,
    shrinks,
    set: (mb: number) => void (rss = mb * MB),
    advance: (ms: number) => void (clock += ms),
    /** CPU used, in ms (the clock does not move). */
    work: (ms: number) => void (cpuMicros += ms * 1000),
  }
}

test('collects once memory is past the slack, then measures from what the collection left', () => {
  const h = harness(60)
  try {
    h.advance(5000)
    expect(h.pacer.tick()).toBe(false) // at the floor: nothing to do
    h.set(67)
    expect(h.pacer.tick()).toBe(false) // 7 MB over: within the slack
    h.set(80)
    expect(h.pacer.tick()).toBe(true)
    expect(h.collections).toEqual([80])
    h.advance(5000)
    expect(h.pacer.tick()).toBe(false) // 70 MB is the new floor
    h.set(77)
    expect(h.pacer.tick()).toBe(false)
    h.set(78)
    expect(h.pacer.tick()).toBe(true)
    expect(h.collections).toEqual([80, 78])
  } finally {
    h.pacer.stop()
  }
})

test('never collects more often than the minimum gap, however fast memory grows', () => {
  const h = harness(60)
  try {
    h.advance(5000)
    h.set(100)
    expect(h.pacer.tick()).toBe(true)
    for (let i = 0; i < 3; i++) {
      h.advance(250)
      h.set(120 + i * 20)
      expect(h.pacer.tick()).toBe(false)
    }
    h.advance(250)
    expect(h.pacer.tick()).toBe(true)
    expect(h.collections).toEqual([100, 160])
  } finally {
    h.pacer.stop()
  }
})

test('never collects while the process is busy (a steady load keeps the collector pace)', () => {
  const h = harness(60)
  try {
    h.advance(5000)
    expect(h.pacer.tick()).toBe(false) // at the floor
    h.set(100)
    for (let i = 0; i < 4; i++) {
      h.advance(250)
      h.work(200) // 80% of a core
      expect(h.pacer.tick()).toBe(false)
    }
    h.advance(250)
    h.work(20) // the load ends
    expect(h.pacer.tick()).toBe(true)
    expect(h.collections).toEqual([100])
  } finally {
    h.pacer.stop()
  }
})

test('a real process gives a burst of garbage back once it has gone quiet', async () => {
  // ~35 MB of small objects (rows, as a burst of requests leaves) are made and dropped, then the
  // process goes quiet: nothing allocates, so the collector alone would leave them resident.
  const script = `
    import { startGcPacer } from ${JSON.stringify(new URL('../../src/services/gc-pacer.ts', import.meta.url).pathname)}
    Bun.gc(true)
    let collected = 0
    startGcPacer({ intervalMs: 100, collect: () => { collected++; Bun.gc(true) } })
    const before = process.memoryUsage.rss()
    let rows = []
    for (let i = 0; i < 150_000; i++) rows.push({ i, text: 'row ' + i, bytes: new Uint8Array(16) })
    rows = []
    const after = process.memoryUsage.rss()
    await Bun.sleep(600)
    console.log(JSON.stringify({ collected, burstMb: (after - before) / 2 ** 20, leftMb: (process.memoryUsage.rss() - before) / 2 ** 20 }))
    process.exit(0)
  `
  const proc = Bun.spawn([process.execPath, '-e', script], { stdout: 'pipe', stderr: 'inherit' })
  const out = JSON.parse(await new Response(proc.stdout).text()) as { collected: number; burstMb: number; leftMb: number }
  expect(out.collected).toBeGreaterThanOrEqual(1)
  expect(out.burstMb).toBeGreaterThan(20)
  expect(out.leftMb).toBeLessThan(out.burstMb / 2)
})

test('after a quiet minute that followed real work, the compiled code is given back once', () => {
  const h = harness(60)
  try {
    // A burst: 2 s of CPU over 4 s.
    for (let i = 0; i < 16; i++) {
      h.advance(250)
      h.work(125)
      h.pacer.tick()
    }
    expect(h.shrinks).toEqual([])
    // Quiet, but for a health check now and then (~1 ms of CPU a second): a minute later, one shrink.
    for (let t = 250; t <= 60_000; t += 250) {
      h.advance(250)
      if (t % 1000 === 0) h.work(1)
      h.pacer.tick()
    }
    expect(h.shrinks).toEqual([4000 + 60_000])
    // Still quiet: the code that runs now is little, so no shrink again.
    for (let t = 0; t < 300_000; t += 250) {
      h.advance(250)
      if (t % 1000 === 0) h.work(1)
      h.pacer.tick()
    }
    expect(h.shrinks).toHaveLength(1)
    // Work again, then a pause shorter than the quiet spell: no shrink; a whole quiet minute: a second one.
    for (let i = 0; i < 8; i++) {
      h.advance(250)
      h.work(200)
      h.pacer.tick()
    }
    h.advance(30_000)
    h.pacer.tick()
    h.work(40) // a few requests in the middle of the pause (40 ms of CPU in a 250 ms look)
    h.advance(250)
    h.pacer.tick()
    h.advance(59_000)
    h.pacer.tick()
    expect(h.shrinks).toHaveLength(1)
    h.advance(1_000)
    h.pacer.tick()
    expect(h.shrinks).toHaveLength(2)
  } finally {
    h.pacer.stop()
  }
})

test('a server that only idles never shrinks', () => {
  const h = harness(60)
  try {
    for (let t = 0; t < 600_000; t += 250) {
      h.advance(250)
      if (t % 1000 === 0) h.work(2)
      h.pacer.tick()
    }
    expect(h.shrinks).toEqual([])
  } finally {
    h.pacer.stop()
  }
})
