import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, databaseClientError } from './errors.js'

interface ErrorBody {
  error: { code: string; message: string; details?: unknown }
}

/** Fastify's own client errors mapped to stable codes. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'CRISP_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'CRISP_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'CRISP_INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'CRISP_INVALID_JSON',
  FST_ERR_BAD_URL: 'CRISP_BAD_URL',
  FST_ERR_MAX_PARAM_LENGTH: 'CRISP_URL_TOO_LONG',
}

/** Messages of errors raised before routing: Fastify's would echo the whole (possibly huge) URL. */
export const URL_ERROR_MESSAGES: Record<string, string> = {
  FST_ERR_BAD_URL: 'The URL path is not valid: a percent-encoding does not decode',
  FST_ERR_MAX_PARAM_LENGTH: 'A segment of the URL path is too long',
}

function toBody(raised: FastifyError | AppError): { status: number; body: ErrorBody } {
  const err = databaseClientError(raised) ?? raised
  if (err instanceof AppError) {
    return { status: err.statusCode, body: { error: { code: err.code, message: err.message, details: err.details } } }
  }
  if (err.validation) {
    const details = err.validation.map((v) => ({
      path: `${err.validationContext ?? ''}${v.instancePath || ''}`,
      message:
        v.params && 'additionalProperty' in v.params
          ? `unknown property "${String(v.params.additionalProperty)}"`
          : v.params && Array.isArray(v.params.allowedValues)
            ? `must be one of ${v.params.allowedValues.join(', ')}`
            : v.message,
    }))
    const message = details.map((d) => `${d.path}: ${d.message}`).join('; ')
    return { status: 400, body: { error: { code: 'CRISP_VALIDATION_FAILED', message, details } } }
  }
  const status = err.statusCode ?? 500
  if (status >= 400 && status < 500) {
    const code = FASTIFY_CODES[err.code] ?? (status === 429 ? 'CRISP_RATE_LIMITED' : 'CRISP_BAD_REQUEST')
    const message =
      err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
        ? `Malformed JSON body: ${err.message}`
        : (URL_ERROR_MESSAGES[err.code] ?? err.message)
    return { status, body: { error: { code, message } } }
  }
  return { status: 500, body: { error: { code: 'CRISP_INTERNAL', message: 'Internal server error' } } }
}

/** Answers any error in the API's one error shape; 5xx details go to the log only, tagged with the request id. */
export function sendApiError(err: FastifyError | AppError, req: FastifyRequest, reply: FastifyReply) {
  const { status, body } = toBody(err)
  if (status >= 500) req.log.error({ err }, 'request failed')
  else req.log.info({ code: body.error.code, status }, body.error.message)
  if (status === 401 && !reply.hasHeader('www-authenticate'))
    reply.header('www-authenticate', 'Bearer realm="crisp", Basic realm="crisp"')
  // A route may have set its own media type (an export's text/csv, an attachment) before failing.
  reply.removeHeader('content-disposition')
  return reply.code(status).type('application/json; charset=utf-8').send(body)
}

/** One error shape for the whole API. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler(sendApiError)
  app.setNotFoundHandler((req, reply) => {
    reply
      .code(404)
      .send({ error: { code: 'CRISP_ROUTE_NOT_FOUND', message: `No route ${req.method} ${req.url.split('?')[0]}` } })
  })
}
