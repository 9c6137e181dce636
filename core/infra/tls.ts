import http from 'node:http'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * `CRISP_HTTP_REDIRECT_PORT`: a plain-HTTP listener beside the https one that answers everything with a 301 to
 * the same path and query on PUBLIC_URL's origin. The target never comes from the request's Host header, so
 * the redirect cannot be pointed at another site. Starts when the app listens, stops when it closes.
 */
export const httpsRedirectPlugin = fp(
  async (app: FastifyInstance, opts: { port: number; host: string; publicUrl: string }) => {
    const origin = new URL(opts.publicUrl).origin
    const server = http.createServer((req, res) => {
      const target = `${origin}${req.url?.startsWith('/') ? req.url : '/'}`
      res.writeHead(301, { location: target, 'content-type': 'text/plain; charset=utf-8', connection: 'close' })
      res.end(`Moved to ${target}\n`)
    })
    // Fastify logs and otherwise ignores an onListen failure: the https server keeps running without the redirect.
    app.addHook('onListen', async () => {
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject)
          server.listen(opts.port, opts.host, () => {
            server.off('error', reject)
            resolve()
          })
        })
        app.log.info({ port: opts.port, to: origin }, 'plain HTTP redirects to https')
      } catch (err) {
        app.log.error({ err, port: opts.port }, 'CRISP_HTTP_REDIRECT_PORT: cannot listen; plain HTTP is not redirected')
      }
    })
    app.addHook('onClose', async () => {
      if (!server.listening) return
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    })
  },
  { name: 'crisp-https-redirect' },
)
