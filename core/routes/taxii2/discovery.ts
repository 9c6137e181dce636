import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { TAXII_MEDIA_TYPE } from './media.js'
import { ApiRootSchema, DiscoverySchema, ErrorSchema } from './schemas.js'
import { principalOf } from './access.js'

export interface DiscoveryOptions {
  publicUrl: string
  maxContentLength: number
}

/** The one API root, as an absolute URL built from the configured public URL. */
const apiRootUrl = (publicUrl: string) => `${publicUrl}/taxii2/api/`

/** `GET /taxii2/` (public) and `GET /taxii2/api/` (authenticated). */
export const discoveryRoutes: FastifyPluginAsyncTypebox<DiscoveryOptions> = async (app, opts) => {
  const root = apiRootUrl(opts.publicUrl)
  const discovery = {
    title: 'CRISP TAXII 2.1',
    description: 'Cyber Risk Information Sharing Platform: threat intelligence shared according to trust',
    default: root,
    api_roots: [root],
  }
  app.get(
    '/',
    {
      config: { taxiiPublic: true },
      schema: {
        tags: ['taxii'],
        summary: 'TAXII discovery (no credentials needed)',
        response: { 200: DiscoverySchema, 406: ErrorSchema },
      },
    },
    async (_req, reply) => reply.type(TAXII_MEDIA_TYPE).send(discovery),
  )
  const apiRoot = {
    title: 'CRISP',
    description: 'Collections of this CRISP instance',
    versions: [TAXII_MEDIA_TYPE],
    max_content_length: opts.maxContentLength,
  }
  app.get(
    '/api/',
    { schema: { tags: ['taxii'], summary: 'TAXII API root', response: { 200: ApiRootSchema, 401: ErrorSchema } } },
    async (req, reply) => {
      principalOf(req)
      return reply.type(TAXII_MEDIA_TYPE).send(apiRoot)
    },
  )
}
