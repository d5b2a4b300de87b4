// WebAuthn passkeys (FIDO2) with @simplewebauthn/server: registration (several per account, named)
// and username-less sign-in. The relying party is this server: RP ID = its hostname, origin = its
// public URL. Challenges are single use and live 5 minutes, in memory (a restart only ends ceremonies
// in progress). User verification is required, so a passkey is a whole sign-in on its own.
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server'
import type { Database } from 'bun:sqlite'
import * as rows from '../../storage/account/factors.ts'
import { factorStateError, invalidFactorToken } from './errors.ts'

/**
 * Loaded at the first ceremony: the library and its ASN.1/X.509 dependencies take ~0.4 s to load,
 * which every `pds` command and server start would otherwise pay.
 */
let library: Promise<typeof import('@simplewebauthn/server')> | undefined
const webauthn = () => (library ??= import('@simplewebauthn/server'))

const CHALLENGE_TTL_MS = 5 * 60_000
const MAX_PENDING = 10_000
const MAX_PASSKEYS = 20
const MAX_NAME_LENGTH = 64

export type PasskeyView = { id: string; name: string; createdAt: string; lastUsedAt: string | null }

export type RelyingParty = { id: string; name: string; origin: string }

/** Pending challenges, each taken at most once. Oldest dropped first past MAX_PENDING. */
class Challenges {
  private pending = new Map<string, { challenge: string; expiresAt: number }>()

  put(key: string, challenge: string, now: number) {
    this.pending.delete(key)
    this.pending.set(key, { challenge, expiresAt: now + CHALLENGE_TTL_MS })
    if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value!)
  }

  take(key: string, now: number): string | null {
    const found = this.pending.get(key)
    this.pending.delete(key)
    return found && found.expiresAt > now ? found.challenge : null
  }
}

export class PasskeyService {
  private readonly challenges = new Challenges()

  constructor(
    private readonly db: Database,
    private readonly rp: RelyingParty,
    private readonly now: () => number = Date.now,
  ) {}

  list(did: string): PasskeyView[] {
    return rows.listPasskeys(this.db, did).map(({ id, name, createdAt, lastUsedAt }) => ({ id, name, createdAt, lastUsedAt }))
  }

