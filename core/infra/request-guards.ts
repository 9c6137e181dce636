import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from './errors.js'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** A request body as text: invalid UTF-8 is refused (400) rather than replaced by U+FFFD and stored. */
export function decodeUtf8Body(body: Buffer, code: string): string {
  try {
    return utf8.decode(body)
  } catch {
    throw new AppError(400, code, 'The body is not valid UTF-8')
  }
}

/** The first query or path parameter holding a NUL character, named for the error message. */
function parameterWithNul(req: FastifyRequest): string | undefined {
  const sources: [string, unknown][] = [
    ['query parameter', req.query],
    ['path parameter', req.params],
  ]
  for (const [kind, values] of sources) {
    if (typeof values !== 'object' || values === null) continue
    for (const [name, value] of Object.entries(values)) {
      const hasNul = (v: unknown) => typeof v === 'string' && v.includes('\u0000')
      if (hasNul(name) || (Array.isArray(value) ? value.some(hasNul) : hasNul(value)))
        return `${kind} ${JSON.stringify(name)}`
    }
  }
  return undefined
}

/**
 * Guards every route, TAXII included (errors there take the TAXII format), before authentication runs:
 * - JSON bodies are decoded as strict UTF-8, then parsed by Fastify's own parser (prototype poisoning refused);
 * - a NUL (`%00`) in any query or path parameter is a 400 `CRISP_INVALID_CHARACTER`: PostgreSQL cannot hold
 *   NUL in text, so such a value would otherwise fail deep in a query as a 500.
 */
export function installRequestGuards(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    let text: string
    try {
      // parseAs 'buffer' hands a Buffer; Fastify's type also allows the text a 'string' parser would get.
      text = typeof body === 'string' ? body : decodeUtf8Body(body, 'CRISP_INVALID_UTF8')
    } catch (err) {
      return done(err instanceof Error ? err : new Error(String(err)), undefined)
    }
    parseJson(req, text, done)
  })
  app.addHook('onRequest', async (req) => {
    const where = parameterWithNul(req)
    if (where)
      throw new AppError(
        400,
        'CRISP_INVALID_CHARACTER',
        `The ${where} contains a NUL character (%00), which is never a valid value`,
      )
  })
}
