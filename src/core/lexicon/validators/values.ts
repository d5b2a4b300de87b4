// Shape tests on IPLD data values (what DAG-CBOR decoding or JSON→IPLD conversion yields).
import { CID } from 'multiformats/cid'

/** A map in the data model: not null, not an array, bytes or a CID link. */
export function isDataObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    CID.asCID(value) === null
  )
}

export function isCid(value: unknown): value is CID {
  return CID.asCID(value) !== null
}
