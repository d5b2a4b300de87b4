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

export type ProxyConfig = Pick<Config, 'bskyAppView' | 'reportService' | 'modService' | 'chatService'> & {
  /** The bundled moderation service's team DID (null while it is off): the audience of Ozone calls it answers. */
  bundledModeration?: () => string | null
}

/** A default service and the DID-document service id it stands for (the rpc: scope audience `did#id`). */
export type DefaultService = ServiceEndpoint & { serviceId: 'atproto_labeler' | 'bsky_chat' | 'bsky_appview' }

/**
 * Where a method goes without an atproto-proxy header (the reference's defaultService): Ozone methods
 * to the moderation service, reports to the report service, everything else, including methods this
 * server has never heard of, to the AppView. Chat goes to PDS_CHAT_SERVICE_* when set (our addition;
 * the reference sends it to the AppView too). Undefined when that service is not configured.
 */
export function defaultServiceFor(config: ProxyConfig, nsid: string): DefaultService | undefined {
  const withId = (endpoint: ServiceEndpoint | undefined, serviceId: DefaultService['serviceId']) =>
    endpoint && { url: endpoint.url, did: endpoint.did, serviceId }
  if (nsid.startsWith('tools.ozone.')) return withId(config.modService, 'atproto_labeler')
  if (nsid === 'com.atproto.moderation.createReport') return withId(config.reportService, 'atproto_labeler')
  if (nsid.startsWith('chat.bsky.') && config.chatService) return withId(config.chatService, 'bsky_chat')
  return withId(config.bskyAppView, 'bsky_appview')
}
