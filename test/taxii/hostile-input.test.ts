import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { INGEST_FAILED_MESSAGE } from '../../core/taxii/ingest-job.js'
import { SHARED } from '../helper.js'
import { basic, buildTaxiiApp, createCollection, envelope, indicator, orgWithUsers, TAXII } from './fixtures.js'

// TAXII adds with hostile or unusual content: per-object failures in a status that always ends. Before: one
// upper-case UUID failed the whole envelope (500) or, in a large add, left the status pending forever; a NUL
// in a large add was a 500; a job failing for good left its status pending.

const { app, knex } = await buildTaxiiApp(t)
const org = await orgWithUsers(app, 'Publisher org')
const collectionId = await createCollection(knex, org.orgId)
const base = `/taxii2/api/collections/${collectionId}`
const headers = { accept: TAXII, authorization: basic(org.publisher) }
const post = (body: string) =>
  app.inject({ method: 'POST', url: `${base}/objects/`, headers: { ...headers, 'content-type': TAXII }, payload: body })
const oasisObjects = () =>
  JSON.parse(readFileSync(path.join(SHARED, 'datasets', 'oasis-examples', 'infrastructure.json'), 'utf8')).objects

async function finalStatus(statusId: string) {
  const read = async () => (await app.inject({ url: `/taxii2/api/status/${statusId}/`, headers })).json()
  let status = await read()
  for (let i = 0; i < 300 && status.status === 'pending'; i++) {
    await new Promise((r) => setTimeout(r, 200))
    status = await read()
  }
  return status
}

function isTaxiiError(
  t: Test,
  res: { statusCode: number; headers: Record<string, unknown>; json(): Record<string, unknown> },
  status: number,
) {
  t.equal(res.statusCode, status)
  t.equal(res.headers['content-type'], TAXII)
  t.match(res.json(), { title: String, http_status: String(status), error_code: /^CRISP_/ })
}

t.test(
  'the OASIS infrastructure example over TAXII: nine successes, the upper-case UUID a failure with its reason',
  async (t) => {
    const res = await post(envelope(oasisObjects()))
    t.equal(res.statusCode, 202, res.body.slice(0, 300))
    t.match(res.json(), { status: 'complete', total_count: 10, success_count: 9, failure_count: 1, pending_count: 0 })
    t.match(res.json().failures, [
      { id: 'relationship--81f12913-1372-4c96-85ec-E9034ac98aba', message: /\/id: must write its UUID in lower case/ },
    ])
  },
)

t.test('a large add with one bad object ends complete with failure_count 1', async (t) => {
  const bad = { ...indicator(), id: 'indicator--81f12913-1372-4c96-85ec-E9034ac98aba' }
  const res = await post(envelope([...Array.from({ length: 1000 }, () => indicator()), bad]))
  t.equal(res.statusCode, 202, res.body.slice(0, 300))
  t.equal(res.json().status, 'pending')
  const status = await finalStatus(res.json().id)
  t.match(status, { status: 'complete', total_count: 1001, success_count: 1000, failure_count: 1, pending_count: 0 })
  t.match(status.failures, [{ id: bad.id, message: /must write its UUID in lower case/ }])
})

t.test('a large add: objects jsonb cannot hold are failures at once, the others stored by the job', async (t) => {
  const nul = indicator({ description: 'a\u0000b' })
  const surrogate = indicator({ x_dict: { '\ud83d': 'half an emoji' } })
  const valid = Array.from({ length: 1000 }, () => indicator())
  const res = await post(envelope([nul, ...valid, surrogate]))
  t.equal(res.statusCode, 202, res.body.slice(0, 300))
  t.match(res.json(), { status: 'pending', total_count: 1002, failure_count: 2, pending_count: 1000 })
  const status = await finalStatus(res.json().id)
  t.match(status, { status: 'complete', total_count: 1002, success_count: 1000, failure_count: 2, pending_count: 0 })
  t.match(status.failures, [
    {
      id: nul.id,
      message: `${nul.id}: /description: the string contains a NUL character (U+0000), which cannot be stored`,
    },
    {
      id: surrogate.id,
      message: `${surrogate.id}: /x_dict/\\ud83d: the property name contains a lone surrogate (U+D83D), which is not valid Unicode`,
    },
  ])
})

