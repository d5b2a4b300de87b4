// Labels as the label spec defines them: version 1, signed over the DAG-CBOR of the label without
// `sig`; `neg` and absent optional fields are left out, as the reference (ozone signLabel) does.
import { encodeCbor } from './cbor.ts'
import type { Keypair } from './crypto/index.ts'
import { verifySignature } from './crypto/index.ts'

export type Label = {
  ver: 1
  src: string
  uri: string
  cid?: string
  val: string
  neg?: true
  cts: string
  exp?: string
}

export type SignedLabel = Label & { sig: Uint8Array }

export function formatLabel(l: { src: string; uri: string; cid?: string | null; val: string; neg?: boolean; cts: string; exp?: string | null }): Label {
  const label: Label = { ver: 1, src: l.src, uri: l.uri, val: l.val, cts: l.cts }
  if (l.cid) label.cid = l.cid
  if (l.neg) label.neg = true
  if (l.exp) label.exp = l.exp
  return label
}

export function signLabel(label: Label, key: Keypair): SignedLabel {
  return { ...label, sig: key.sign(encodeCbor(label)) }
}

export function verifyLabel(label: SignedLabel, didKey: string): boolean {
  const { sig, ...rest } = label
  return verifySignature(didKey, encodeCbor(formatLabel(rest)), sig)
}
