import { randomBytes } from 'node:crypto'
import type { Knex } from 'knex'
import type { Logger } from 'pino'
import { hashPassword } from './passwords.js'
import { recordAudit } from '../audit/record.js'

const PLATFORM_ORG = 'Platform operators'

/**
 * With no admin in the database, creates one from CRISP_ADMIN_EMAIL/CRISP_ADMIN_PASSWORD, or with a generated
 * password printed once to the terminal (never to the log).
 */
export async function ensureFirstAdmin(options: {
  knex: Knex
  email?: string
  password?: string
  log: Logger
  print?: (line: string) => void
}): Promise<void> {
  const { knex } = options
  const existing = await knex('users').where({ role: 'admin' }).first('id')
  if (existing) return
  const email = options.email ?? 'admin@crisp.local'
  const password = options.password ?? `${randomBytes(12).toString('base64url')}-Aa1!9`
  await knex.transaction(async (trx) => {
    let org = await trx('organizations').where({ name: PLATFORM_ORG }).first('id')
    org ??= (await trx('organizations').insert({ name: PLATFORM_ORG, description: 'Operators of this CRISP instance' }).returning('id'))[0]
    const [user] = await trx('users')
      .insert({ organization_id: org.id, email, display_name: 'Administrator', role: 'admin', password_hash: await hashPassword(password) })
      .returning('id')
    await recordAudit(trx, { action: 'user.create', targetType: 'user', targetId: user.id, details: { after: { email, role: 'admin' }, reason: 'first admin at start-up' } })
  })
  options.log.info({ email }, 'created the first platform admin')
  if (!options.password) (options.print ?? console.log)(`\n  First admin: ${email}\n  Password:    ${password}\n  (shown once; change it after logging in)\n`)
}
