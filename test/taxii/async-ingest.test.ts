import t from 'tap'
import { QUEUES, queueDeclarations } from '../../core/jobs/queues.js'
import { basic, buildTaxiiApp, createCollection, indicator, orgWithUsers, TAXII } from './fixtures.js'

const { app, config } = await buildTaxiiApp(t)
const org = await orgWithUsers(app, 'Publisher org')
const cid = await createCollection(app.knex, org.orgId, 'private')
const post = (objects: unknown[]) =>
  app.inject({
    method: 'POST',
    url: `/taxii2/api/collections/${cid}/objects/`,
    headers: { accept: TAXII, 'content-type': TAXII, authorization: basic(org.publisher) },
    payload: { objects },
  })
const ingestJobs = async () =>
  (
    await app.knex.raw<{ rows: { data: { statusId: string } }[] }>(`SELECT data FROM pgboss.job WHERE name = ?`, [
      QUEUES.taxiiIngest,
    ])
  ).rows

t.test(
  'a large add request whose job cannot be enqueued is refused whole: no status is left pending without a job',
  async (t) => {
    const declaration = queueDeclarations(config).find((q) => q.name === QUEUES.taxiiIngest)!
    await app.jobs.boss.deleteQueue(QUEUES.taxiiIngest)
    const res = await post([...Array.from({ length: 1000 }, () => indicator()), { type: 'indicator' }])
    await app.jobs.boss.createQueue(QUEUES.taxiiIngest, declaration)
    t.equal(res.statusCode, 500)
    t.match(res.json(), { title: 'Internal Server Error', http_status: '500' })
    t.same(await app.knex('taxii_statuses').where({ collection_id: cid }), [], 'no status committed')
  },
)

t.test('a large add request commits with exactly one job, which completes it', async (t) => {
  const res = await post([...Array.from({ length: 1000 }, () => indicator()), { type: 'indicator' }])
  t.equal(res.statusCode, 202, res.body.slice(0, 300))
  t.match(res.json(), { status: 'pending', total_count: 1001, pending_count: 1001 })
  const statusId = res.json().id
  t.same(await ingestJobs(), [{ data: { statusId } }], 'its one job')

  const read = () =>
    app
      .inject({
        url: `/taxii2/api/status/${statusId}/`,
        headers: { accept: TAXII, authorization: basic(org.publisher) },
      })
      .then((r) => r.json())
  let status = await read()
  for (let i = 0; i < 100 && status.status === 'pending'; i++) {
    await new Promise((r) => setTimeout(r, 100))
    status = await read()
  }
  t.match(status, { status: 'complete', total_count: 1001, success_count: 1000, failure_count: 1, pending_count: 0 })
  t.equal((await ingestJobs()).length, 1, 'sent once')
})
