import { defineHandler } from '../../../../xrpc/handler.ts'

export default defineHandler({
  nsid: 'com.atproto.server.describeServer',
  auth: 'none',
  handler: ({ services: { config } }) => ({
    did: config.service.did,
    availableUserDomains: config.identity.serviceHandleDomains,
    inviteCodeRequired: config.invites.required,
    phoneVerificationRequired: false,
    links: {
      privacyPolicy: config.service.privacyPolicyUrl,
      termsOfService: config.service.termsOfServiceUrl,
    },
    contact: { email: config.service.contactEmailAddress },
  }),
})
