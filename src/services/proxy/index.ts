// The proxy to the AppView, chat, moderation and any atproto-proxy target (see proxy-service.ts).
export { ProxyService, callJson, PROXY_CALL_HEADERS, type ProxyDeps, type PipethroughOptions, type CallJsonOptions, type ProxyCall, type ProxyReply } from './proxy-service.ts'
export { PRIVILEGED_METHODS, PROTECTED_METHODS, defaultServiceFor } from './methods.ts'
export { parseProxyHeader, resolveProxyTarget, resolveServiceUrl, targetAud, type ProxyTarget } from './target.ts'
export { assertPublicEndpoint, isPrivateAddress } from './ssrf.ts'
export { DEFAULT_FORWARD_LIMITS, forward, type ForwardLimits, type UpstreamReply } from './forward.ts'
export { buildProxy } from './build.ts'
