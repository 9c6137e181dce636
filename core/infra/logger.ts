import type { FastifyRequest } from 'fastify'
import { pino, type Logger } from 'pino'

/**
 * Everything that may carry a credential is censored before a log line is written: request headers, bodies
 * echoed by error serializers, and our own structured fields.
 */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-otx-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.oldPassword',
  '*.currentPassword',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.apiKey',
  '*.api_key',
  '*.key',
  '*.secret',
  '*.passwordHash',
  '*.password_hash',
  '*.databaseUrl',
  'config.secrets',
]

/** `token=` query values: a signed export download link works without login until it expires. */
const redactUrlTokens = (url: string) => url.replace(/([?&]token=)[^&#]*/g, '$1[redacted]')

/** Fastify's request serializer (logger-pino.js), with URL tokens censored: it replaces Fastify's own. */
function serializeRequest(req: FastifyRequest) {
  return {
    method: req.method,
    url: redactUrlTokens(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }
}

/** The process logger: JSON lines, credentials censored. Fastify and plugins get children of it. */
export function createLogger(options: { level: string; stream?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { req: serializeRequest },
    },
    options.stream ?? process.stdout,
  )
}
