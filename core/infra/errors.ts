/** A failure the client caused or may act on: it carries the HTTP status and a stable code. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'AppError'
  }
}

export const badRequest = (code: string, message: string, details?: unknown) => new AppError(400, code, message, details)
export const unauthorized = (message = 'Authentication required') => new AppError(401, 'CRISP_AUTH_REQUIRED', message)
export const forbidden = (message = 'You do not have permission to do this') => new AppError(403, 'CRISP_FORBIDDEN', message)
export const notFound = (what: string) => new AppError(404, 'CRISP_NOT_FOUND', `${what} not found`)
export const conflict = (code: string, message: string, details?: unknown) => new AppError(409, code, message, details)