t.test('a job that fails for good ends its status: every pending object a failure with a reason', async (t) => {
  const poisoned = indicator()
  // The database refuses this one object's row: every attempt of the job fails.
  await knex.raw(`CREATE FUNCTION test_refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.stix_id = '${poisoned.id}' THEN RAISE EXCEPTION 'simulated storage failure'; END IF; RETURN NEW; END $$`)
  await knex.raw(
    'CREATE TRIGGER test_refuse_row BEFORE INSERT ON stix_objects FOR EACH ROW EXECUTE FUNCTION test_refuse_row()',
  )
  t.teardown(() => knex.raw('DROP TRIGGER test_refuse_row ON stix_objects; DROP FUNCTION test_refuse_row()'))
  const res = await post(
    envelope([...Array.from({ length: 1000 }, () => indicator()), poisoned, { type: 'indicator' }]),
  )
  t.equal(res.statusCode, 202, res.body.slice(0, 300))
  const status = await finalStatus(res.json().id)
  t.match(status, { status: 'complete', total_count: 1002, success_count: 0, failure_count: 1002, pending_count: 0 })
  t.equal(status.failures.length, 1002)
  t.match(status.failures[1000], { id: poisoned.id, message: INGEST_FAILED_MESSAGE })
  t.match(status.failures[1001], { id: '(object 1001)', message: INGEST_FAILED_MESSAGE })
  t.notOk(status.pendings, 'nothing left pending')
})

t.test('invalid UTF-8 and %00 are TAXII 400s', async (t) => {
  const [before, after] = envelope([indicator({ name: 'MARK' })]).split('MARK')
  const res = await app.inject({
    method: 'POST',
    url: `${base}/objects/`,
    headers: { ...headers, 'content-type': TAXII },
    payload: Buffer.concat([Buffer.from(before), Buffer.from([0xff]), Buffer.from(after)]),
  })
  isTaxiiError(t, res, 400)
  t.equal(res.json().error_code, 'CRISP_TAXII_INVALID_UTF8')
  for (const query of ['match[type]=indicator%00', 'added_after=%00', 'next=%00', 'match[id]=%00']) {
    const nul = await app.inject({ url: `${base}/objects/?${query}`, headers })
    isTaxiiError(t, nul, 400)
    t.equal(nul.json().error_code, 'CRISP_INVALID_CHARACTER', query)
  }
  isTaxiiError(t, await app.inject({ url: `${base}/objects/indicator--%00/`, headers }), 400)
})

t.test('Accept, DELETE with a Content-Type, over-long ids: TAXII answers', async (t) => {
  isTaxiiError(t, await app.inject({ url: `${base}/objects/`, headers: { ...headers, accept: '' } }), 406)
  t.equal(
    (await app.inject({ url: `${base}/objects/`, headers: { authorization: headers.authorization } })).statusCode,
    200,
    'no Accept at all is fine',
  )

  const obj = indicator()
  t.equal((await post(envelope([obj]))).json().success_count, 1)
  const del = await app.inject({
    method: 'DELETE',
    url: `${base}/objects/${obj.id}/`,
    headers: { ...headers, 'content-type': TAXII },
  })
  t.equal(del.statusCode, 200, del.body.slice(0, 300))
  const again = await app.inject({
    method: 'DELETE',
    url: `${base}/objects/${obj.id}/`,
    headers: { ...headers, 'content-type': 'application/json' },
  })
  isTaxiiError(t, again, 404)

  const long = await app.inject({ url: `${base}/objects/indicator--${'a'.repeat(5000)}/`, headers })
  isTaxiiError(t, long, 414)
  t.ok(long.body.length < 500, 'the URL is not echoed')
  isTaxiiError(t, await app.inject({ url: `${base}/objects/%E0%A4%A/`, headers }), 400)
})
