// The data directory's single-owner lock, for the CLI's offline work (restore) and its error reports
// (serve): the CLI reaches storage only through services.
export { DataDirectoryLockedError, lockDataDirectory, readLockHolder, type DataDirectoryLock } from '../storage/data-lock.ts'
