// The GC pacer collects once after a burst (memory stopped growing, nothing in flight), never while
// memory still grows or a request runs, and not again until memory has grown past the slack.
import { expect, test } from 'bun:test'
import { startGcPacer } from '../../src/services/gc-pacer.ts'

const MB = 1024 * 1024

function harness(startMb: number) {
  let rss = startMb * MB
  let busy = false
  const collections: number[] = []
  const pacer = startGcPacer({
    busy: () => busy,
    intervalMs: 3_600_000, // driven by hand through tick()
    slackBytes: 4 * MB,
    residentBytes: () => rss,
    collect: () => {
      collections.push(rss / MB)
      rss -= 10 * MB // the garbage goes
    },
  })
  return {
    pacer,
    collections,
    set: (mb: number) => void (rss = mb * MB),
    setBusy: (b: boolean) => void (busy = b),
  }
}

test('collects once memory stops growing after a burst, then waits for the next one', () => {
  const h = harness(60)
  try {
    expect(h.pacer.tick()).toBe(false) // idle at the floor: nothing to do
    h.set(70)
    expect(h.pacer.tick()).toBe(false) // still growing (a burst in progress)
    h.set(80)
    expect(h.pacer.tick()).toBe(false)
    expect(h.pacer.tick()).toBe(true) // quiet now: one full collection
    expect(h.collections).toEqual([80])
    expect(h.pacer.tick()).toBe(false) // 70 MB is the new floor
    h.set(73)
    expect(h.pacer.tick()).toBe(false)
    expect(h.pacer.tick()).toBe(false) // 3 MB over the floor: under the slack
    expect(h.collections).toEqual([80])
  } finally {
    h.pacer.stop()
  }
})

test('never collects while a request is in flight', () => {
  const h = harness(60)
  try {
    h.set(90)
    h.pacer.tick()
    h.setBusy(true)
    expect(h.pacer.tick()).toBe(false)
    expect(h.pacer.tick()).toBe(false)
    h.setBusy(false)
    expect(h.pacer.tick()).toBe(true)
    expect(h.collections).toEqual([90])
  } finally {
    h.pacer.stop()
  }
})

test('a real server process gives a burst of garbage back once quiet', async () => {
  // ~35 MB of small objects (rows, as a burst of requests leaves) are made and dropped, then the
  // process goes quiet: nothing allocates, so the collector alone would leave them resident.
  const script = `
    import { startGcPacer } from ${JSON.stringify(new URL('../../src/services/gc-pacer.ts', import.meta.url).pathname)}
    Bun.gc(true)
    let collected = 0
    startGcPacer({ busy: () => false, intervalMs: 100, collect: () => { collected++; Bun.gc(true) } })
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
