// A password session on some PDS that renews itself when its access token expires (refreshSession,
// else a fresh login), so long operations (a migration copying thousands of blobs) outlive the token.
import { XrpcClient, XrpcResponseError } from './xrpc-client.ts'

export type SessionInfo = { did: string; handle: string; email?: string; active?: boolean; status?: string; accessJwt: string; refreshJwt?: string }

export class AccountSession {
  client: XrpcClient
  info!: SessionInfo

  private constructor(
    private readonly base: XrpcClient,
    private readonly identifier: string,
    private readonly password: string,
    /** The code a server emailed for its sign-in (email two-factor), when it asked for one. */
    private readonly authFactorToken?: string,
  ) {
    this.client = base
  }

  static async login(base: XrpcClient, identifier: string, password: string, authFactorToken?: string): Promise<AccountSession> {
    const session = new AccountSession(base, identifier, password, authFactorToken)
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
    const body = { identifier: this.identifier, password: this.password, ...(this.authFactorToken && { authFactorToken: this.authFactorToken }) }
    this.use(await this.base.withAuthorization(undefined).procedure<SessionInfo>('com.atproto.server.createSession', body))
  }

  /** The refresh token first (an emailed sign-in code is single-use), then the password. */
  private async renew(): Promise<void> {
    if (this.info?.refreshJwt) {
      const renewed = await this.base
        .withAuthorization(`Bearer ${this.info.refreshJwt}`)
        .procedure<SessionInfo>('com.atproto.server.refreshSession')
        .catch(() => null)
      if (renewed) return this.use({ ...this.info, ...renewed })
    }
    await this.refresh()
  }

  private use(info: SessionInfo) {
    this.info = info
    this.client = this.base.withAuthorization(`Bearer ${info.accessJwt}`)
  }

  async run<T>(fn: (client: XrpcClient) => Promise<T>): Promise<T> {
    try {
      return await fn(this.client)
    } catch (err) {
      if (!(err instanceof XrpcResponseError) || err.error !== 'ExpiredToken') throw err
      await this.renew()
      return fn(this.client)
    }
  }
}
