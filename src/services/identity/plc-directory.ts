// A PLC directory that validates operations as plc.directory does (signature by a rotation key of the
// previous op, prev chain, DID derivation, tombstones); its HTTP API is an edge route (routes/plc-directory.ts)
// (under /_plc in dev mode, standalone in the tests). Simplification: it accepts only ops that extend
// the current head (no 72-hour fork recovery / nullification).
import { PlcOperationStore, type PlcOpRow } from '../../storage/plc-operations.ts'
import {
  assertWellFormedOp,
  cidForOp,
  didForGenesisOp,
  PlcOpError,
  verifyOpSignature,
  type SignedPlcOp,
} from './plc-ops.ts'

export class PlcDirectory {
  private readonly store: PlcOperationStore

  constructor(path: string) {
    this.store = PlcOperationStore.open(path)
  }

  close() {
    this.store.close()
  }

  /** The DID's operation log, oldest first (nullified operations left out). */
  ops(did: string): PlcOpRow[] {
    return this.store.ops(did)
  }

  /** Validates and appends an operation; throws PlcOpError with a message for the client. */
  submit(did: string, raw: unknown): void {
    const op = assertWellFormedOp(raw)
    const log = this.ops(did)
    const head = log.at(-1)
    if (!head) {
      if (op.type !== 'plc_operation' || op.prev !== null) throw new PlcOpError('genesis operation must have prev null')
      if (didForGenesisOp(op) !== did) throw new PlcOpError('genesis operation does not match DID identifier')
      if (!verifyOpSignature(op, op.rotationKeys)) throw new PlcOpError('invalid signature on genesis operation')
    } else {
      const headOp = JSON.parse(head.operation) as SignedPlcOp
      if (headOp.type === 'plc_tombstone') throw new PlcOpError('DID is tombstoned')
      if (op.prev !== head.cid) throw new PlcOpError('operation prev does not reference the latest operation')
      if (!verifyOpSignature(op, headOp.rotationKeys)) throw new PlcOpError('invalid signature: not signed by a rotation key of the previous operation')
    }
    // Ops in the same millisecond keep their order through rowid (see ops()).
    const createdAt = new Date().toISOString()
    this.store.append(did, cidForOp(op), JSON.stringify(op), createdAt)
  }

  lastOp(did: string): SignedPlcOp | null {
    const head = this.ops(did).at(-1)
    return head ? (JSON.parse(head.operation) as SignedPlcOp) : null
  }
}
