import { expect, test } from 'bun:test'
import applyWrites from '../../src/api/com/atproto/repo/applyWrites.ts'
import createRecord from '../../src/api/com/atproto/repo/createRecord.ts'
import putRecord from '../../src/api/com/atproto/repo/putRecord.ts'
import deleteRecord from '../../src/api/com/atproto/repo/deleteRecord.ts'
import type { HandlerContext } from '../../src/xrpc/handler.ts'

const points = (def: { rateLimit?: Array<{ calcPoints?: (ctx: HandlerContext) => number }> }, input: unknown = {}) =>
  def.rateLimit!.map((rule) => rule.calcPoints!({ input } as HandlerContext))

test('repo writes spend the reference points: 3 a create, 2 an update, 1 a delete, summed in a batch', () => {
  expect(points(createRecord)).toEqual([3, 3])
  expect(points(putRecord)).toEqual([2, 2])
  expect(points(deleteRecord)).toEqual([1, 1])
  const writes = [
    { $type: 'com.atproto.repo.applyWrites#create' },
    { $type: 'com.atproto.repo.applyWrites#create' },
    { $type: 'com.atproto.repo.applyWrites#update' },
    { $type: 'com.atproto.repo.applyWrites#delete' },
  ]
  expect(points(applyWrites, { writes })).toEqual([9, 9])
})
