// Small pieces the repo handlers share: CID params and the reference's write rate limits.
import { CID, parseCid } from '../../core/cbor.ts'
import { invalidInput } from '../../services/errors.ts'
import type { RateLimitRule } from '../../xrpc/rate-limit.ts'
import type { HandlerContext } from '../../xrpc/handler.ts'
import type { PreparedWrite } from '../../services/repo/prepare.ts'

export function parseCidParam(value: string | undefined): CID | undefined {
  if (value === undefined) return undefined
  try {
    return parseCid(value)
  } catch {
    throw invalidInput(`Invalid CID: ${value}`)
  }
}

/** swapRecord: absent = no check, null = must not exist, a CID = must be at that CID. */
export function parseSwapRecord(value: string | null | undefined): CID | null | undefined {
  return value === null ? null : parseCidParam(value)
}

const byDid = (ctx: HandlerContext) => (ctx.auth.type === 'access' ? ctx.auth.did : null)

/** The reference's per-account write budget: 5000 points an hour, 35000 a day (points per call or per input). */
export const WRITE_RATE_LIMITS = (points: number | ((ctx: HandlerContext) => number)): RateLimitRule[] => {
  const calcPoints = typeof points === 'number' ? () => points : points
  return [
    { name: 'repo-write-hour', durationMs: 60 * 60 * 1000, points: 5000, calcKey: byDid, calcPoints },
    { name: 'repo-write-day', durationMs: 24 * 60 * 60 * 1000, points: 35000, calcKey: byDid, calcPoints },
  ]
}

/** As the reference: 3 points a create, 2 an update, 1 a delete. */
export const WRITE_POINTS: Record<string, number> = { create: 3, update: 2, delete: 1 }

/** The reference's createRecord/putRecord answer for one create-or-update write. */
export function recordWriteOutput(write: PreparedWrite, commit: { cid: string; rev: string } | null) {
  if (write.action === 'delete') throw new Error('a delete has no record output')
  return { uri: write.uri, cid: write.cid.toString(), commit: commit ?? undefined, validationStatus: write.validationStatus }
}
