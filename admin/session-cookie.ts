import type { Config } from '../config/load.js'
import { ADMIN_ROOT } from './build-admin.js'

/**
 * The console's session cookie: only sent to /admin, invisible to scripts, not sent on cross-site requests, and
 * Secure when the platform is reached over https. (@fastify/session then sets it only on requests Fastify sees
 * as https: TLS in Fastify itself, or a proxy with Fastify's trustProxy.)
 */
export function sessionCookieOptions(config: Pick<Config, 'publicUrl'>) {
  return {
    path: ADMIN_ROOT,
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: config.publicUrl.startsWith('https://'),
    maxAge: 8 * 3600_000,
  }
}
