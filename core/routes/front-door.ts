import type { FastifyPluginAsync } from 'fastify'

export interface FrontDoorOptions {
  publicUrl: string
  /** Where the Swagger UI is, or null when `CRISP_API_DOCS=off`. */
  apiDocs: 'public' | 'authenticated' | 'off'
  /** Whether the admin console is mounted in this process. */
  admin: boolean
  /** Where the console is mounted (CRISP_ADMIN_PATH). */
  adminPath: string
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/**
 * `GET /`: a small page that points a newcomer to the console, the API docs, the TAXII discovery URL and the
 * getting-started guide. Plain HTML without scripts or styles, so the platform's strict CSP needs no exception.
 */
export const frontDoorRoutes: FastifyPluginAsync<FrontDoorOptions> = async (app, opts) => {
  const links: [string, string, string][] = []
  if (opts.admin)
    links.push([opts.adminPath, 'Admin console', 'organizations, users, trust, collections, feeds (platform admins)'])
  if (opts.apiDocs !== 'off')
    links.push([
      '/docs',
      'REST API documentation',
      `OpenAPI (Swagger UI; the document is at /docs/json)${opts.apiDocs === 'authenticated' ? ', for signed-in users' : ''}`,
    ])
  links.push([
    `${opts.publicUrl}/taxii2/`,
    'TAXII 2.1 discovery',
    'point TAXII clients here (HTTP Basic: e-mail and password, or an API key as password)',
  ])
  links.push(['/healthz', 'Health', 'liveness; /readyz for readiness'])
  const items = links
    .map(
      ([href, title, what]) => `<li><a href="${escapeHtml(href)}">${escapeHtml(title)}</a> — ${escapeHtml(what)}</li>`,
    )
    .join('\n')
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CRISP</title></head>
<body>
<h1>CRISP</h1>
<p>Threat-intelligence sharing (STIX 2.1, TAXII 2.1) with trust-based anonymization.</p>
<ul>
${items}
</ul>
<p>New here? Follow docs/getting-started.md in the repository, or load demo data with <code>crisp demo</code>.</p>
</body></html>
`
  app.get(
    '/',
    {
      schema: {
        tags: ['health'],
        summary: 'Front door: an HTML page linking the console, the API docs and TAXII discovery',
        response: { 200: { type: 'string', description: 'text/html' } },
      },
    },
    async (_req, reply) => reply.type('text/html; charset=utf-8').send(page),
  )
}
