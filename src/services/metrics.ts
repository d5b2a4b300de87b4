// What services count for /metrics, as plain hooks: the services stay free of HTTP and of the metrics
// library. The composition root passes the Prometheus implementation (src/xrpc/metrics/) when
// PDS_METRICS_ENABLED is set, else NO_METRICS, whose empty functions cost a call and nothing more.

export type Metrics = {
  /** One XRPC call answered: its method (or 'other'), HTTP status and duration. */
  request(nsid: string, status: number, seconds: number): void
  /** One applyWrites commit: how many record operations, and where its time went (seconds). */
  commit(commit: CommitTimes): void
  /** A WAL made durable (fdatasync): whose, and how long the disk took. */
  storageSync(database: SyncedDatabase, seconds: number): void
  /** Events stored in the firehose, by type (commit, sync, identity, account). */
  firehoseEvents(type: string, count: number): void
  /** Bytes handed to subscriber sockets. */
  firehoseBytes(bytes: number): void
  /** A subscriber cut off for falling behind (ConsumerTooSlow). */
  firehoseDrop(): void
  /** A blob stored by uploadBlob. */
  blobUpload(bytes: number): void
  /** A proxied call's upstream (a bounded name) and status (the upstream's HTTP status, or 'failed' when none came). */
  proxyCall(upstream: string, status: string): void
  /** A password sign-in (createSession, OAuth sign-in): success or failure. */
  login(outcome: 'success' | 'failure'): void
  /** A request refused by a rate limit. */
  rateLimited(): void
}

export type CommitTimes = {
  ops: number
  /** From taking the repo lock to the acknowledgement. */
  seconds: number
  /** The SQLite transaction that writes it (blocks, root, record index). */
  transactionSeconds: number
  /** From the end of the transaction until its WAL sync had finished (with synchronous=normal: until the head copy and the firehose append are written). */
  durableWaitSeconds: number
}

/** Databases whose WAL the server syncs itself (group commit): every repo's actor store, the firehose's. */
export type SyncedDatabase = 'repo' | 'sequencer'

const nothing = () => {}

export const NO_METRICS: Metrics = {
  request: nothing,
  commit: nothing,
  storageSync: nothing,
  firehoseEvents: nothing,
  firehoseBytes: nothing,
  firehoseDrop: nothing,
  blobUpload: nothing,
  proxyCall: nothing,
  login: nothing,
  rateLimited: nothing,
}
