import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { URL_ERROR_MESSAGES } from '../../infra/error-handler.js'
import { AppError, databaseClientError } from '../../infra/errors.js'
import { TAXII_MEDIA_TYPE } from './media.js'

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  406: 'Not Acceptable',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
}

export const BASIC_CHALLENGE = 'Basic realm="CRISP TAXII"'

export const taxiiError = (status: number, code: string, message: string) => new AppError(status, code, message)

/** The TAXII 2.1 error resource (§3.6.1); `http_status` is a string. */
export function errorBody(status: number, description: string, code?: string) {
  return {
    title: TITLES[status] ?? 'Error',
    description,
    ...(code ? { error_code: code } : {}),
    http_status: String(status),
  }
}

const FASTIFY_STATUS: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'CRISP_TAXII_TOO_LARGE'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'CRISP_TAXII_UNSUPPORTED_MEDIA_TYPE'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'CRISP_TAXII_INVALID_JSON'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'CRISP_TAXII_INVALID_JSON'],
  FST_ERR_BAD_URL: [400, 'CRISP_TAXII_BAD_URL'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'CRISP_TAXII_URL_TOO_LONG'],
}

/** Maps any error to a TAXII error answer; 5xx details stay in the log. */
export function taxiiErrorHandler(raised: FastifyError | AppError, req: FastifyRequest, reply: FastifyReply) {
  const err = databaseClientError(raised) ?? raised
  const statusCode = err.statusCode ?? 500
  let status: number
  let code: string
  let message: string
  if (err instanceof AppError) [status, code, message] = [err.statusCode, err.code, err.message]
  else if (err.validation) [status, code, message] = [400, 'CRISP_TAXII_BAD_PARAMETER', err.message]
  else if (FASTIFY_STATUS[err.code])
    [status, code, message] = [...FASTIFY_STATUS[err.code], URL_ERROR_MESSAGES[err.code] ?? err.message]
  else if (err instanceof SyntaxError)
    [status, code, message] = [400, 'CRISP_TAXII_INVALID_JSON', `Malformed JSON body: ${err.message}`]
  else if (statusCode < 500) [status, code, message] = [statusCode, 'CRISP_TAXII_CLIENT_ERROR', err.message]
  else [status, code, message] = [500, 'CRISP_INTERNAL', 'Internal server error']
  if (status >= 500) req.log.error({ err }, 'TAXII request failed')
  if (status === 401) reply.header('www-authenticate', BASIC_CHALLENGE)
  // A Buffer keeps the exact media type: Fastify appends a charset to JSON-like types of string bodies, and errors
  // raised before routing (frameworkErrors) never pass the TAXII scope's onSend hook that would take it off.
  return reply
    .code(status)
    .type(TAXII_MEDIA_TYPE)
    .send(Buffer.from(JSON.stringify(errorBody(status, message, code))))
}
