import type { Knex } from 'knex'
import { recordAudit } from '../../core/audit/record.js'
import { attemptPasswordLogin } from '../../core/identity/login.js'
import type { LoginLimiter } from '../../core/identity/login-limiter.js'
import { AppError } from '../../core/infra/errors.js'
import type { Principal, Role } from '../../core/plugin-api/index.js'
import { CONSOLE_ROLES } from './console-scope.js'

/** What the console keeps in its session: enough to act as a {@link Principal}, never a credential. */
export interface ConsoleAdmin {
  id: string
  email: string
  orgId: string
  role: Role
  title: string
  /** The account's token_version at login: a password change or reset, deactivation or role change bumps it. */
  tokenVersion: number
}

declare module 'fastify' {
  /** The console's session (@fastify/session, set up by AdminJS): the admin who logged in. */
  interface Session {
    adminUser?: ConsoleAdmin
  }
}

export function principalOf(admin: ConsoleAdmin): Principal {
  return { userId: admin.id, orgId: admin.orgId, role: admin.role, email: admin.email, via: 'admin-console' }
}

/**
 * The console's login is the platform's: `attemptPasswordLogin` (active users, scrypt, the shared failed-login
 * limits, `auth.login` audit entries with the IP). On top, only platform admins and org-admins get in (the
 * latter to their own organization, admin/auth/console-scope.ts): a viewer or publisher with the right password
 * is refused and audited as `admin_console.login` denied. Returns null for every refusal, so the page never
 * says which part was wrong.
 */
export async function authenticateConsoleAdmin(options: {
  knex: Knex
  limiter: LoginLimiter
  email: string
  password: string
  ip: string
}): Promise<ConsoleAdmin | null> {
  const email = String(options.email ?? '').trim()
  const password = String(options.password ?? '')
  if (!email || !password) return null
  try {
    const user = await attemptPasswordLogin({
      db: options.knex,
      limiter: options.limiter,
      email,
      password,
      ip: options.ip,
      via: 'login',
      auditSuccess: true,
    })
    if (!CONSOLE_ROLES.includes(user.role)) {
      await recordAudit(options.knex, {
        action: 'admin_console.login',
        outcome: 'denied',
        actor: { userId: user.id, orgId: user.orgId, email: user.email },
        ip: options.ip,
        details: { reason: `role ${user.role} may not use the admin console` },
      })
      return null
    }
    return {
      id: user.id,
      email: user.email,
      orgId: user.orgId,
      role: user.role,
      title: user.email,
      tokenVersion: user.tokenVersion,
    }
  } catch (err) {
    if (err instanceof AppError && (err.statusCode === 401 || err.statusCode === 429)) return null
    throw err
  }
}
