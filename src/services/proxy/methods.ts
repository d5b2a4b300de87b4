// Which methods may be proxied, by whom, and where they go by default (reference: pds/src/pipethrough.ts).
import type { Config, ServiceEndpoint } from '../../config/config.ts'

/** App passwords that are not "privileged" may not call these (DMs, account-level chat actions). */
export const PRIVILEGED_METHODS: ReadonlySet<string> = new Set([
  'chat.bsky.actor.deleteAccount',
  'chat.bsky.actor.exportAccountData',
  'chat.bsky.convo.deleteMessageForSelf',
  'chat.bsky.convo.getConvo',
  'chat.bsky.convo.getConvoForMembers',
  'chat.bsky.convo.getLog',
  'chat.bsky.convo.getMessages',
  'chat.bsky.convo.leaveConvo',
  'chat.bsky.convo.listConvos',
  'chat.bsky.convo.muteConvo',
  'chat.bsky.convo.sendMessage',
  'chat.bsky.convo.sendMessageBatch',
  'chat.bsky.convo.unmuteConvo',
  'chat.bsky.convo.updateRead',
  'com.atproto.server.createAccount',
])

/** Account management: must be called on the PDS itself, never proxied or service-authed (getServiceAuth). */
export const PROTECTED_METHODS: ReadonlySet<string> = new Set([
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

type ProxyConfig = Pick<Config, 'bskyAppView' | 'reportService' | 'modService'>

/** Where a method goes without an atproto-proxy header; undefined when nothing is configured. */
export function defaultServiceFor(config: ProxyConfig, nsid: string): ServiceEndpoint | undefined {
  if (nsid.startsWith('tools.ozone.')) return config.modService
  if (nsid === 'com.atproto.moderation.createReport') return config.reportService
  if (nsid.startsWith('app.bsky.') || nsid.startsWith('chat.bsky.')) return config.bskyAppView
  return undefined
}
