// Backups of the whole data directory: create, verify, restore, list, rotate, schedule.
export { canonicalLayout, layoutFromConfig, listActorDirs, blobFilePath, type DataLayout } from './layout.ts'
export { listLabelKeyFiles } from '../../storage/moderation/label-keys.ts'
export { readManifest, BackupFormatError, type Manifest, type ManifestFile } from './manifest.ts'
export { createBackup, snapshotDatabase, type BackupProgress, type BackupResult } from './snapshot.ts'
export { verifyBackup, integrityProblem, type VerifyReport, type VerifyProblem } from './verify.ts'
export { verifyActorStore, type ActorStoreCheck } from './verify-repo.ts'
export { restoreBackup, existingData, RestoreRefusedError, type RestoreResult } from './restore.ts'
export { listBackups, pruneBackups, startBackupSchedule, type BackupListing, type BackupSchedule, type BackupSettings } from './schedule.ts'
// Off-site backups: import './offsite/index.ts' where used (it loads age and its ciphers).
