import t from 'tap'
import type { Principal } from '../../core/plugin-api/index.js'
import { insertPendingStatus } from '../../core/taxii/pending-status.js'
import { resendUnsentStatuses, UNSENT_GRACE_SECONDS } from '../../core/taxii/ingest-job.js'
import { basic, buildTaxiiApp, createCollection, indicator, orgWithUsers, TAXII } from './fixtures.js'

t.test('a large add request whose job was never sent is sent by the maintenance tick and completes', async (t) => {
  const { app } = await buildTaxiiApp(t)
  const org = await orgWithUsers(app, 'Publisher org')
  const cid = await createCollection(app.knex, org.orgId, 'private')
  const principal = { userId: org.publisher.id, orgId: org.orgId, role: 'publisher', email: org.publisher.email, via: 'password' } as Principal
  // What the route leaves behind when the process dies between committing the status and sending its job.
  const statusId = await insertPendingStatus(app.knex, { collectionId: cid, principal, objects: [indicator(), indicator(), { type: 'indicator' }] })
  const sent: unknown[] = []
  const spy = { send: async (queue: string, data: object) => (sent.push([queue, data]), app.jobs.send(queue as never, data)) }

  t.equal(await resendUnsentStatuses(app.knex, spy), 0, 'not within the grace period: the route may still be sending it')
  await app.knex('taxii_statuses').where({ id: statusId }).update({ request_timestamp: app.knex.raw(`now() - make_interval(secs => ?)`, [UNSENT_GRACE_SECONDS + 5]) })
  t.equal(await resendUnsentStatuses(app.knex, spy), 1)
  t.same(sent, [['taxii.ingest', { statusId }]])
  t.equal(await resendUnsentStatuses(app.knex, spy), 0, 'sent once: its job id is recorded')

  const read = () => app.inject({ url: `/taxii2/api/status/${statusId}/`, headers: { accept: TAXII, authorization: basic(org.publisher) } }).then((r) => r.json())
  let status = await read()
  for (let i = 0; i < 100 && status.status === 'pending'; i++) {
    await new Promise((r) => setTimeout(r, 100))
    status = await read()
  }
  t.match(status, { status: 'complete', total_count: 3, success_count: 2, failure_count: 1, pending_count: 0 })
})

t.test('the route records the job it sent; a completed request is never sent again', async (t) => {
  const { app } = await buildTaxiiApp(t)
  const org = await orgWithUsers(app, 'Publisher org')
  const cid = await createCollection(app.knex, org.orgId, 'private')
  const res = await app.inject({
    method: 'POST',
    url: `/taxii2/api/collections/${cid}/objects/`,
    headers: { accept: TAXII, 'content-type': TAXII, authorization: basic(org.publisher) },
    payload: { objects: Array.from({ length: 1001 }, () => indicator()) },
  })
  t.equal(res.statusCode, 202, res.body)
  const row = await app.knex('taxii_statuses').where({ id: res.json().id }).first('job_id')
  t.match(row.job_id, /^[0-9a-f-]{36}$/, 'job id recorded')
  await app.knex('taxii_statuses').update({ request_timestamp: app.knex.raw(`now() - interval '1 hour'`) })
  t.equal(await resendUnsentStatuses(app.knex, app.jobs), 0)
})
