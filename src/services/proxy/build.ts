// Builds the proxy from the services record; dependencies are read at call time so that the composition
// root can create the proxy before the repo and accounts services are in place.
import type { Services } from '../types.ts'
import { ProxyService } from './proxy-service.ts'
import type { ForwardLimits } from './forward.ts'

export function buildProxy(services: () => Services, limits?: ForwardLimits): ProxyService {
  const s = () => services()
  return new ProxyService({
    limits,
    get config() {
      return s().config
    },
    get log() {
      return s().log
    },
    verifyAuth: (kind, ctx) => s().verifyAuth(kind, ctx),
    signingKey: (did) => s().repo.signingKey(did),
    didResolver: { resolve: (did) => s().accounts.didDocFor(did) },
  })
}
