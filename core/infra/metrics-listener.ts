import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'

/**
 * A worker-only process (`crisp worker`) has no HTTP server, yet its counters (feed runs, feed and async TAXII
 * ingest, background exports) live in its own registry. With `CRISP_METRICS_PORT` it serves `GET /metrics` and
 * nothing else on that port: the request goes through the app's own `/metrics` route (`inject`), so the same
 * credentials, rate limit and answer apply. Returns the port bound (0 asks for any free one) and `close`.
 */
export async function listenMetricsOnly(
  app: FastifyInstance,
  options: { port: number; host: string },
): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    serve(app, req, res).catch((err) => {
      app.log.error({ err }, 'metrics listener: scrape failed')
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { code: 'CRISP_INTERNAL', message: 'Internal error' } }))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  // Listening on a TCP host, the address is an AddressInfo (a string only for a pipe or socket path).
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  app.log.info({ port, host: options.host }, 'worker metrics listening (GET /metrics only)')
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

async function serve(app: FastifyInstance, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const pathname = (req.url ?? '/').split('?')[0]
  if (req.method !== 'GET' || pathname !== '/metrics') {
    res.writeHead(404, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: { code: 'CRISP_NOT_FOUND', message: 'Only GET /metrics is served on this port' } }))
    return
  }
  const headers: Record<string, string> = {}
  for (const name of ['authorization', 'x-api-key']) {
    const value = req.headers[name]
    if (typeof value === 'string') headers[name] = value
  }
  const answer = await app.inject({ method: 'GET', url: '/metrics', headers, remoteAddress: req.socket.remoteAddress })
  res.writeHead(answer.statusCode, {
    'content-type': String(answer.headers['content-type'] ?? 'text/plain'),
    'cache-control': 'no-store',
  })
  res.end(answer.rawPayload)
}
