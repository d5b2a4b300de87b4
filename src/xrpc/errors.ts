// XRPC errors: {error, message} bodies with the reference's names and status codes.
export class XRPCError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message?: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message ?? error)
    this.name = 'XRPCError'
  }

  toJSON() {
    return { error: this.error, message: this.message }
  }
}

export const InvalidRequestError = (message = 'Invalid Request', error = 'InvalidRequest') => new XRPCError(400, error, message)
export const AuthRequiredError = (message = 'Authentication Required', error = 'AuthenticationRequired') =>
  new XRPCError(401, error, message)
export const ForbiddenError = (message = 'Forbidden', error = 'Forbidden') => new XRPCError(403, error, message)
export const NotFoundError = (message = 'Not Found', error = 'NotFound') => new XRPCError(404, error, message)
export const PayloadTooLargeError = (message = 'Payload Too Large', error = 'PayloadTooLarge') => new XRPCError(413, error, message)
export const InternalServerError = (message = 'Internal Server Error') => new XRPCError(500, 'InternalServerError', message)
export const MethodNotImplementedError = (message = 'Method Not Implemented') => new XRPCError(501, 'MethodNotImplemented', message)
export const UpstreamFailureError = (message = 'Upstream Failure') => new XRPCError(502, 'UpstreamFailure', message)
export const NotEnoughResourcesError = (message = 'Not Enough Resources') => new XRPCError(503, 'NotEnoughResources', message)

export function errorResponse(err: XRPCError, extraHeaders?: Record<string, string>): Response {
  return Response.json(err.toJSON(), { status: err.status, headers: { ...err.headers, ...extraHeaders } })
}
