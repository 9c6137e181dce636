import type { FastifyPluginAsync } from 'fastify'
import { errorMessage } from '../../infra/errors.js'
import { decodeUtf8Body } from '../../infra/request-guards.js'
import { BASIC_CHALLENGE, errorBody, taxiiError, taxiiErrorHandler } from './errors.js'
import { acceptsTaxii, isTaxiiContentType, TAXII_MEDIA_TYPE } from './media.js'
import { discoveryRoutes } from './discovery.js'
import { collectionRoutes } from './collections.js'
import { objectsRoutes } from './objects.js'
import { objectRoutes } from './object.js'
import { manifestRoutes } from './manifest.js'
import { statusRoutes } from './status.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A TAXII route answered without credentials (discovery); every other TAXII route needs them. */
    taxiiPublic?: boolean
  }
}

export interface TaxiiOptions {
  publicUrl: string
  /** Largest accepted body, advertised as the API root's `max_content_length`. */
  maxContentLength: number
}

/**
 * TAXII 2.1 under `/taxii2/`: its own media types, body parser, error format and authentication rule
 * (discovery is public, everything else needs credentials: HTTP Basic or Bearer through the auth strategies).
 */
export const taxiiRoutes: FastifyPluginAsync<TaxiiOptions> = async (app, opts) => {
  app.setErrorHandler(taxiiErrorHandler)
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .type(TAXII_MEDIA_TYPE)
      .send(
        JSON.stringify(
          errorBody(404, `No TAXII endpoint ${req.method} ${req.url.split('?')[0]}`, 'CRISP_TAXII_NOT_FOUND'),
        ),
      ),
  )
  // Only TAXII bodies: anything else is 415 before it is read.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser<Buffer>(
    'application/taxii+json',
    { parseAs: 'buffer', bodyLimit: opts.maxContentLength },
    (req, body, done) => {
      if (!isTaxiiContentType(req.headers['content-type']))
        return done(
          taxiiError(415, 'CRISP_TAXII_UNSUPPORTED_MEDIA_TYPE', 'Only application/taxii+json;version=2.1 is accepted'),
          undefined,
        )
      let text: string
      try {
        text = decodeUtf8Body(body, 'CRISP_TAXII_INVALID_UTF8')
      } catch (err) {
        return done(err instanceof Error ? err : new Error(errorMessage(err)), undefined)
      }
      try {
        done(null, JSON.parse(text))
      } catch (err) {
        done(taxiiError(400, 'CRISP_TAXII_INVALID_JSON', `Malformed JSON body: ${errorMessage(err)}`), undefined)
      }
    },
  )
  // Fastify rewrites JSON-like content types (quotes, charset); TAXII clients compare the exact string.
  app.addHook('onSend', async (_req, reply, payload) => {
    if (payload !== undefined && payload !== null && payload !== '') reply.header('content-type', TAXII_MEDIA_TYPE)
    return payload
  })
  app.addHook('onRequest', async (req, reply) => {
    // DELETE has no body: a Content-Type some clients send anyway must not make Fastify parse an empty one.
    if (req.method === 'DELETE' && !req.headers['transfer-encoding'] && (req.headers['content-length'] ?? '0') === '0')
      delete req.headers['content-type']
    if (!acceptsTaxii(req.headers.accept))
      throw taxiiError(406, 'CRISP_TAXII_NOT_ACCEPTABLE', `Only ${TAXII_MEDIA_TYPE} is served`)
    if (req.routeOptions.config.taxiiPublic) return
    if (!req.principal) {
      reply.header('www-authenticate', BASIC_CHALLENGE)
      throw taxiiError(401, 'CRISP_AUTH_REQUIRED', req.authFailure ?? 'Authentication required')
    }
  })
  await app.register(discoveryRoutes, { publicUrl: opts.publicUrl, maxContentLength: opts.maxContentLength })
  await app.register(collectionRoutes)
  await app.register(objectsRoutes)
  await app.register(objectRoutes)
  await app.register(manifestRoutes)
  await app.register(statusRoutes)
}
