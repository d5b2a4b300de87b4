// What the account flows share: the store, config, and the ports to repo, PLC, mail and the firehose.
import type { Config } from '../../config/config.ts'
import type { Logger } from '../../logger.ts'
import type { Keypair } from '../../core/crypto/index.ts'
import type { RepoEventSink } from '../events.ts'
import type { Mailer } from '../mail/mailer.ts'
import type { NotifyService } from '../notify/index.ts'
import type { PlcClient } from '../identity/plc-client.ts'
import type { DidResolver } from '../identity/did-resolver.ts'
import type { AccountManager } from './account-manager.ts'
import type { RepoLifecycle } from './repo-port.ts'

export type AccountsContext = {
  manager: AccountManager
  config: Config
  log: Logger
  /** Read at call time: the sequencer may be wired after the accounts service is built. */
  events: () => RepoEventSink
  repo: () => RepoLifecycle
  plc: PlcClient
  didResolver: DidResolver
  /** Free-form email (to, subject, text), queued and delivered by `notify`. */
  mailer: Mailer
  /** The notification queue: token messages are queued in the token's own transaction. */
  notify: NotifyService
  plcRotationKey: Keypair
  /** Handle → DID off this server (DNS, then HTTPS); replaceable in tests. */
  resolveHandleRemote: (handle: string) => Promise<string | null>
}
