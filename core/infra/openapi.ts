import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'

/** OpenAPI 3 generated from the routes' TypeBox schemas: `/docs/json`, Swagger UI at `/docs`. */
export const openapiPlugin = fp(
  async (app, opts: { publicUrl: string; version: string }) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: { title: 'CRISP API', version: opts.version, description: 'Threat-intelligence sharing with trust-based anonymization' },
        servers: [{ url: opts.publicUrl }],
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', description: 'JWT access token or API key' },
            basic: { type: 'http', scheme: 'basic', description: 'email + password or API key (TAXII clients)' },
          },
        },
      },
    })
    await app.register(swaggerUi, { routePrefix: '/docs' })
  },
  { name: 'crisp-openapi' },
)
