import t from 'tap'
import { createOrg, freshDatabase } from '../helper.js'

/** Migration 0063: a finished export was `done`, it is `succeeded` (docs/api.md "Job states"), rows and CHECK alike. */
t.test('0063 renames done to succeeded, and back on rollback', async (t) => {
  const { knex } = await freshDatabase(t)
  const only = { name: '0063_export_job_succeeded' }
  await knex.migrate.down(only)
  const org = await createOrg(knex, 'Exports')
  const user = await knex.raw(
    `INSERT INTO users (organization_id, email, display_name, role) VALUES (?, 'e@x.test', 'E', 'viewer') RETURNING id`,
    [org],
  )
  const insert = (status: string) =>
    knex.raw(
      `INSERT INTO export_jobs (user_id, organization_id, format, status) VALUES (?, ?, 'csv', ?) RETURNING id`,
      [user.rows[0].id, org, status],
    )
  const done = (await insert('done')).rows[0].id
  const failed = (await insert('failed')).rows[0].id

  await knex.migrate.up(only)
  const status = async (id: string) =>
    (await knex.raw('SELECT status FROM export_jobs WHERE id = ?', [id])).rows[0].status
  t.equal(await status(done), 'succeeded')
  t.equal(await status(failed), 'failed', 'other states stay')
  await t.rejects(insert('done'), /export_jobs_status_valid/, 'the old word is refused')
  t.ok(await insert('succeeded'), 'the new one is accepted')

  await knex.migrate.down(only)
  t.equal(await status(done), 'done', 'rollback restores the old word')
  await t.rejects(insert('succeeded'), /export_jobs_status_valid/)
  await knex.migrate.up(only)
})
