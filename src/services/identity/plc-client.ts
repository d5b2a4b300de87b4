// Talks to a PLC directory (plc.directory, a private one, or our own under /_plc).
import type { PlcDocumentData, SignedPlcOp, PlcOperation } from './plc-ops.ts'
import { CircuitOpenError, type CircuitBreaker } from '../net/circuit-breaker.ts'

export class PlcClientError extends Error {
  constructor(
    message: string,
    /** HTTP status from the directory; 0 when it could not be reached. */
    readonly status: number,
  ) {
    super(message)
    this.name = 'PlcClientError'
  }
}

export class PlcClient {
  constructor(
    readonly url: string,
    private readonly timeoutMs = 10_000,
    /** Opens after repeated unreachability or 5xx, so an outage fails fast instead of waiting out timeouts. */
    private readonly breaker?: CircuitBreaker,
  ) {}

  private async call(path: string, init?: RequestInit): Promise<Response> {
    if (!this.breaker) return this.callOnce(path, init)
    try {
      return await this.breaker.run(
        () => this.callOnce(path, init),
        (err) => err instanceof PlcClientError && (err.status === 0 || err.status >= 500),
      )
    } catch (err) {
      if (err instanceof CircuitOpenError) throw new PlcClientError(`PLC directory at ${this.url}: ${err.message}`, 0)
      throw err
    }
  }

  private async callOnce(path: string, init?: RequestInit): Promise<Response> {
    let res: Response
    try {
      res = await fetch(new URL(path, this.url.endsWith('/') ? this.url : this.url + '/'), {
        ...init,
        signal: AbortSignal.timeout(this.timeoutMs),
      })
    } catch (err) {
      throw new PlcClientError(`PLC directory unreachable at ${this.url}: ${(err as Error).message}`, 0)
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { message?: string }
      throw new PlcClientError(body.message ?? `PLC directory answered ${res.status}`, res.status)
    }
    return res
  }

  async sendOperation(did: string, op: SignedPlcOp): Promise<void> {
    await this.call(encodeURIComponent(did), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(op),
    })
  }

  async getLastOp(did: string): Promise<SignedPlcOp> {
    return (await (await this.call(`${encodeURIComponent(did)}/log/last`)).json()) as SignedPlcOp
  }

  async getDocumentData(did: string): Promise<PlcDocumentData> {
    return (await (await this.call(`${encodeURIComponent(did)}/data`)).json()) as PlcDocumentData
  }

  async getDocument(did: string): Promise<Record<string, unknown>> {
    return (await (await this.call(encodeURIComponent(did))).json()) as Record<string, unknown>
  }
}

export type { PlcOperation }
