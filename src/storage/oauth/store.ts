// OAuth rows in account.sqlite (migrations/account/100_oauth.sql): requests, devices, sessions, replays.
import type { Database } from 'bun:sqlite'

export type ClientAuth = { method: 'none' } | { method: 'private_key_jwt'; kid: string; alg: string; jkt: string }

/** The authorization parameters a client pushed (PAR), kept as sent after validation. */
export type AuthorizationParameters = {
  client_id: string
  response_type: 'code'
  redirect_uri: string
  scope: string
  state?: string
  code_challenge: string
  code_challenge_method: 'S256'
  response_mode?: 'query' | 'fragment' | 'form_post'
  login_hint?: string
  prompt?: string
  dpop_jkt?: string
}

export type RequestRow = {
  id: string
  clientId: string
  clientAuth: ClientAuth
  parameters: AuthorizationParameters
  dpopJkt: string | null
  deviceId: string | null
  did: string | null
  code: string | null
  expiresAt: number
}

export type TokenRow = {
  id: string
  did: string
  clientId: string
  clientAuth: ClientAuth
  deviceId: string | null
  scope: string
  parameters: AuthorizationParameters
  dpopJkt: string | null
  code: string | null
  refreshToken: string | null
  createdAt: number
  updatedAt: number
  expiresAt: number
}

type Raw<T> = Omit<T, 'clientAuth' | 'parameters'> & { clientAuth: string; parameters: string }
const decode = <T extends { clientAuth: unknown; parameters: unknown }>(row: Raw<T> | null): T | null =>
  row && ({ ...row, clientAuth: JSON.parse(row.clientAuth), parameters: JSON.parse(row.parameters) } as T)

export class OAuthStore {
  private lastSweep = 0

  constructor(readonly db: Database) {}

  // --- authorization requests -------------------------------------------------------------
  createRequest(row: Omit<RequestRow, 'did' | 'code' | 'deviceId'>) {
    this.db
      .query('INSERT INTO oauth_request (id, clientId, clientAuth, parameters, dpopJkt, expiresAt) VALUES (?, ?, ?, ?, ?, ?)')
      .run(row.id, row.clientId, JSON.stringify(row.clientAuth), JSON.stringify(row.parameters), row.dpopJkt, row.expiresAt)
  }

  getRequest(id: string): RequestRow | null {
    return decode<RequestRow>(this.db.query<Raw<RequestRow>, [string]>('SELECT * FROM oauth_request WHERE id = ?').get(id))
  }

  updateRequest(id: string, fields: Partial<Pick<RequestRow, 'deviceId' | 'did' | 'code' | 'expiresAt'>>) {
    const keys = Object.keys(fields) as (keyof typeof fields)[]
    if (!keys.length) return
    const sets = keys.map((k) => `${k} = ?`).join(', ')
    this.db.query(`UPDATE oauth_request SET ${sets} WHERE id = ?`).run(...keys.map((k) => fields[k] ?? null), id)
  }

  deleteRequest(id: string) {
    this.db.query('DELETE FROM oauth_request WHERE id = ?').run(id)
  }

  /** Takes the request a code belongs to and deletes it in the same step: codes are single use. */
  consumeCode(code: string): RequestRow | null {
    return this.db.transaction(() => {
      const row = decode<RequestRow>(this.db.query<Raw<RequestRow>, [string]>('SELECT * FROM oauth_request WHERE code = ?').get(code))
      if (row) this.deleteRequest(row.id)
      return row
    })()
  }

  // --- devices (browser cookies) and the accounts signed in on them -----------------------
  upsertDevice(d: { id: string; sessionId: string; userAgent: string | null; ipAddress: string }) {
    this.db
      .query(
        `INSERT INTO oauth_device (id, sessionId, userAgent, ipAddress, lastSeenAt) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET userAgent = excluded.userAgent, ipAddress = excluded.ipAddress, lastSeenAt = excluded.lastSeenAt`,
      )
      .run(d.id, d.sessionId, d.userAgent, d.ipAddress, Date.now())
  }

