// How many subscribeRepos connections one server takes: a total cap and a per-IP cap, so that one
// misbehaving client cannot hold every socket (or all the replay work) of a small PDS. The reference
// PDS has no setting for this, so these are constants: a few relays plus some AppViews and tools
// need tens of connections; 1,000 leaves ample room, and 20 per IP lets one host run several consumers.
export const MAX_SUBSCRIBERS = 1000
export const MAX_SUBSCRIBERS_PER_IP = 20

export type LimitRejection = { error: 'RateLimitExceeded'; message: string }

export class SubscriberLimits {
  private total = 0
  private readonly perIp = new Map<string, number>()

  constructor(
    readonly maxTotal = MAX_SUBSCRIBERS,
    readonly maxPerIp = MAX_SUBSCRIBERS_PER_IP,
  ) {}

  /** Counts a new subscriber, or says why it is refused (then nothing is counted). */
  acquire(ip: string): LimitRejection | null {
    if (this.total >= this.maxTotal) {
      return { error: 'RateLimitExceeded', message: `Too many subscribers on this server (max ${this.maxTotal}), try again later` }
    }
    const mine = this.perIp.get(ip) ?? 0
    if (mine >= this.maxPerIp) {
      return { error: 'RateLimitExceeded', message: `Too many subscriptions from ${ip} (max ${this.maxPerIp})` }
    }
    this.total++
    this.perIp.set(ip, mine + 1)
    return null
  }

  release(ip: string): void {
    const mine = this.perIp.get(ip)
    if (!mine) return
    this.total--
    if (mine === 1) this.perIp.delete(ip)
    else this.perIp.set(ip, mine - 1)
  }

  get count(): number {
    return this.total
  }
}
