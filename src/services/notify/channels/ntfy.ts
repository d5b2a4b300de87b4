// ntfy (https://docs.ntfy.sh/publish/#publish-as-json): POST {topic, title, message} as JSON to the
// server's root. An address is a topic on the operator's server, or a topic URL on another https
// server (SSRF-checked; the operator's access token is only ever sent to the operator's server).
import { AddressError, ConfiguredChannel, type Channel, type OutgoingMessage } from '../channel.ts'
import { post } from '../http.ts'

const TOPIC = /^[A-Za-z0-9_-]{1,64}$/

export type NtfyConfig = { url: string; token?: string }

export class NtfyChannel extends ConfiguredChannel<NtfyConfig> implements Channel {
  readonly name = 'ntfy'

  normalizeAddress(address: string): string {
    const v = address.trim()
    if (TOPIC.test(v)) return v
    if (!URL.canParse(v)) throw new AddressError('an ntfy address is a topic name or a topic URL')
    const url = new URL(v)
    const topic = url.pathname.slice(1)
    const loopbackDev = this.devMode && url.protocol === 'http:' && url.hostname === '127.0.0.1'
    if ((url.protocol !== 'https:' && !loopbackDev) || !TOPIC.test(topic) || url.search || url.hash || url.username || url.password) {
      throw new AddressError('an ntfy topic URL looks like https://ntfy.example.com/mytopic')
    }
    return `${url.origin}/${topic}`
  }

  async send(msg: OutgoingMessage): Promise<void> {
    const address = this.normalizeAddress(msg.address)
    const own = new URL(this.config.url)
    const target = TOPIC.test(address) ? new URL(`${own.origin}/${address}`) : new URL(address)
    const onOwnServer = target.origin === own.origin
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (onOwnServer && this.config.token) headers.authorization = `Bearer ${this.config.token}`
    const base = onOwnServer ? own.href.replace(/\/+$/, '') : target.origin
    await post(
      `${base}/`,
      { headers, body: JSON.stringify({ topic: target.pathname.slice(1), title: msg.subject, message: msg.text }) },
      // A topic on another server is wholly the person's; on the operator's server a 401/403 is the
      // operator's token, and a 4xx about the topic is the person's.
      {
        devMode: this.devMode,
        untrusted: !onOwnServer,
        describe: 'ntfy publish',
        isRecipientError: (status) => !onOwnServer || (status !== 401 && status !== 403),
        secrets: [this.config.token],
      },
    )
  }
}
