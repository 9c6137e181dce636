import type { Config } from '../config/load.js'
import { DEFAULT_ADMIN_ROOT } from './paths.js'

/**
 * The console's session cookie: only sent to the console's path, invisible to scripts, never sent with a
 * request another site starts (SameSite=Strict: not even a link from elsewhere, which then lands on the login
 * page), and Secure when the platform is reached over https: an https PUBLIC_URL, or TLS in CRISP itself.
 * (@fastify/session then sets it only on requests Fastify sees as https: TLS in Fastify itself, or
 * `X-Forwarded-Proto: https` from a proxy named in CRISP_TRUST_PROXY.) Not @fastify/session's `'auto'`: on
 * plain HTTP that also lowers SameSite to Lax.
 */
export function sessionCookieOptions(
  config: Pick<Config, 'publicUrl'> & { network?: Pick<Config['network'], 'adminPath' | 'tls'> },
) {
  return {
    path: config.network?.adminPath ?? DEFAULT_ADMIN_ROOT,
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: config.publicUrl.startsWith('https://') || config.network?.tls !== undefined,
    maxAge: 8 * 3600_000,
  }
}
