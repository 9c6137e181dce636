import t from 'tap'
import { createLogger } from '../../core/infra/logger.js'
import { createAdmin, ensureFirstAdmin } from '../../core/identity/first-admin.js'
import { buildIdentityApp, login } from './fixtures.js'

const log = createLogger({ level: 'silent' })

t.test('first admin and `crisp users create-admin` go through the user service and its policy', async (t) => {
  const { app, knex } = await buildIdentityApp(t)
  await t.rejects(
    ensureFirstAdmin({ knex, email: 'root@ops.test', password: 'password1234', log }),
    /CRISP_ADMIN_PASSWORD: .*symbol/,
  )
  t.equal((await knex('users')).length, 0, 'a weak configured password creates nothing')

  const printed: string[] = []
  await ensureFirstAdmin({ knex, email: 'root@ops.test', log, print: (l) => printed.push(l) })
  const password = /Password: (\S+)/.exec(printed.join(''))?.[1] as string
  t.equal((await login(app, 'root@ops.test', password)).res.statusCode, 200, 'the printed password works')
  await ensureFirstAdmin({ knex, email: 'other@ops.test', log })
  t.equal((await knex('users')).length, 1, 'nothing more once an admin exists')

  await createAdmin({ knex, email: 'second@ops.test', password: 'Tangerine-Wombat-73!', reason: 'cli' })
  t.equal((await knex('users').where({ role: 'admin' })).length, 2, 'create-admin adds an admin even when one exists')
  await t.rejects(createAdmin({ knex, email: 'SECOND@ops.test', password: 'Tangerine-Wombat-73!', reason: 'cli' }), {
    code: 'CRISP_USER_EMAIL_TAKEN',
  })
  await t.rejects(createAdmin({ knex, email: 'third@ops.test', password: 'short', reason: 'cli' }), {
    code: 'CRISP_PASSWORD_POLICY',
  })
  const audit = await knex('audit_log').where({ action: 'user.create' })
  t.equal(audit.length, 2)
  t.notOk(JSON.stringify(audit).includes(password), 'the generated password is not audited')
})
