// Keys at rest (issue 23): a data directory converted by `pds keys encrypt` serves with the key
// encryption key and refuses clearly without it; `pds keys decrypt` brings back the plain format;
// a kill -9 at any moment of a conversion leaves every key readable.
import { afterAll, describe, expect, test } from 'bun:test'
import { AtpAgent } from '@atproto/api'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildConfig, ConfigError } from '../../src/config/config.ts'
import { formatEnvFile, parseEnvFile } from '../../src/config/env.ts'
import { isSealed, KeySealer, parseKeyEncryptionKey } from '../../src/core/crypto/key-seal.ts'
import { Secp256k1Keypair } from '../../src/core/crypto/index.ts'
import { startServer } from '../../src/main.ts'
import { actorDir } from '../../src/services/accounts/repo-port.ts'
import { listKeyFiles } from '../../src/services/repo/convert-keys.ts'
import { KeyFiles } from '../../src/storage/key-files.ts'
import { ensureBinary } from '../helpers/binary.ts'
import { freePort, testEnv } from '../helpers/server.ts'
import { pds } from './cli-harness.ts'

const work = mkdtempSync(join(tmpdir(), 'pds-keys-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))
const KEK = 'c0ffee'.repeat(10) + 'abcd'
const sealer = new KeySealer(parseKeyEncryptionKey(KEK))
const isFileSealed = (path: string) => isSealed(new Uint8Array(readFileSync(path)))

async function serveOnce(dataDir: string, extra: Record<string, string>, body: (url: string) => Promise<void>) {
  const env = { ...parseEnvFile(readFileSync(join(dataDir, 'pds.env'), 'utf8')), ...extra }
  const server = await startServer(buildConfig(env), { hostname: '127.0.0.1', shutdownGraceMs: 500 })
  try {
    await body(server.url)
  } finally {
    await server.stop()
  }
}

describe('pds keys encrypt / decrypt', () => {
  const dataDir = join(work, 'data')
  const accounts: { did: string; handle: string }[] = []
  let reservedKeyDid = ''

  test('a server with plain keys, converted by `pds keys encrypt`, serves with the key and refuses without it', async () => {
    mkdirSync(dataDir)
    writeFileSync(join(dataDir, 'pds.env'), formatEnvFile(testEnv(dataDir, await freePort())), { mode: 0o600 })
    await serveOnce(dataDir, {}, async (url) => {
      for (const name of ['alice', 'bob']) {
        const agent = new AtpAgent({ service: url })
        const res = await agent.createAccount({ email: `${name}@example.com`, handle: `${name}.test`, password: 'hunter2hunter2' })
        accounts.push({ did: res.data.did, handle: `${name}.test` })
      }
      const reserved = await fetch(`${url}/xrpc/com.atproto.server.reserveSigningKey`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
      reservedKeyDid = ((await reserved.json()) as { signingKey: string }).signingKey
    })
    const keyFiles = listKeyFiles(join(dataDir, 'actors'))
    expect(keyFiles.length).toBe(3)
    expect(keyFiles.every((f) => readFileSync(f.path).length === 32)).toBe(true)
    const plainBefore = keyFiles.map((f) => readFileSync(f.path))

    // No key configured: a clear refusal, nothing touched.
    const none = await pds(['keys', 'encrypt', '--data-dir', dataDir])
    expect(none.code).toBe(78)
    expect(none.stderr).toContain('no key encryption key: set PDS_KEY_ENCRYPTION_KEY')

    // The key beside the data (in its pds.env) protects nothing: refused.
    writeFileSync(join(dataDir, 'pds.env'), readFileSync(join(dataDir, 'pds.env'), 'utf8') + `PDS_KEY_ENCRYPTION_KEY=${KEK}\n`)
    const beside = await pds(['keys', 'encrypt', '--data-dir', dataDir])
    expect(beside.code).toBe(3)
    expect(beside.stderr).toContain('inside the data directory')
    writeFileSync(join(dataDir, 'pds.env'), readFileSync(join(dataDir, 'pds.env'), 'utf8').replace(/PDS_KEY_ENCRYPTION_KEY=.*\n/, ''))

    const run = await pds(['keys', 'encrypt', '--data-dir', dataDir, '--json'], { env: { PDS_KEY_ENCRYPTION_KEY: KEK } })
    expect(run.code).toBe(0)
    expect(run.json()).toMatchObject({ ok: true, converted: 3, unchanged: 0, rotationKey: 'converted', keyEncryptionKeyId: sealer.idHex })
    expect(keyFiles.every((f) => isFileSealed(f.path))).toBe(true)
    const env = parseEnvFile(readFileSync(join(dataDir, 'pds.env'), 'utf8'))
    expect(env.PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX).toBeUndefined()
    expect(env.PDS_PLC_ROTATION_KEY_K256_ENCRYPTED).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(readFileSync(join(dataDir, 'pds.env'), 'utf8')).not.toContain(testEnv(dataDir, 1).PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX!)
    // Same keys inside.
    keyFiles.forEach((f, i) => expect(Buffer.from(new KeyFiles(sealer).read(f.path, f.label)).equals(plainBefore[i]!)).toBe(true))

    // Again: nothing left to do.
    const again = await pds(['keys', 'encrypt', '--data-dir', dataDir, '--json'], { env: { PDS_KEY_ENCRYPTION_KEY: KEK } })
    expect(again.json()).toMatchObject({ converted: 0, unchanged: 3, rotationKey: 'unchanged' })

    // Without the key the configuration does not load, naming the variable.
    expect(() => buildConfig(env)).toThrow(ConfigError)
    expect(() => buildConfig(env)).toThrow(/PDS_PLC_ROTATION_KEY_K256_ENCRYPTED: is encrypted, but no PDS_KEY_ENCRYPTION_KEY/)
    expect(() => buildConfig({ ...env, PDS_KEY_ENCRYPTION_KEY: 'ab'.repeat(32) })).toThrow(/different key encryption key/)

    // With a key file (outside the data directory) the server signs with the sealed keys, and new
    // accounts get sealed keys.
    const kekFile = join(work, 'kek')
    writeFileSync(kekFile, `${KEK}\n`, { mode: 0o600 })
    await serveOnce(dataDir, { PDS_KEY_ENCRYPTION_KEY_FILE: kekFile }, async (url) => {
      const agent = new AtpAgent({ service: url })
      await agent.login({ identifier: 'alice.test', password: 'hunter2hunter2' })
      await agent.post({ text: 'signed with a key that is encrypted at rest' })
      const carol = await new AtpAgent({ service: url }).createAccount({ email: 'carol@example.com', handle: 'carol.test', password: 'hunter2hunter2' })
      expect(isFileSealed(join(actorDir(join(dataDir, 'actors'), carol.data.did), 'key'))).toBe(true)
      const again = await fetch(`${url}/xrpc/com.atproto.server.reserveSigningKey`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
      expect(isFileSealed(join(dataDir, 'actors', 'reserved_keys', ((await again.json()) as { signingKey: string }).signingKey))).toBe(true)
    })
    expect(existsSync(join(dataDir, 'actors', 'reserved_keys', reservedKeyDid))).toBe(true)
  }, 120_000)

  test('a backup keeps the keys encrypted; verifying it needs the key encryption key and says so', async () => {
    const env = { PDS_KEY_ENCRYPTION_KEY: KEK }
    const backups = join(work, 'backups')
    const created = await pds(['backup', 'create', '--data-dir', dataDir, '--to', backups, '--json'], { env })
    expect(created.code).toBe(0)
    const path = created.json().path as string
    const backedUpKeys = listKeyFiles(join(path, 'actors'))
    expect(backedUpKeys.length).toBeGreaterThan(0)
    expect(backedUpKeys.every((f) => isFileSealed(f.path))).toBe(true)
    const withKey = await pds(['backup', 'verify', path, '--json'], { env })
    expect(withKey.code).toBe(0)
    const noKey = await pds(['backup', 'verify', path, '--json'], { env: { PDS_DATA_DIRECTORY: dataDir, PDS_KEY_ENCRYPTION_KEY: '' } })
    expect(noKey.code).toBe(1)
    expect(noKey.json().problems[0].problem).toContain('is encrypted, but no PDS_KEY_ENCRYPTION_KEY')
  }, 120_000)

  test('a wrong key changes nothing; `pds keys decrypt` restores plain key files a reference PDS reads', async () => {
    const wrong = await pds(['keys', 'decrypt', '--data-dir', dataDir], { env: { PDS_KEY_ENCRYPTION_KEY: 'ab'.repeat(32) } })
    expect(wrong.code).toBe(78)
    expect(wrong.stderr).toContain('different key encryption key')
    const files = listKeyFiles(join(dataDir, 'actors'))
    expect(files.length).toBe(5)
    expect(files.every((f) => isFileSealed(f.path))).toBe(true)

    const run = await pds(['keys', 'decrypt', '--data-dir', dataDir, '--json'], { env: { PDS_KEY_ENCRYPTION_KEY: KEK } })
    expect(run.code).toBe(0)
    expect(run.json()).toMatchObject({ ok: true, converted: 5, rotationKey: 'converted' })
    expect(files.every((f) => readFileSync(f.path).length === 32)).toBe(true)
    // The reserved key is still the one handed out.
    expect(Secp256k1Keypair.import(new Uint8Array(readFileSync(join(dataDir, 'actors', 'reserved_keys', reservedKeyDid)))).did()).toBe(reservedKeyDid)
    await serveOnce(dataDir, {}, async (url) => {
      const agent = new AtpAgent({ service: url })
      await agent.login({ identifier: 'bob.test', password: 'hunter2hunter2' })
      await agent.post({ text: 'plain keys again' })
    })
  }, 120_000)
})

describe('pds init --key-encryption-key-file', () => {
  test('creates the key file outside the data directory and writes the rotation key encrypted', async () => {
    const dataDir = join(work, 'init-data')
    const kekFile = join(work, 'secrets', 'kek')
    const run = await pds(['init', '--yes', '--json', '--hostname', 'pds.example.com', '--data-dir', dataDir, '--key-encryption-key-file', kekFile])
    expect(run.code).toBe(0)
    expect(readFileSync(kekFile, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/)
    const env = parseEnvFile(readFileSync(join(dataDir, 'pds.env'), 'utf8'))
    expect(env.PDS_KEY_ENCRYPTION_KEY_FILE).toBe(kekFile)
    expect(env.PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX).toBeUndefined()
    const config = buildConfig(env)
    expect(config.secrets.plcRotationKeyHex).toMatch(/^[0-9a-f]{64}$/)
    expect(config.secrets.keyEncryption?.source).toBe(kekFile)

    const inside = await pds(['init', '--yes', '--hostname', 'pds.example.com', '--data-dir', join(work, 'init-2'), '--key-encryption-key-file', join(work, 'init-2', 'kek')])
    expect(inside.code).toBe(2)
    expect(inside.stderr).toContain('is inside the data directory')
    expect(existsSync(join(work, 'init-2', 'pds.env'))).toBe(false)
  })
})

describe('kill -9 during a conversion', () => {
  const N = 600
  const dataDir = join(work, 'many')
  const originals = new Map<string, Buffer>()

  function makeDirectory() {
    mkdirSync(dataDir)
    writeFileSync(join(dataDir, 'pds.env'), formatEnvFile(testEnv(dataDir, 2583)), { mode: 0o600 })
    for (let i = 0; i < N; i++) {
      const did = `did:plc:${i.toString().padStart(24, 'k')}`
      const dir = actorDir(join(dataDir, 'actors'), did)
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, 'store.sqlite'), '') // the conversion only needs the folder to be an actor's
      const key = Buffer.from(Secp256k1Keypair.create().exportPrivateKey())
      writeFileSync(join(dir, 'key'), key, { mode: 0o600 })
      originals.set(did, key)
    }
  }

  /** Every key opens to its original bytes; returns how many are sealed. */
  function checkEveryKey(): number {
    const keys = new KeyFiles(sealer)
    const files = listKeyFiles(join(dataDir, 'actors'))
    expect(files.length).toBe(N)
    let sealed = 0
    for (const f of files) {
      expect(Buffer.from(keys.read(f.path, f.label)).equals(originals.get(f.label)!)).toBe(true)
      if (isFileSealed(f.path)) sealed++
    }
    return sealed
  }

  async function killedRuns(command: 'encrypt' | 'decrypt', done: (sealed: number) => boolean) {
    const bin = await ensureBinary()
    const partial: number[] = []
    // Kills from 25 ms on, in small steps: on an idle machine a whole conversion of N keys takes a few
    // hundred ms, on a loaded one seconds; either way some kill lands in the middle of one.
    for (let delay = 25; delay < 60_000; delay += delay < 2000 ? 25 : 400) {
      const proc = Bun.spawn([bin, 'keys', command, '--data-dir', dataDir, '--quiet'], {
        env: { PATH: process.env.PATH!, PDS_KEY_ENCRYPTION_KEY: KEK },
        stdout: 'ignore',
        stderr: 'ignore',
      })
      await Bun.sleep(delay)
      proc.kill('SIGKILL')
      await proc.exited
      const sealed = checkEveryKey()
      if (sealed > 0 && sealed < N) partial.push(sealed)
      if (done(sealed)) break
    }
    return partial
  }

  test('every key stays readable whenever the process is killed, and a rerun finishes the job', async () => {
    makeDirectory()
    const encrypting = await killedRuns('encrypt', (sealed) => sealed === N)
    expect(encrypting.length).toBeGreaterThan(0) // at least one kill landed mid-conversion
    expect(checkEveryKey()).toBe(N)
    const decrypting = await killedRuns('decrypt', (sealed) => sealed === 0)
    expect(decrypting.length).toBeGreaterThan(0)
    expect(checkEveryKey()).toBe(0)
    // No temp files left behind by the killed runs once a run completes.
    const finish = await pds(['keys', 'decrypt', '--data-dir', dataDir, '--json'], { env: { PDS_KEY_ENCRYPTION_KEY: KEK } })
    expect(finish.code).toBe(0)
    const leftovers = listKeyFiles(join(dataDir, 'actors')).length
    expect(leftovers).toBe(N)
    for (const shard of readdirSync(join(dataDir, 'actors'))) {
      for (const did of readdirSync(join(dataDir, 'actors', shard))) expect(readdirSync(join(dataDir, 'actors', shard, did)).sort()).toEqual(['key', 'store.sqlite'])
    }
  }, 600_000)
})
