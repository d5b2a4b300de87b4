// Which methods getServiceAuth refuses (account management must be called directly) or reserves for
// full/privileged sessions, as the reference's pipethrough PROTECTED_METHODS / PRIVILEGED_METHODS.
export const ACCOUNT_PROTECTED_METHODS = new Set([
  'com.atproto.admin.sendEmail',
  'com.atproto.identity.requestPlcOperationSignature',
  'com.atproto.identity.signPlcOperation',
  'com.atproto.identity.updateHandle',
  'com.atproto.server.activateAccount',
  'com.atproto.server.confirmEmail',
  'com.atproto.server.createAppPassword',
  'com.atproto.server.deactivateAccount',
  'com.atproto.server.getAccountInviteCodes',
  'com.atproto.server.getSession',
  'com.atproto.server.listAppPasswords',
  'com.atproto.server.requestAccountDelete',
  'com.atproto.server.requestEmailConfirmation',
  'com.atproto.server.requestEmailUpdate',
  'com.atproto.server.revokeAppPassword',
  'com.atproto.server.updateEmail',
])

/** chat.bsky.* methods and createAccount (migration) need a full or privileged session. */
export const ACCOUNT_PRIVILEGED_METHODS = {
  has: (lxm: string) => lxm.startsWith('chat.bsky.') || lxm === 'com.atproto.server.createAccount',
}
