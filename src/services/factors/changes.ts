// What each change of a person's second factors is called in the notice they get (the notice's text,
// kind factor_change, is in src/services/notify/templates.ts), so a change they did not make does not
// go unnoticed.
export type FactorChange =
  | 'email-enabled'
  | 'email-disabled'
  | 'totp-enabled'
  | 'totp-disabled'
  | 'backup-codes-regenerated'
  | 'backup-code-used'
  | 'reset-by-operator'
  | 'passkey-added'
  | 'passkey-removed'
  | 'app-password-added'
  | 'app-password-removed'
  | 'password-removed'
  | 'recovery-requested'
  | 'recovery-cancelled'
  | 'reset-by-recovery'

export const CHANGES: Record<FactorChange, string> = {
  'email-enabled': 'Sign-in codes by email were turned on for your account.',
  'email-disabled': 'Sign-in codes by email were turned off for your account.',
  'totp-enabled': 'An authenticator app was set up as a second factor for your account.',
  'totp-disabled': 'The authenticator app was removed from your account.',
  'backup-codes-regenerated': 'New backup codes were made for your account; the old ones no longer work.',
  'backup-code-used': 'A backup code was used to sign in to your account.',
  'reset-by-operator': "The server's operator removed every second factor from your account (authenticator app, backup codes, email codes, passkeys).",
  'passkey-added': 'A passkey was added to your account.',
  'passkey-removed': 'A passkey was removed from your account.',
  'app-password-added': 'An app password was created for your account.',
  'app-password-removed': 'An app password was revoked.',
  'recovery-requested': 'A recovery of your second factors was requested.',
  'recovery-cancelled': 'The recovery of your second factors that someone asked for was cancelled; nothing was removed.',
  'reset-by-recovery': 'Every second factor was removed from your account (authenticator app, backup codes, email codes, passkeys) by the recovery asked for by email, and a new password was set.',
  'password-removed': 'The password of your account was removed: it now signs in with its passkeys only (app passwords keep working).',
}
