// Mails of the second-factor flows: the sign-in code, and a notice to the account holder at every
// change of their factors (so a change they did not make does not go unnoticed).
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
  | 'password-removed'
  | 'recovery-requested'
  | 'recovery-cancelled'
  | 'reset-by-recovery'

const CHANGES: Record<FactorChange, string> = {
  'email-enabled': 'Sign-in codes by email were turned on for your account.',
  'email-disabled': 'Sign-in codes by email were turned off for your account.',
  'totp-enabled': 'An authenticator app was set up as a second factor for your account.',
  'totp-disabled': 'The authenticator app was removed from your account.',
  'backup-codes-regenerated': 'New backup codes were made for your account; the old ones no longer work.',
  'backup-code-used': 'A backup code was used to sign in to your account.',
  'reset-by-operator': "The server's operator removed every second factor from your account (authenticator app, backup codes, email codes, passkeys).",
  'passkey-added': 'A passkey was added to your account.',
  'passkey-removed': 'A passkey was removed from your account.',
  'recovery-requested': 'A recovery of your second factors was requested.',
  'recovery-cancelled': 'The recovery of your second factors that someone asked for was cancelled; nothing was removed.',
  'reset-by-recovery': 'Every second factor was removed from your account (authenticator app, backup codes, email codes, passkeys) by the recovery asked for by email, and a new password was set.',
  'password-removed': 'The password of your account was removed: it now signs in with its passkeys only (app passwords keep working).',
}

export function signInCodeMail(token: string, handle: string) {
  return {
    subject: 'Sign in code',
    text: `Someone is signing in to @${handle} with your password.\n\nYour sign in code is: ${token}\n\nIt expires in 15 minutes. If this was not you, change your password now.`,
  }
}

export function factorChangeMail(change: FactorChange, handle: string, extra = '') {
  return {
    subject: 'Security settings changed',
    text: `${CHANGES[change]}${extra ? ` ${extra}` : ''}\n\nAccount: @${handle}\n\nIf this was not you, change your password and contact the server's operator.`,
  }
}
