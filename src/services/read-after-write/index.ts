// Read-after-write for the account's own profile and posts (see service.ts).
export { pipethroughReadAfterWrite } from './service.ts'
export * from './munge.ts'
export { LocalViewer } from './viewer.ts'
export { getRecordsSinceRev, getLocalLag, type LocalRecords, type RecordDescript } from './local-records.ts'
