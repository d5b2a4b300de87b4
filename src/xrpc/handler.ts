// The shape of one XRPC method: each file under src/api/ default-exports defineHandler({...}).
import type { AuthKind, AuthResult } from './auth.ts'
import type { RateLimitRule } from './rate-limit.ts'
import type { ByteUpload } from '../services/blobs/upload.ts'
import type { Services } from './services.ts'

/** A procedure's raw body for non-JSON encodings (blobs, CARs): never buffered by the router. */
export type RawInput = ByteUpload

export type HandlerContext<P = any, I = any> = {
  nsid: string
  params: P
  input: I
  auth: AuthResult
  services: Services
  req: Request
  ip: string
  signal: AbortSignal
}

/** A handler returns JSON data, nothing, or a full Response (streams, CARs, blobs). */
export type HandlerOutput = Record<string, unknown> | Response | void

export type HandlerDef<P = any, I = any> = {
  nsid: string
  /** A function picks per request (the moderation service takes sessions and other services' JWTs). */
  auth: AuthKind | ((req: Request) => AuthKind)
  rateLimit?: RateLimitRule[]
  /** Overrides the server-wide JSON body limit for this method. */
  maxBodyBytes?: number
  handler: (ctx: HandlerContext<P, I>) => Promise<HandlerOutput> | HandlerOutput
  /**
   * Served here only when this says so (the bundled moderation service: on, and the call is for it);
   * otherwise the call goes the way of a method without a handler (the proxy fallback).
   */
  servedHere?: (services: Services, req: Request) => boolean
}

export function defineHandler<P = any, I = any>(def: HandlerDef<P, I>): HandlerDef<P, I> {
  return def
}
