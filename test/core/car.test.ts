import { describe, expect, test } from 'bun:test'
import { CarReader, CarWriter } from '@ipld/car'
import { CID, cidForRaw, encodeBlock, encodeCbor } from '../../src/core/cbor.ts'
import { InvalidCarError, carToBytes, readCar, readCarStream, writeCar, type CarBlock } from '../../src/core/car.ts'

const blocks: CarBlock[] = Array.from({ length: 40 }, (_, i) => encodeBlock({ i, text: 'x'.repeat(i * 7) }))
blocks.push({ cid: cidForRaw(new Uint8Array([1, 2, 3])), bytes: new Uint8Array([1, 2, 3]) })
const root = blocks[0]!.cid

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const part of stream) parts.push(part)
  return Buffer.concat(parts)
}

function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size))
  return out
}

function expectInvalid(fn: () => unknown, pattern?: RegExp): void {
  expect(fn).toThrow(InvalidCarError)
  if (pattern) expect(fn).toThrow(pattern)
}

describe('writing', () => {
  test('streamed and whole-file CARs are identical and round-trip', async () => {
    const streamed = await collect(writeCar(root, blocks))
    const whole = carToBytes(root, blocks)
    expect(Buffer.from(streamed).equals(Buffer.from(whole))).toBe(true)
    const car = readCar(whole)
    expect(car.roots.map(String)).toEqual([root.toString()])
    expect(car.blocks.size).toBe(blocks.length)
    for (const block of blocks) expect(car.blocks.get(block.cid.toString())!.bytes).toEqual(block.bytes)
  })

  test('async block sources and a null root', async () => {
    async function* source(): AsyncGenerator<CarBlock> {
      yield* blocks.slice(0, 3)
    }
    const car = readCar(await collect(writeCar(null, source())))
    expect(car.roots).toEqual([])
    expect(car.blocks.size).toBe(3)
  })

  test('@ipld/car reads ours, and we read @ipld/car', async () => {
    const reader = await CarReader.fromBytes(carToBytes(root, blocks))
    expect((await reader.getRoots()).map(String)).toEqual([root.toString()])
    expect((await reader.get(blocks[5]!.cid))!.bytes).toEqual(blocks[5]!.bytes)

    const { writer, out } = CarWriter.create([root])
    const written = collect(out)
    for (const block of blocks) await writer.put(block)
    await writer.close()
    const car = readCar(await written)
    expect(car.blocks.size).toBe(blocks.length)
  })
})

describe('rejecting bad input', () => {
  const good = carToBytes(root, blocks.slice(0, 3))

  test('truncation anywhere', () => {
    expectInvalid(() => readCar(new Uint8Array()), /truncated/)
    for (const cut of [1, 5, 20, good.length - 1, good.length - 30]) {
      expectInvalid(() => readCar(good.subarray(0, cut)))
    }
  })

  test('block bytes that do not match the CID', () => {
    const bad = good.slice()
    bad[bad.length - 1] ^= 0xff
    expectInvalid(() => readCar(bad), /does not match/)
  })

  test('bad headers', () => {
    const header = (value: unknown): Uint8Array => {
      const bytes = encodeCbor(value)
      return Buffer.concat([Uint8Array.of(bytes.length), bytes])
    }
    expectInvalid(() => readCar(header({ version: 2, roots: [] })))
    expectInvalid(() => readCar(header({ version: 1, roots: ['x'] })))
    expectInvalid(() => readCar(header({ version: 1 })))
    expectInvalid(() => readCar(Uint8Array.of(3, 0xff, 0xff, 0xff)))
  })

  test('unsupported hash or codec', () => {
    const bytes = new Uint8Array([1])
    const identity = CID.create(1, 0x71, { code: 0x00, size: 1, digest: bytes, bytes: Uint8Array.of(0, 1, 1) } as any)
    expectInvalid(() => readCar(carToBytes(null, [{ cid: identity, bytes }])), /sha2-256/)
  })

  test('size and block-count limits', () => {
    expectInvalid(() => readCar(good, { maxBytes: good.length - 1 }), /larger/)
    expectInvalid(() => readCar(good, { maxBlocks: 2 }), /more than 2/)
    expect(readCar(good, { maxBytes: good.length, maxBlocks: 3 }).blocks.size).toBe(3)
  })
})

describe('streaming reader', () => {
  const whole = carToBytes(root, blocks)

  test('any chunking gives the same blocks', async () => {
    for (const size of [1, 7, 64, 100_000]) {
      const car = await readCarStream(chunked(whole, size))
      expect(car.roots.map(String)).toEqual([root.toString()])
      const got: string[] = []
      for await (const block of car.blocks) got.push(block.cid.toString())
      expect(got).toEqual(blocks.map((b) => b.cid.toString()))
    }
  })

  test('truncated, corrupted and oversized streams throw', async () => {
    const drain = async (bytes: Uint8Array, opts = {}): Promise<void> => {
      const car = await readCarStream(chunked(bytes, 13), opts)
      for await (const _ of car.blocks);
    }
    await expect(drain(whole.subarray(0, whole.length - 3))).rejects.toThrow(InvalidCarError)
    const corrupted = whole.slice()
    corrupted[corrupted.length - 10] ^= 1
    await expect(drain(corrupted)).rejects.toThrow(/does not match/)
    await expect(drain(whole, { maxBytes: 100 })).rejects.toThrow(/larger/)
    await expect(drain(whole, { maxBlocks: 5 })).rejects.toThrow(/more than 5/)
    await expect(drain(whole.subarray(0, 4))).rejects.toThrow(/truncated/)
  })
})
