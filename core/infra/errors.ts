import pg from 'pg'

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

export const badRequest = (code: string, message: string, details?: unknown) =>
  new AppError(400, code, message, details)
export const unauthorized = (message = 'Authentication required') => new AppError(401, 'CRISP_AUTH_REQUIRED', message)
export const forbidden = (message = 'You do not have permission to do this') =>
  new AppError(403, 'CRISP_FORBIDDEN', message)
export const notFound = (what: string) => new AppError(404, 'CRISP_NOT_FOUND', `${what} not found`)
export const conflict = (code: string, message: string, details?: unknown) => new AppError(409, code, message, details)

/** The SQLSTATE of a database error (node-postgres sets `code`; knex passes the error through), else undefined. */
const sqlState = (err: unknown): unknown => (err instanceof Error && 'code' in err ? err.code : undefined)

/** PostgreSQL unique violation (SQLSTATE 23505), optionally on one constraint or unique index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  return (
    sqlState(err) === '23505' &&
    (constraint === undefined || (err instanceof Error && 'constraint' in err && err.constraint === constraint))
  )
}

/** PostgreSQL foreign-key violation (SQLSTATE 23503): a referenced row is missing, or still referenced. */
export function isForeignKeyViolation(err: unknown): boolean {
  return sqlState(err) === '23503'
}

/** SQLSTATEs the request's own values cause, with a stable message (the driver's names the SQL statement). */
const DATABASE_REFUSALS: Record<string, [status: number, code: string, message: string]> = {
  '23505': [409, 'CRISP_CONFLICT', 'The request conflicts with stored data (a value must be unique)'],
  '23503': [409, 'CRISP_CONFLICT', 'The request refers to data that does not exist, or stored data still refers to it'],
  '23P01': [409, 'CRISP_CONFLICT', 'The request conflicts with stored data'],
  '23502': [400, 'CRISP_INVALID_VALUE', 'A required value is missing'],
  '23514': [400, 'CRISP_INVALID_VALUE', 'A value breaks a rule of the stored data'],
  '22001': [400, 'CRISP_INVALID_VALUE', 'A value is too long'],
  '22003': [400, 'CRISP_INVALID_VALUE', 'A number is out of range'],
  '22008': [400, 'CRISP_INVALID_VALUE', 'A date or time is out of range'],
  '22021': [400, 'CRISP_INVALID_VALUE', 'A value contains a character that cannot be stored (such as U+0000)'],
  '22P02': [400, 'CRISP_INVALID_VALUE', 'A value has the wrong form for its field'],
  '22P05': [400, 'CRISP_INVALID_VALUE', 'A value contains a character that cannot be stored (such as U+0000)'],
  '54001': [400, 'CRISP_INVALID_VALUE', 'A value is nested too deeply'],
}

/**
 * A PostgreSQL refusal of a value the request carried (constraint violations, data exceptions) as a 4xx:
 * services check input first, and this keeps anything they miss from becoming a 500. Other database
 * failures return undefined and stay 500s.
 */
export function databaseClientError(err: unknown): AppError | undefined {
  if (!(err instanceof pg.DatabaseError) || !err.code) return undefined
  const { code, constraint } = err
  const known =
    DATABASE_REFUSALS[code] ??
    (code.startsWith('22')
      ? DATABASE_REFUSALS['22P02']
      : code.startsWith('23')
        ? DATABASE_REFUSALS['23514']
        : undefined)
  if (!known) return undefined
  const [status, errorCode, message] = known
  return new AppError(status, errorCode, message, constraint ? { constraint } : undefined)
}

// Reading thrown values without a cast: one definition, in the plugin API (plugins and the HTTP client need it).
export { errorCode, errorMessage } from '../plugin-api/thrown.js'
