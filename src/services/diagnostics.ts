// What `pds doctor` checks on this machine, through the services layer (the CLI never opens storage).
import { probeSqlite } from '../storage/sqlite.ts'

/** Creates, writes and reads back a STRICT WAL table at `path`; returns the SQLite version. */
export function sqliteSelfTest(path: string): string {
  return probeSqlite(path)
}
