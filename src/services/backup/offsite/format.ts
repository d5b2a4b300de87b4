// What a prefix holds:
//   pds-backup.json                       marker (clear): server DID, how the objects are encrypted
//   pds-backup-key.age                    with a passphrase: the bucket's age key, passphrase-encrypted
//   backups/<name>/index.json             clear: when, how much, which blob objects (DIDs and CIDs are
//                                         public on the network anyway); written last, so a backup
//                                         without one is unfinished
//   backups/<name>/manifest.age           the local backup's manifest (sha256 of every file) + objects
//   backups/<name>/files/<path>.age       databases, signing keys, pds.env
//   blobs/<did>/<cid>.age                 blobs, shared by every backup that references them
import type { Manifest } from '../manifest.ts'

export const OFFSITE_FORMAT = 'pds-offsite-backup/1'

export type OffsiteIndex = {
  format: typeof OFFSITE_FORMAT
  name: string
  serverDid: string
  hostname: string
  pdsVersion: string
  startedAt: string
  finishedAt: string
  accounts: number
  files: number
  bytes: number
  /** Blob objects (blobs/<did>/<cid>.age) this backup references; retention keeps them while it lives. */
  blobs: string[]
}

export type OffsiteManifest = {
  format: typeof OFFSITE_FORMAT
  name: string
  serverDid: string
  hostname: string
  /** The manifest of the local backup that was uploaded: every file's size and sha256. */
  manifest: Manifest
  /** File path in the backup → object path in the prefix. */
  objects: Record<string, string>
  /** HMAC of the rest (keys.ts manifestMac); present in passphrase-encrypted prefixes. */
  mac?: string
}

export const backupDir = (name: string) => `backups/${name}/`
export const indexPath = (name: string) => `backups/${name}/index.json`
export const manifestPath = (name: string) => `backups/${name}/manifest.age`
export const filePath = (name: string, path: string) => `backups/${name}/files/${path}.age`
/** blobs/<did>/<cid> in a local backup → its shared object. */
export const blobObjectPath = (path: string) => `${path}.age`
