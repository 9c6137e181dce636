import t from 'tap'
import type { Knex } from 'knex'
import { queryPage, type PageRead } from '../../core/sharing/page-query.js'
import { createOrg, freshDatabase } from '../helper.js'
import { createCollection } from '../taxii/fixtures.js'

/** The settings a page's statements run under, read by the page query itself (inside its transaction). */
async function settingsOfPage(knex: Knex, orgId: string, read?: PageRead) {
  const { rows } = await queryPage<{ parallel: string; sort: string }>(
    knex,
    orgId,
    undefined,
    (_contexts, db) =>
      db.select(
        db.raw(
          `current_setting('max_parallel_workers_per_gather') AS parallel, current_setting('enable_sort') AS sort`,
        ),
      ),
    undefined,
    read,
  )
  return rows[0]
}

t.test('a page for a request plans without parallel workers, a page of a stream may use them', async (t) => {
  const { knex } = await freshDatabase(t)
  const orgId = await createOrg(knex, 'Reader')
  await createCollection(knex, orgId)
  const serverDefault = (await knex.raw('SHOW max_parallel_workers_per_gather')).rows[0].max_parallel_workers_per_gather
  t.not(serverDefault, '0', 'the server allows parallel plans (else this test shows nothing)')

  t.same(await settingsOfPage(knex, orgId), { parallel: '0', sort: 'off' }, 'request by default')
  t.same(await settingsOfPage(knex, orgId, 'request'), { parallel: '0', sort: 'off' })
  t.same(await settingsOfPage(knex, orgId, 'stream'), { parallel: serverDefault, sort: 'off' })
  const after = (await knex.raw('SHOW max_parallel_workers_per_gather')).rows[0].max_parallel_workers_per_gather
  t.equal(after, serverDefault, 'the setting ends with the page transaction: pooled connections keep the default')
})
