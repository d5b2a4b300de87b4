// Many accounts quickly, for the scale tests and `bun run bench:scale`: the rows, repo, genesis
// commit and firehose events createAccount makes, in its order, but with one password hash shared
// by all (scrypt costs ~50 ms an account) and a locally made did:plc (no PLC directory round trip).
import { randomBytes } from 'node:crypto'
import { Secp256k1Keypair } from '../../src/core/crypto/index.ts'
import * as scrypt from '../../src/services/auth/scrypt.ts'
import * as actors from '../../src/storage/account/actors.ts'
import type { Services } from '../../src/xrpc/services.ts'

export const BULK_PASSWORD = 'bulk-password'
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'

export type BulkAccount = { did: string; handle: string; email: string }

export async function createBulkAccounts(
  services: Services,
  count: number,
  opts: { prefix?: string; postsEach?: number; onProgress?: (done: number) => void } = {},
): Promise<BulkAccount[]> {
  const prefix = opts.prefix ?? 'bulk'
  const passwordScrypt = await scrypt.genSaltAndHash(BULK_PASSWORD)
  const db = services.accounts.manager.db
  const out: BulkAccount[] = []
  for (let i = 0; i < count; i++) {
    const did = `did:plc:${[...randomBytes(24)].map((b) => BASE32[b & 31]).join('')}`
    const handle = `${prefix}${i}.test`
    const email = `${prefix}${i}@example.com`
    const commit = await services.repo.createRepo(did, Secp256k1Keypair.create())
    db.transaction(() => {
      const now = new Date().toISOString()
      actors.insertActor(db, { did, handle, createdAt: now })
      actors.insertAccount(db, { did, email, passwordScrypt })
      actors.upsertRepoRoot(db, did, commit.cid.toString(), commit.rev)
    })()
    services.events.identity(did, handle)
    services.events.account(did, true)
    services.events.commit(commit.commitEvent)
    services.events.sync(did, commit.syncEvent)
    for (let p = 0; p < (opts.postsEach ?? 0); p++) {
      const value = { $type: 'app.bsky.feed.post', text: `post ${p} of ${handle}`, createdAt: new Date().toISOString() }
      await services.repo.applyWrites(did, [{ action: 'create', collection: 'app.bsky.feed.post', value }])
    }
    out.push({ did, handle, email })
    if (i % 100 === 99) opts.onProgress?.(i + 1)
  }
  return out
}
