// Turning moderation on for a team account: its #atproto_label key (kept like signing keys, sealed when
// a key encryption key is configured), its DID document (#atproto_labeler service + #atproto_label key,
// one PLC operation), and its app.bsky.labeler.service record. Rotating the label key: the same PLC path.
import { existsSync } from 'node:fs'
import { Secp256k1Keypair, type Keypair } from '../../core/crypto/index.ts'
import type { KeyFiles } from '../../storage/key-files.ts'
import { labelKeyLabel, labelKeyPath, pendingLabelKeyPath, promotePendingLabelKey } from '../../storage/moderation/label-keys.ts'
import { invalidInput } from '../errors.ts'
import type { ModContext } from './context.ts'

/** The label values the labeler declares (policies.labelValues), Ozone's defaults plus !takedown. */
export const DEFAULT_LABEL_VALUES = ['!hide', '!warn', '!takedown', 'porn', 'sexual', 'nudity', 'graphic-media', 'spam']

export type LabelKeyStore = { keyFiles: KeyFiles; directory: string }

const keyPath = (store: LabelKeyStore, did: string) => labelKeyPath(store.directory, did)
const keyLabel = labelKeyLabel

export function readLabelKey(store: LabelKeyStore, did: string): Keypair | null {
  const path = keyPath(store, did)
  return existsSync(path) ? Secp256k1Keypair.import(store.keyFiles.read(path, keyLabel(did))) : null
}

function labelKeyFor(store: LabelKeyStore, did: string): Keypair {
  const existing = readLabelKey(store, did)
  if (existing) return existing
  const key = Secp256k1Keypair.create()
  store.keyFiles.write(keyPath(store, did), key.exportPrivateKey(), keyLabel(did))
  return key
}

export type SetupResult = { did: string; handle: string; labelKey: string; didDocUpdated: boolean; labelValues: string[] }

/** Idempotent: each step checks what is already there. */
export async function setUpLabeler(
  ctx: ModContext,
  store: LabelKeyStore,
  opts: { handleOrDid: string; publicUrl: string; labelValues?: string[] },
): Promise<SetupResult> {
  const account = ctx.accounts.getAccount(opts.handleOrDid, { includeDeactivated: true })
  if (!account) throw invalidInput(`No account ${opts.handleOrDid} on this server`, 'AccountNotFound')
  const key = labelKeyFor(store, account.did)
  const didDocUpdated = await ctx.accounts.addDidDocEntries(account.did, {
    verificationMethods: { atproto_label: key.did() },
    services: { atproto_labeler: { type: 'AtprotoLabeler', endpoint: opts.publicUrl } },
  })
  const existing = ctx.repo.getRecord(account.did, 'app.bsky.labeler.service', 'self')
  const current = (existing?.value as { policies?: { labelValues?: string[] } } | undefined)?.policies?.labelValues
  const labelValues = opts.labelValues ?? current ?? DEFAULT_LABEL_VALUES
  for (const v of labelValues) {
    if (!/^!?[a-z0-9-]{1,128}$/.test(v)) throw invalidInput(`Invalid label value: ${v} (lowercase letters, digits and dashes; a leading ! for the global ones)`)
  }
  // Definitions of values still declared are kept (the console edits them; enable must not drop them).
  const definitions = ((existing?.value as { policies?: { labelValueDefinitions?: Array<{ identifier: string }> } } | undefined)?.policies?.labelValueDefinitions ?? []).filter((d) =>
    labelValues.includes(d.identifier),
  )
  const record = {
    $type: 'app.bsky.labeler.service',
    policies: definitions.length ? { labelValues, labelValueDefinitions: definitions } : { labelValues },
    createdAt: ctx.now().toISOString(),
  }
  const same = existing && JSON.stringify((existing.value as { policies?: unknown }).policies) === JSON.stringify(record.policies)
  if (!same) {
    await ctx.repo.applyWrites(account.did, [
      existing
        ? { action: 'update', collection: 'app.bsky.labeler.service', rkey: 'self', value: { ...record, createdAt: (existing.value as { createdAt?: string }).createdAt ?? record.createdAt } }
        : { action: 'create', collection: 'app.bsky.labeler.service', rkey: 'self', value: record },
    ])
  }
  return { did: account.did, handle: account.handle ?? opts.handleOrDid, labelKey: key.did(), didDocUpdated, labelValues }
}

/**
 * A new #atproto_label key for the team, in three steps that a crash can interrupt anywhere: the new key
 * is written beside the current one (sealed the same way), the DID document is pointed at it (one PLC
 * operation, as `enable`), then it replaces the current key file. A pending key found later (a crash, a
 * PLC directory that refused) is the one a retry finishes with. Returns the new key's did:key.
 */
export async function rotateLabelKey(ctx: ModContext, store: LabelKeyStore, did: string): Promise<string> {
  const pending = pendingLabelKeyPath(store.directory, did)
  let key: Keypair
  if (existsSync(pending)) key = Secp256k1Keypair.import(store.keyFiles.read(pending, keyLabel(did)))
  else {
    key = Secp256k1Keypair.create()
    store.keyFiles.write(pending, key.exportPrivateKey(), keyLabel(did))
  }
  await ctx.accounts.addDidDocEntries(did, { verificationMethods: { atproto_label: key.did() } })
  promotePendingLabelKey(store.directory, did)
  return key.did()
}

/** Whether a rotation of the team's key was started and not finished. */
export const rotationPending = (store: LabelKeyStore, did: string) => existsSync(pendingLabelKeyPath(store.directory, did))