  async registrationOptions(did: string, userName: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = rows.listPasskeys(this.db, did)
    if (existing.length >= MAX_PASSKEYS) throw factorStateError(`At most ${MAX_PASSKEYS} passkeys per account; remove one first.`)
    const options = await (await webauthn()).generateRegistrationOptions({
      rpName: this.rp.name,
      rpID: this.rp.id,
      userName,
      userID: new TextEncoder().encode(did),
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.id, transports: transportsOf(p) })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    })
    this.challenges.put(`register ${did}`, options.challenge, this.now())
    return options
  }

  /** Verifies the authenticator's answer to this account's last options and stores the passkey. */
  async register(did: string, name: string, response: unknown): Promise<PasskeyView> {
    const cleanName = checkedName(name)
    const challenge = this.challenges.take(`register ${did}`, this.now())
    if (!challenge) throw invalidFactorToken('No passkey registration is in progress (or it expired); start again.')
    return this.save(did, cleanName, await this.verifyNew(response, challenge))
  }

  /**
   * Options for the passkey of an account not made yet (sign-up without a password). The user ID is
   * random: we find a passkey by its credential ID, never by the user handle.
   */
  async signUpOptions(userName: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const options = await (await webauthn()).generateRegistrationOptions({
      rpName: this.rp.name,
      rpID: this.rp.id,
      userName,
      attestationType: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    })
    this.challenges.put(`sign-up ${options.challenge}`, options.challenge, this.now())
    return options
  }

  /** Checks a sign-up's passkey (its challenge spent) before the account is made; `save` stores it after. */
  async verifySignUp(name: string, response: unknown): Promise<{ name: string; credential: NewCredential }> {
    const cleanName = checkedName(name)
    const credential = await this.verifyNew(response, (c) => this.challenges.take(`sign-up ${c}`, this.now()) !== null)
    return { name: cleanName, credential }
  }

  save(did: string, name: string, credential: NewCredential): PasskeyView {
    if (rows.getPasskey(this.db, credential.id)) throw factorStateError('This passkey is already registered.')
    const createdAt = new Date(this.now()).toISOString()
    const transports = credential.transports?.length ? JSON.stringify(credential.transports) : null
    rows.insertPasskey(this.db, { id: credential.id, did, name, publicKey: credential.publicKey, counter: credential.counter, transports, createdAt })
    return { id: credential.id, name, createdAt, lastUsedAt: null }
  }

  private async verifyNew(response: unknown, expectedChallenge: string | ((challenge: string) => boolean)): Promise<NewCredential> {
    const { verifyRegistrationResponse } = await webauthn()
    const verified = await verifying(() =>
      verifyRegistrationResponse({
        response: response as RegistrationResponseJSON,
        expectedChallenge,
        expectedOrigin: this.rp.origin,
        expectedRPID: this.rp.id,
        requireUserVerification: true,
      }),
    )
    if (!verified.verified) throw invalidFactorToken('The passkey could not be verified.')
    const { credential } = verified.registrationInfo
    if (rows.getPasskey(this.db, credential.id)) throw factorStateError('This passkey is already registered.')
    return credential
  }

  /** Options for a username-less sign-in: the authenticator offers the passkeys it holds for this server. */
  async authenticationOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const options = await (await webauthn()).generateAuthenticationOptions({ rpID: this.rp.id, userVerification: 'required', allowCredentials: [] })
    this.challenges.put(`authenticate ${options.challenge}`, options.challenge, this.now())
    return options
  }

  /** The DID whose passkey signed one of our pending challenges (each usable once). */
  async authenticate(response: unknown): Promise<string> {
    const id = (response as { id?: unknown } | null)?.id
    if (typeof id !== 'string') throw invalidFactorToken('Malformed passkey response.')
    const passkey = rows.getPasskey(this.db, id)
    if (!passkey) throw invalidFactorToken('This passkey is not registered here.')
    const { verifyAuthenticationResponse } = await webauthn()
    const verified = await verifying(() =>
      verifyAuthenticationResponse({
        response: response as AuthenticationResponseJSON,
        expectedChallenge: (challenge) => this.challenges.take(`authenticate ${challenge}`, this.now()) !== null,
        expectedOrigin: this.rp.origin,
        expectedRPID: this.rp.id,
        credential: { id: passkey.id, publicKey: new Uint8Array(passkey.publicKey), counter: passkey.counter, transports: transportsOf(passkey) },
        requireUserVerification: true,
      }),
    )
    if (!verified.verified) throw invalidFactorToken('The passkey could not be verified.')
    rows.touchPasskey(this.db, passkey.id, verified.authenticationInfo.newCounter, new Date(this.now()).toISOString())
    return passkey.did
  }

  remove(did: string, id: string): boolean {
    return rows.deletePasskey(this.db, did, id)
  }

  removeAll(did: string) {
    rows.deletePasskeys(this.db, did)
  }
}

/** What a verified registration gives: the credential's ID, public key, counter and transports. */
export type NewCredential = { id: string; publicKey: Uint8Array; counter: number; transports?: string[] }

function checkedName(name: string): string {
  const clean = name.trim()
  if (!clean || clean.length > MAX_NAME_LENGTH) throw factorStateError(`A passkey needs a name of 1 to ${MAX_NAME_LENGTH} characters.`)
  return clean
}

function transportsOf(p: rows.PasskeyRow): AuthenticatorTransportFuture[] | undefined {
  return p.transports ? (JSON.parse(p.transports) as AuthenticatorTransportFuture[]) : undefined
}
type AuthenticatorTransportFuture = 'ble' | 'cable' | 'hybrid' | 'internal' | 'nfc' | 'smart-card' | 'usb'

/** The library throws on malformed input, a wrong origin or RP ID, or a spent challenge: all the caller's fault. */
async function verifying<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    throw invalidFactorToken(`The passkey could not be verified: ${(err as Error).message}`)
  }
}
