// Startup and idle memory of the real `pds serve` process.
import { rssMb, spawnServer, type BenchRow } from './lib.ts'

export async function serverRows(): Promise<BenchRow[]> {
  const startups: number[] = []
  let idleRss = NaN
  for (let i = 0; i < 3; i++) {
    const server = await spawnServer()
    startups.push(server.startupMs)
    if (i === 2) {
      await Bun.sleep(2000)
      idleRss = rssMb(server.pid)
    }
    await server.stop()
  }
  startups.sort((a, b) => a - b)
  return [
    { area: 'server', metric: 'startup to healthy (median of 3)', value: startups[1]!, unit: 'ms', reference: '1100 ms', target: { atMost: 220 } },
    { area: 'server', metric: 'idle RSS', value: idleRss, unit: 'MB', reference: '~200 MB', target: { atMost: 66 } },
  ]
}
