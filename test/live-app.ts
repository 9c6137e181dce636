import net from 'node:net'
import type { PluginsFile } from '../config/plugins-schema.js'
import { buildTestApp, type TestApp, type TestLike } from './helper.js'

/** A port nothing listens on now (the kernel's choice). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })
}

/**
 * The whole app on its own fresh database, listening on a real port of 127.0.0.1 with `PUBLIC_URL` matching it
 * (TAXII `api_roots` are absolute), for tests that talk HTTP to it from outside: curl, the CLI, another platform.
 */
export async function liveTestApp(
  t: TestLike,
  options: { env?: Record<string, string>; plugins?: PluginsFile; admin?: boolean } = {},
): Promise<TestApp & { url: string }> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const built = await buildTestApp(t, {
    env: { PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, ...options.env },
    plugins: options.plugins,
    admin: options.admin,
    listen: true,
  })
  return { ...built, url }
}
