// The local PLC directory's operation log (plc.sqlite): each DID's signed operations as JSON, in order.
import type { Database } from 'bun:sqlite'
import { openDatabase } from './sqlite.ts'

export type PlcOpRow = { did: string; cid: string; operation: string; nullified: number; createdAt: string }

export class PlcOperationStore {
  constructor(private readonly db: Database) {}

  static open(path: string): PlcOperationStore {
    return new PlcOperationStore(openDatabase(path, 'plc', { synchronous: 'NORMAL' }))
  }

  /** A DID's operations that are not nullified, oldest first (same-millisecond ops in insertion order). */
  ops(did: string): PlcOpRow[] {
    return this.db.query<PlcOpRow, [string]>('SELECT * FROM plc_operation WHERE did = ? AND nullified = 0 ORDER BY createdAt, rowid').all(did)
  }

  append(did: string, cid: string, operationJson: string, createdAt: string) {
    this.db.query('INSERT INTO plc_operation (did, cid, operation, createdAt) VALUES (?, ?, ?, ?)').run(did, cid, operationJson, createdAt)
  }

  close() {
    this.db.close()
  }
}
