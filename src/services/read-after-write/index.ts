// Read-after-write for the account's own profile and posts (the handlers' pipethrough: src/api/_util/read-after-write.ts).
export * from './munge.ts'
export { LocalViewer } from './viewer.ts'
export { getRecordsSinceRev, getLocalLag, type LocalRecords, type RecordDescript } from './local-records.ts'
