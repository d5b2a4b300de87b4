export { applyWritesToRepo, createEmptyRepo, finishCommit, prepareCommit } from './apply-writes.ts'
export type { ApplyWritesInput, PendingCommit } from './apply-writes.ts'
export { walkRepoBlocks } from './walk.ts'
export { verifyRepoCar } from './verify.ts'
export type { VerifiedRepo, VerifiedRecord } from './verify.ts'
export {
  RecordAlreadyExistsError,
  RecordNotFoundError,
  InvalidWriteError,
  RepoVerificationError,
} from './errors.ts'
export type { CommitData, PrevCommit, RecordWrite, RepoOp, Block, BlockReader, Signer } from './types.ts'
