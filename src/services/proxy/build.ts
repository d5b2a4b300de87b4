// Builds the proxy from the other services; dependencies are read at call time so that the composition
// root can create the proxy before the repo and accounts services are in place.
import type { Config } from '../../config/config.ts'
import type { Keypair } from '../../core/crypto/index.ts'
import type { Logger } from '../../logger.ts'
import type { DidDocument } from '../service-auth/index.ts'
import { ProxyService, type ProxyDeps } from './proxy-service.ts'
import type { ForwardLimits } from './forward.ts'

export type ProxySources = {
  config: Config
  log: Logger
  repo: { signingKey(did: string): Keypair | Promise<Keypair> }
  accounts: { didDocFor(did: string): Promise<DidDocument | null> }
}

export function buildProxy(services: () => ProxySources, limits?: ForwardLimits, observers: Pick<ProxyDeps, 'metrics' | 'appViewHealth'> = {}): ProxyService {
  const s = () => services()
  return new ProxyService({
    ...observers,
    limits,
    get config() {
      return s().config
    },
    get log() {
      return s().log
    },
    signingKey: (did) => s().repo.signingKey(did),
    didResolver: { resolve: (did) => s().accounts.didDocFor(did) },
  })
}
