// `bun bench/ab-writes.ts <binary A> [binary B] [NAME=value ...] [A:NAME=value ...]`: is build B faster
// at sequential durable createRecord than build A? On a host whose speed drifts (±15-25% between whole
// runs here, and within a second), two runs one after the other cannot tell a 5% change; this runs both
// servers at once and alternates short blocks of writes between them (A B, then B A, ...), so drift
// hits both alike. NAME=value arguments are environment for B, A:NAME=value for A (B defaults to A's
// binary: an A/B of a setting). Prints each side's mean and B's time over A's: the geometric mean of the
// per-round ratios with its 95% confidence interval, and their median and range. Measured here: A
// against itself, 400 rounds of 25 writes: 0.994 (0.966-1.022); 15 rounds of 200 writes, as this used
// to run, put A against itself anywhere in 0.90-1.05.
import { HttpConnection } from './http-client.ts'
import { createPost, spawnServer, xrpc, type Account } from './lib.ts'

const args = process.argv.slice(2)
const binaries = args.filter((a) => !a.includes('='))
const envOf = (list: string[]) => Object.fromEntries(list.map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]))
const envA = envOf(args.filter((a) => a.includes('=') && a.startsWith('A:')).map((a) => a.slice(2)))
const envB = envOf(args.filter((a) => a.includes('=') && !a.startsWith('A:')))
if (binaries.length === 0 || binaries.length > 2) {
  console.error('usage: bun bench/ab-writes.ts <binary A> [binary B] [NAME=value ...] [A:NAME=value ...]')
  process.exit(2)
}
const BLOCK = Number(process.env.AB_BLOCK ?? 25)
const ROUNDS = Number(process.env.AB_ROUNDS ?? 400)
const WARM_UP = 1000

const configs = [
  { name: 'A', binary: binaries[0]!, env: envA },
  { name: 'B', binary: binaries[1] ?? binaries[0]!, env: envB },
]

const servers: Array<Awaited<ReturnType<typeof spawnServer>>> = []
try {
  const writers = []
  for (const [i, config] of configs.entries()) {
    const server = await spawnServer(config.env, config.binary)
    servers.push(server)
    const user = await xrpc<Account>(server.url, 'com.atproto.server.createAccount', { handle: `ab${i}.test`, email: `ab${i}@example.com`, password: 'bench-password' })
    // The bench's client (bench/http-client.ts), one connection a server.
    const connection = await HttpConnection.open(server.url)
    const write = (text: string) => createPost(connection, user, text)
    writers.push({ ...config, write, blockMeans: [] as number[] })
  }
  for (const side of writers) for (let i = 0; i < WARM_UP; i++) await side.write(`warm ${i}`)
  const ratios: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 ? [...writers].reverse() : writers) {
      const start = performance.now()
      for (let i = 0; i < BLOCK; i++) await side.write(`round ${round} ${i}`)
      side.blockMeans.push(((performance.now() - start) * 1000) / BLOCK)
    }
    ratios.push(writers[1]!.blockMeans[round]! / writers[0]!.blockMeans[round]!)
  }
  for (const side of writers) {
    const mean = side.blockMeans.reduce((a, b) => a + b, 0) / ROUNDS
    const label = `${side.name} ${side.binary}${Object.keys(side.env).length ? ` ${Object.entries(side.env).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}`
    console.log(`${label}\n  ${mean.toFixed(0)} µs a write (${(1e6 / mean).toFixed(0)}/s) over ${ROUNDS} blocks of ${BLOCK}`)
  }
  const logs = ratios.map(Math.log)
  const mean = logs.reduce((a, b) => a + b, 0) / logs.length
  const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, logs.length - 1))
  const margin = (1.96 * sd) / Math.sqrt(logs.length)
  ratios.sort((a, b) => a - b)
  console.log(
    `B's time / A's: ${Math.exp(mean).toFixed(3)} (95% CI ${Math.exp(mean - margin).toFixed(3)}-${Math.exp(mean + margin).toFixed(3)}); ` +
      `per round median ${ratios[ROUNDS >> 1]!.toFixed(3)}, range ${ratios[0]!.toFixed(3)}-${ratios.at(-1)!.toFixed(3)}`,
  )
} finally {
  for (const server of servers) await server.stop()
}