  getDevice(id: string): { id: string; sessionId: string } | null {
    return this.db.query<{ id: string; sessionId: string }, [string]>('SELECT id, sessionId FROM oauth_device WHERE id = ?').get(id)
  }

  rememberAccount(deviceId: string, did: string, remember: boolean) {
    this.db
      .query(
        `INSERT INTO oauth_device_account (deviceId, did, authenticatedAt, remember) VALUES (?, ?, ?, ?)
         ON CONFLICT (deviceId, did) DO UPDATE SET authenticatedAt = excluded.authenticatedAt, remember = excluded.remember`,
      )
      .run(deviceId, did, Date.now(), remember ? 1 : 0)
  }

  /** Accounts signed in on this device after `since` (ms); unremembered ones only for `ephemeralSince`. */
  deviceAccounts(deviceId: string, since: number, ephemeralSince: number): { did: string; authenticatedAt: number }[] {
    return this.db
      .query<{ did: string; authenticatedAt: number }, [string, number, number]>(
        `SELECT did, authenticatedAt FROM oauth_device_account WHERE deviceId = ?
         AND ((remember = 1 AND authenticatedAt > ?) OR (remember = 0 AND authenticatedAt > ?)) ORDER BY authenticatedAt DESC`,
      )
      .all(deviceId, since, ephemeralSince)
  }

  forgetAccount(deviceId: string, did: string) {
    this.db.query('DELETE FROM oauth_device_account WHERE deviceId = ? AND did = ?').run(deviceId, did)
  }

  // --- authorized clients (consent already given) -----------------------------------------
  getAuthorizedScopes(did: string, clientId: string): Set<string> {
    const row = this.db
      .query<{ scopes: string }, [string, string]>('SELECT scopes FROM oauth_authorized_client WHERE did = ? AND clientId = ?')
      .get(did, clientId)
    return new Set(row ? (JSON.parse(row.scopes) as string[]) : [])
  }

  addAuthorizedScopes(did: string, clientId: string, scopes: Iterable<string>) {
    const merged = [...new Set([...this.getAuthorizedScopes(did, clientId), ...scopes])]
    const now = Date.now()
    this.db
      .query(
        `INSERT INTO oauth_authorized_client (did, clientId, scopes, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (did, clientId) DO UPDATE SET scopes = excluded.scopes, updatedAt = excluded.updatedAt`,
      )
      .run(did, clientId, JSON.stringify(merged), now, now)
  }

