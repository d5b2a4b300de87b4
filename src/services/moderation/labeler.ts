// The labeler: signs labels with the team's #atproto_label key, stores them in order, and feeds
// subscribeLabels (a StreamSource, so the firehose's replay and backpressure rules apply unchanged).
// After a key rotation, a label signed with an earlier key is signed again with the current one when it
// is next read (queryLabels, subscribeLabels replay, the moderation views), as Ozone's
// formatLabelAndEnsureSig does: every label served verifies against the key in the DID document.
import type { Database } from 'bun:sqlite'
import type { Keypair } from '../../core/crypto/index.ts'
import { formatLabel, signLabel, type SignedLabel } from '../../core/label.ts'
import * as labels from '../../storage/moderation/labels.ts'
import type { LabelRow } from '../../storage/moderation/labels.ts'
import { messageFrame } from '../sequencer/frames.ts'
import type { LiveEvent } from '../sequencer/sequencer.ts'
import type { StreamSource } from '../sequencer/firehose.ts'

/** `expiresInHours`: exp is set that long after the label's cts. */
export type NewLabel = { uri: string; cid?: string | null; val: string; neg?: boolean; expiresInHours?: number }

export function rowToLabel(row: LabelRow): SignedLabel {
  return { ...formatLabel({ ...row, neg: row.neg === 1 }), sig: new Uint8Array(row.sig) }
}

/** The JSON form (com.atproto.label.defs#label): bytes as {$bytes}. */
export function labelJson(row: LabelRow): Record<string, unknown> {
  const { sig, ...label } = rowToLabel(row)
  return { ...label, sig: { $bytes: Buffer.from(sig).toString('base64').replace(/=+$/, '') } }
}

export class Labeler implements StreamSource<LabelRow> {
  private readonly listeners = new Set<(events: LiveEvent[]) => void>()

  constructor(
    private readonly db: Database,
    /** The issuer and its key; null while moderation is not set up. */
    private readonly issuer: () => { did: string; key: Keypair } | null,
    private readonly now: () => Date,
  ) {}

  /** Signs and stores the labels in one transaction, then publishes them. */
  issue(newLabels: NewLabel[]): LabelRow[] {
    const issuer = this.issuer()
    if (!issuer || newLabels.length === 0) return []
    const now = this.now()
    const cts = now.toISOString()
    const rows = this.db.transaction(() =>
      newLabels.map((l) => {
        const exp = l.expiresInHours ? new Date(now.getTime() + l.expiresInHours * 3600_000).toISOString() : null
        const signed = signLabel(formatLabel({ src: issuer.did, uri: l.uri, cid: l.cid, val: l.val, neg: l.neg, cts, exp }), issuer.key)
        return labels.insertLabel(this.db, { src: issuer.did, uri: l.uri, cid: l.cid ?? '', val: l.val, neg: l.neg ? 1 : 0, cts, exp, sig: signed.sig, signingKey: issuer.key.did() })
      }),
    )()
    const events = rows.map((row) => ({ seq: row.seq, frame: this.framesOf([row])[0]! }))
    for (const listener of this.listeners) listener(events)
    return rows
  }

  query(q: { patterns: string[]; sources?: string[]; after?: number; limit: number }): LabelRow[] {
    return this.signedWithCurrentKey(labels.queryLabels(this.db, { ...q, now: this.now().toISOString() }))
  }

  /** Labels in force on a subject now (views, and which values a negation may remove). */
  active(uri: string): LabelRow[] {
    const issuer = this.issuer()
    return issuer ? this.signedWithCurrentKey(labels.activeLabels(this.db, issuer.did, uri, this.now().toISOString())) : []
  }

  /** Before the issuer's key changes: its labels signed before any rotation are named as signed by `key`. */
  nameSigningKey(key: string) {
    const issuer = this.issuer()
    if (issuer) labels.nameUnnamedSigningKey(this.db, issuer.did, key)
  }

  /** The issuer's labels signed with an earlier key, signed again with the current one (and stored so). */
  private signedWithCurrentKey(rows: LabelRow[]): LabelRow[] {
    const issuer = this.issuer()
    const key = issuer?.key.did()
    const stale = (row: LabelRow) => !!issuer && row.src === issuer.did && row.signingKey !== null && row.signingKey !== key
    if (!issuer || !key || !rows.some(stale)) return rows
    return this.db.transaction(() =>
      rows.map((row) => {
        if (!stale(row)) return row
        const { sig } = signLabel(formatLabel({ ...row, neg: row.neg === 1 }), issuer.key)
        labels.setLabelSig(this.db, row.seq, sig, key)
        return { ...row, sig, signingKey: key }
      }),
    )()
  }

  // StreamSource: labels are durable once their transaction commits, so every stored one is published.
  get publishedSeq(): number {
    return labels.lastLabelSeq(this.db)
  }

  readonly store = {
    // Labels are kept for good: no cursor is ever outdated.
    next: (_cursor: number) => null,
    earliestAfterTime: (_time: string) => null,
  }

  replayPage(afterSeq: number, limit: number): LabelRow[] {
    return this.signedWithCurrentKey(labels.labelsAfter(this.db, afterSeq, limit))
  }

  framesOf(rows: LabelRow[]): Array<Uint8Array | null> {
    return rows.map((row) => messageFrame('#labels', { seq: row.seq, labels: [rowToLabel(row)] }))
  }

  onEvents(listener: (events: LiveEvent[]) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
