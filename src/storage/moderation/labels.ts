// label: every label this labeler issued, signed; seq orders them for subscribeLabels and queryLabels.
import type { Database } from 'bun:sqlite'

export type LabelRow = {
  seq: number
  src: string
  uri: string
  cid: string
  val: string
  neg: number
  cts: string
  exp: string | null
  sig: Uint8Array
  /** The did:key of the key that made `sig`; null: the one in force before the first key rotation. */
  signingKey: string | null
}

export function insertLabel(db: Database, l: Omit<LabelRow, 'seq'>): LabelRow {
  return db
    .query<LabelRow, any[]>('INSERT INTO label (src, uri, cid, val, neg, cts, exp, sig, signingKey) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *')
    .get(l.src, l.uri, l.cid, l.val, l.neg, l.cts, l.exp, l.sig, l.signingKey)!
}

/** Before a key rotation: the labels of `src` signed before any rotation are named as signed by `key`. */
export function nameUnnamedSigningKey(db: Database, src: string, key: string) {
  db.query('UPDATE label SET signingKey = ? WHERE src = ? AND signingKey IS NULL').run(key, src)
}

/** A label signed again (with the current key). */
export function setLabelSig(db: Database, seq: number, sig: Uint8Array, signingKey: string) {
  db.query('UPDATE label SET sig = ?, signingKey = ? WHERE seq = ?').run(sig, signingKey, seq)
}

/** uriPatterns: exact URIs, or prefixes given as `prefix*`; sources: issuer DIDs. */
/** Expired labels (exp <= now) are left out, as Ozone's queryLabels does. */
export function queryLabels(db: Database, q: { patterns: string[]; sources?: string[]; after?: number; limit: number; now: string }): LabelRow[] {
  const where: string[] = []
  const args: (string | number)[] = []
  const ors: string[] = []
  for (const p of q.patterns) {
    if (p === '*') {
      ors.length = 0
      ors.push('1')
      break
    }
    if (p.endsWith('*')) {
      // substr instead of LIKE: a pattern's own % and _ are literal.
      ors.push('substr(uri, 1, ?) = ?')
      args.push(p.length - 1, p.slice(0, -1))
    } else {
      ors.push('uri = ?')
      args.push(p)
    }
  }
  if (ors.length) where.push(`(${ors.join(' OR ')})`)
  if (q.sources?.length) {
    where.push(`src IN (${q.sources.map(() => '?').join(', ')})`)
    args.push(...q.sources)
  }
  where.push('(exp IS NULL OR exp > ?)')
  args.push(q.now)
  if (q.after !== undefined) {
    where.push('seq > ?')
    args.push(q.after)
  }
  const sql = `SELECT * FROM label ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ASC LIMIT +?`
  return db.query<LabelRow, any[]>(sql).all(...args, q.limit)
}

export function labelsAfter(db: Database, after: number, limit: number): LabelRow[] {
  return db.query<LabelRow, [number, number]>('SELECT * FROM label WHERE seq > ? ORDER BY seq ASC LIMIT +?').all(after, limit)
}

export function lastLabelSeq(db: Database): number {
  return db.query<{ seq: number | null }, []>('SELECT max(seq) AS seq FROM label').get()!.seq ?? 0
}

/** The labels currently in force on one subject: the newest per value, unless negated or expired. */
export function activeLabels(db: Database, src: string, uri: string, now: string): LabelRow[] {
  return db
    .query<LabelRow, [string, string, string]>(
      `SELECT * FROM label l WHERE src = ? AND uri = ? AND seq = (SELECT max(seq) FROM label m WHERE m.src = l.src AND m.uri = l.uri AND m.val = l.val)
       AND neg = 0 AND (exp IS NULL OR exp > ?) ORDER BY seq`,
    )
    .all(src, uri, now)
}
