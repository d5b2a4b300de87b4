// A password session on some PDS that logs in again when its access token expires, so long
// operations (a migration copying thousands of blobs) outlive the token.
import { XrpcClient, XrpcResponseError } from './xrpc-client.ts'

export type SessionInfo = { did: string; handle: string; email?: string; active?: boolean; status?: string; accessJwt: string }

export class AccountSession {
  client: XrpcClient
  info!: SessionInfo

  private constructor(
    private readonly base: XrpcClient,
    private readonly identifier: string,
    private readonly password: string,
  ) {
    this.client = base
  }

  static async login(base: XrpcClient, identifier: string, password: string): Promise<AccountSession> {
    const session = new AccountSession(base, identifier, password)
    await session.refresh()
    return session
  }

  /** From the tokens createAccount returned. */
  static fromTokens(base: XrpcClient, identifier: string, password: string, info: SessionInfo): AccountSession {
    const session = new AccountSession(base, identifier, password)
    session.info = info
    session.client = base.withAuthorization(`Bearer ${info.accessJwt}`)
    return session
  }

  async refresh(): Promise<void> {
    this.info = await this.base.withAuthorization(undefined).procedure<SessionInfo>('com.atproto.server.createSession', { identifier: this.identifier, password: this.password })
    this.client = this.base.withAuthorization(`Bearer ${this.info.accessJwt}`)
  }

  async run<T>(fn: (client: XrpcClient) => Promise<T>): Promise<T> {
    try {
      return await fn(this.client)
    } catch (err) {
      if (!(err instanceof XrpcResponseError) || err.error !== 'ExpiredToken') throw err
      await this.refresh()
      return fn(this.client)
    }
  }
}