  // --- sessions / tokens ------------------------------------------------------------------
  createToken(row: TokenRow) {
    this.db
      .query(
        `INSERT INTO oauth_token (id, did, clientId, clientAuth, deviceId, scope, parameters, dpopJkt, code, refreshToken, createdAt, updatedAt, expiresAt)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        row.id,
        row.did,
        row.clientId,
        JSON.stringify(row.clientAuth),
        row.deviceId,
        row.scope,
        JSON.stringify(row.parameters),
        row.dpopJkt,
        row.code,
        row.refreshToken,
        row.createdAt,
        row.updatedAt,
        row.expiresAt,
      )
  }

  getToken(id: string): TokenRow | null {
    return decode<TokenRow>(this.db.query<Raw<TokenRow>, [string]>('SELECT * FROM oauth_token WHERE id = ?').get(id))
  }

  findTokenByRefresh(refreshToken: string): TokenRow | null {
    return decode<TokenRow>(this.db.query<Raw<TokenRow>, [string]>('SELECT * FROM oauth_token WHERE refreshToken = ?').get(refreshToken))
  }

  findTokenByCode(code: string): TokenRow | null {
    return decode<TokenRow>(this.db.query<Raw<TokenRow>, [string]>('SELECT * FROM oauth_token WHERE code = ?').get(code))
  }

  /** The token id of the session a spent refresh token belonged to, if it was ever used. */
  findUsedRefreshToken(refreshToken: string): string | null {
    return (
      this.db.query<{ tokenId: string }, [string]>('SELECT tokenId FROM oauth_used_refresh_token WHERE refreshToken = ?').get(refreshToken)
        ?.tokenId ?? null
    )
  }

  /** Rotates a session: new token id and refresh token; the old refresh token is remembered as spent. */
  rotateToken(old: TokenRow, next: { id: string; refreshToken: string; updatedAt: number; expiresAt: number }) {
    this.db.transaction(() => {
      if (old.refreshToken) {
        this.db
          .query('INSERT OR IGNORE INTO oauth_used_refresh_token (refreshToken, tokenId, expiresAt) VALUES (?, ?, ?)')
          .run(old.refreshToken, next.id, old.expiresAt)
      }
      // Earlier spent tokens of this family now point at the new id, so a replay still finds the session.
      this.db.query('UPDATE oauth_used_refresh_token SET tokenId = ? WHERE tokenId = ?').run(next.id, old.id)
      this.db
        .query('UPDATE oauth_token SET id = ?, refreshToken = ?, updatedAt = ?, expiresAt = ? WHERE id = ?')
        .run(next.id, next.refreshToken, next.updatedAt, next.expiresAt, old.id)
    })()
  }

  /** An account's live sessions, most recently used first (for the account page). */
  listSessions(did: string, now = Date.now()): Pick<TokenRow, 'id' | 'clientId' | 'scope' | 'createdAt' | 'updatedAt'>[] {
    return this.db
      .query<Pick<TokenRow, 'id' | 'clientId' | 'scope' | 'createdAt' | 'updatedAt'>, [string, number]>(
        'SELECT id, clientId, scope, createdAt, updatedAt FROM oauth_token WHERE did = ? AND expiresAt > ? ORDER BY updatedAt DESC',
      )
      .all(did, now)
  }

  deleteToken(id: string) {
    this.db.transaction(() => {
      this.db.query('DELETE FROM oauth_token WHERE id = ?').run(id)
      this.db.query('DELETE FROM oauth_used_refresh_token WHERE tokenId = ?').run(id)
    })()
  }

  /** Ends the sessions an account granted one client before `keepId` (a new authorization replaces them). */
  deleteEarlierTokensOfClient(did: string, clientId: string, keepId: string): number {
    return this.db.transaction(() => {
      const ids = this.db.query<{ id: string }, [string, string, string]>('SELECT id FROM oauth_token WHERE did = ? AND clientId = ? AND id != ?').all(did, clientId, keepId)
      for (const { id } of ids) this.deleteToken(id)
      return ids.length
    })()
  }

  /** Ends every OAuth session of an account and forgets its sign-ins on devices. */
  deleteAllForAccount(did: string): number {
    return this.db.transaction(() => {
      const ids = this.db.query<{ id: string }, [string]>('SELECT id FROM oauth_token WHERE did = ?').all(did)
      for (const { id } of ids) this.deleteToken(id)
      this.db.query('DELETE FROM oauth_device_account WHERE did = ?').run(did)
      this.db.query('DELETE FROM oauth_request WHERE did = ?').run(did)
      return ids.length
    })()
  }

  // --- replay protection ------------------------------------------------------------------
  /** Records a single-use value; false when it was already seen (a replay). */
  unique(namespace: string, value: string, expiresAt: number): boolean {
    const res = this.db.query('INSERT OR IGNORE INTO oauth_replay (namespace, value, expiresAt) VALUES (?, ?, ?)').run(namespace, value, expiresAt)
    return res.changes === 1
  }

  /** Deletes expired rows; cheap enough to call on each request, runs at most once a minute. */
  sweep(now = Date.now(), force = false) {
    if (!force && now - this.lastSweep < 60_000) return
    this.lastSweep = now
    this.db.transaction(() => {
      this.db.query('DELETE FROM oauth_request WHERE expiresAt < ?').run(now)
      this.db.query('DELETE FROM oauth_replay WHERE expiresAt < ?').run(now)
      this.db.query('DELETE FROM oauth_used_refresh_token WHERE expiresAt < ?').run(now)
      this.db.query('DELETE FROM oauth_token WHERE expiresAt < ?').run(now)
    })()
  }
}
