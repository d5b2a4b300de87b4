// `bun bench/wal-anatomy.ts [writes]`: what one createRecord costs the disk. A server writes a repo
// of `writes` posts (default 1,000, as the bench's sequential row), then the frames its last commits
// left in the actor store's and the sequencer's WAL are read back and counted per b-tree (a WAL frame
// is one 4 KB page written again; each costs two write syscalls in COMMIT and is part of the fsync
// before the answer). Frames are read from the WAL files themselves (format: sqlite.org/walformat.html)
// and named with SQLite's dbstat table, so nothing is traced. Issue 16's sequential-write limit.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Database } from 'bun:sqlite'
import { spawnServer, xrpc, type Account } from './lib.ts'

const WAL_HEADER_BYTES = 32
const FRAME_HEADER_BYTES = 24

type Commit = number[] // the page numbers of its frames

/** The commits in a WAL since its last restart: frames whose salts match the header's. */
function walCommits(wal: Uint8Array): Commit[] {
  const view = new DataView(wal.buffer, wal.byteOffset, wal.byteLength)
  const pageSize = view.getUint32(8)
  const [salt1, salt2] = [view.getUint32(16), view.getUint32(20)]
  const commits: Commit[] = []
  let pages: number[] = []
  for (let at = WAL_HEADER_BYTES; at + FRAME_HEADER_BYTES + pageSize <= wal.byteLength; at += FRAME_HEADER_BYTES + pageSize) {
    if (view.getUint32(at + 8) !== salt1 || view.getUint32(at + 12) !== salt2) break
    pages.push(view.getUint32(at))
    // A frame with the database size after the commit ends its transaction.
    if (view.getUint32(at + 4) !== 0) {
      commits.push(pages)
      pages = []
    }
  }
  return commits
}

/** Frames per commit, by b-tree name, over the last `count` commits of the database at `path`. */
function anatomy(path: string, count: number): { commits: number; perCommit: number; byTree: Array<[string, number]> } {
  const last = walCommits(readFileSync(`${path}-wal`)).slice(-count)
  const db = new Database(path, { readonly: true })
  const names = new Map(db.query<{ name: string; pageno: number }, []>('SELECT name, pageno FROM dbstat').all().map((r) => [r.pageno, r.name]))
  db.close()
  const byTree = new Map<string, number>()
  for (const pages of last) {
    for (const page of pages) {
      const name = names.get(page) ?? 'free list'
      byTree.set(name, (byTree.get(name) ?? 0) + 1)
    }
  }
  const perCommit = (n: number) => n / Math.max(1, last.length)
  return {
    commits: last.length,
    perCommit: perCommit(last.reduce((sum, pages) => sum + pages.length, 0)),
    byTree: [...byTree].map(([name, n]) => [name, perCommit(n)] as [string, number]).sort((a, b) => b[1] - a[1]),
  }
}

function actorStorePath(dataDir: string, did: string): string {
  const shards = join(dataDir, 'actors')
  for (const shard of readdirSync(shards)) {
    if (readdirSync(join(shards, shard)).includes(did)) return join(shards, shard, did, 'store.sqlite')
  }
  throw new Error(`no actor store for ${did}`)
}

const writes = Number(process.argv[2] ?? 1000)
const sample = 50
const server = await spawnServer()
try {
  const account = await xrpc<Account>(server.url, 'com.atproto.server.createAccount', { handle: 'anatomy.test', email: 'anatomy@example.com', password: 'bench-password' })
  for (let i = 0; i < writes; i++) {
    const record = { $type: 'app.bsky.feed.post', text: `post ${i}`, createdAt: new Date().toISOString() }
    await xrpc(server.url, 'com.atproto.repo.createRecord', { repo: account.did, collection: 'app.bsky.feed.post', record }, account.accessJwt)
  }
  console.log(`WAL frames (4 KB pages) per createRecord, last ${sample} of ${writes} into one repo, by b-tree:`)
  for (const [label, path] of [
    ['actor store', actorStorePath(server.dataDir, account.did)],
    ['sequencer.sqlite', join(server.dataDir, 'sequencer.sqlite')],
    ['account.sqlite', join(server.dataDir, 'account.sqlite')],
  ] as const) {
    const { commits, perCommit, byTree } = anatomy(path, sample)
    console.log(`  ${label}: ${perCommit.toFixed(1)} frames a commit (${commits} commits read)`)
    for (const [name, n] of byTree) console.log(`    ${name.padEnd(40)} ${n.toFixed(2)}`)
  }
} finally {
  await server.stop()
}
