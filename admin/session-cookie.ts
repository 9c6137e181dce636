import type { Config } from '../config/load.js'
import { ADMIN_ROOT } from './paths.js'

/**
 * The console's session cookie: only sent to /admin, invisible to scripts, never sent with a request another
 * site starts (SameSite=Strict: not even a link from elsewhere, which then lands on the login page), and
 * Secure when the platform is reached over https. (@fastify/session then sets it only on requests Fastify
 * sees as https: TLS in Fastify itself, or a proxy with Fastify's trustProxy.)
 */
export function sessionCookieOptions(config: Pick<Config, 'publicUrl'>) {
  return {
    path: ADMIN_ROOT,
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: config.publicUrl.startsWith('https://'),
    maxAge: 8 * 3600_000,
  }
}
