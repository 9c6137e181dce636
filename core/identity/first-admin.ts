import { randomBytes } from 'node:crypto'
import type { Knex } from 'knex'
import type { Logger } from 'pino'
import { createUser } from './users.js'
import { checkPasswordPolicy } from './password-policy.js'

const PLATFORM_ORG = 'Platform operators'

/** A random password that satisfies the policy (upper, lower, two digits, a symbol). */
const generatePassword = () => `${randomBytes(15).toString('base64url')}-Aa1!9`

async function platformOrgId(knex: Knex): Promise<string> {
  const existing = await knex('organizations').where({ name: PLATFORM_ORG }).first('id')
  if (existing) return existing.id
  const [org] = await knex('organizations')
    .insert({ name: PLATFORM_ORG, description: 'Operators of this CRISP instance' })
    .onConflict('name')
    .ignore()
    .returning('id')
  if (org) return org.id
  // Another process created it between the look-up and the insert.
  const created = await knex('organizations').where({ name: PLATFORM_ORG }).first('id')
  if (!created) throw new Error(`the organization "${PLATFORM_ORG}" was neither found nor created`)
  return created.id
}

/**
 * Creates a platform admin through the user service (password policy, hash, audit). Without a password one
 * is generated and printed once to the terminal (never to the log). Throws a 409 AppError if the email exists.
 */
export async function createAdmin(options: {
  knex: Knex
  email: string
  password?: string
  reason: string
  print?: (line: string) => void
}) {
  const password = options.password ?? generatePassword()
  const user = await createUser({
    db: options.knex,
    actor: null,
    input: {
      organizationId: await platformOrgId(options.knex),
      email: options.email,
      displayName: 'Administrator',
      role: 'admin',
      password,
    },
    reason: options.reason,
  })
  if (!options.password)
    (options.print ?? console.log)(
      `\n  Admin:    ${options.email}\n  Password: ${password}\n  (shown once; change it after logging in)\n`,
    )
  return user
}

/**
 * With no admin in the database, creates one from CRISP_ADMIN_EMAIL/CRISP_ADMIN_PASSWORD, or with a generated
 * password printed once. A configured password must satisfy the password policy: boot fails otherwise.
 */
export async function ensureFirstAdmin(options: {
  knex: Knex
  email?: string
  password?: string
  log: Logger
  print?: (line: string) => void
}): Promise<void> {
  const { knex } = options
  if (await knex('users').where({ role: 'admin' }).first('id')) return
  const email = options.email ?? 'admin@crisp.local'
  if (options.password) {
    const problems = checkPasswordPolicy(options.password, { email, displayName: 'Administrator' })
    if (problems.length) throw new Error(`CRISP_ADMIN_PASSWORD: ${problems.join('; ')}`)
  }
  await createAdmin({
    knex,
    email,
    password: options.password,
    reason: 'first admin at start-up',
    print: options.print,
  })
  options.log.info({ email }, 'created the first platform admin')
}
