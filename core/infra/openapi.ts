import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config/load.js'

/** Refuses a request without a signed-in user (401), as a preHandler. */
type SignedInGuard = (req: FastifyRequest) => Promise<void>

export interface OpenapiOptions {
  publicUrl: string
  version: string
  /** Who may read `/docs` (Swagger UI and `/docs/json`); `off` serves neither. */
  docs: Config['apiDocs']
  /**
   * The check of `docs: 'authenticated'`: the platform's permission check, handed in by core/app.ts (core/auth
   * sits above this layer).
   */
  requireSignedIn: SignedInGuard
}

/**
 * The Content-Security-Policy of `/docs` only. Swagger UI is scripts and styles from its own folder plus a fetch
 * of `/docs/json`, which the API's `default-src 'none'` blocks ("Failed to load API definition"). Its script
 * adds a `<style>` element at run time, hence inline styles (never inline scripts). "Try it out" sends
 * requests to the documented server (PUBLIC_URL), which may be another origin than the page's.
 */
function docsCsp(publicUrl: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ${new URL(publicUrl).origin}`,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ')
}

/**
 * Any signed-in user may read the docs. A browser signs in with HTTP Basic and then sends the credentials with
 * the page's own requests (/docs/json). Chrome reads only the first challenge of a header line, so Basic gets
 * a line of its own, first: with the API's `Bearer …, Basic …` it would never ask for a login.
 */
const docsLogin = (requireSignedIn: SignedInGuard) =>
  async function requireDocsLogin(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!req.principal) reply.header('www-authenticate', ['Basic realm="crisp"', 'Bearer realm="crisp"'])
    await requireSignedIn(req)
  }

/**
 * OpenAPI 3 generated from the routes' TypeBox schemas: `/docs/json`, Swagger UI at `/docs`. Registered after
 * authentication, whose request hook the docs routes then get (`authenticated` reads the principal), and
 * before the routes it documents.
 */
export const openapiPlugin = fp(
  async (app, opts: OpenapiOptions) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'CRISP API',
          version: opts.version,
          description: 'Threat-intelligence sharing with trust-based anonymization',
        },
        servers: [{ url: opts.publicUrl }],
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', description: 'JWT access token or API key' },
            basic: { type: 'http', scheme: 'basic', description: 'email + password or API key (TAXII clients)' },
          },
        },
      },
    })
    if (opts.docs === 'off') return
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: docsCsp(opts.publicUrl),
      // No badge from validator.swagger.io: the page would reach out to a third party on every load.
      uiConfig: { validatorUrl: null },
      uiHooks: opts.docs === 'authenticated' ? { preHandler: docsLogin(opts.requireSignedIn) } : undefined,
    })
  },
  { name: 'crisp-openapi', dependencies: ['crisp-authentication'] },
)
