import t from 'tap'
import type { TestLike } from '../helper.js'
import { basic, buildTaxiiApp, createCollection, envelope, indicator, orgWithUsers, TAXII } from './fixtures.js'

async function setup(t: TestLike) {
  const { app } = await buildTaxiiApp(t)
  const a = await orgWithUsers(app, 'Owner')
  const id = await createCollection(app.knex, a.orgId)
  const base = `/taxii2/api/collections/${id}`
  const get = (path: string, user = a.viewer) =>
    app.inject({ url: `${base}/${path}`, headers: { accept: TAXII, authorization: basic(user) } })
  const post = (objects: unknown[]) =>
    app.inject({
      method: 'POST',
      url: `${base}/objects/`,
      headers: { accept: TAXII, 'content-type': TAXII, authorization: basic(a.publisher) },
      payload: envelope(objects),
    })
  return { app, a, id, base, get, post }
}

t.test('versions and match filters', async (t) => {
  const { get, post } = await setup(t)
  const v1 = indicator({ created: '2024-01-01T00:00:00.000Z', modified: '2024-01-01T00:00:00.000Z' })
  const v2 = { ...v1, modified: '2024-02-01T00:00:00.000Z', name: 'v2' }
  const v3 = { ...v1, modified: '2024-03-01T00:00:00.123456Z', name: 'v3', revoked: true }
  const other = indicator()
  const sco = {
    type: 'domain-name',
    spec_version: '2.1',
    id: 'domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5',
    value: 'example.com',
  }
  const status = (await post([v1, v2, v3, other, sco])).json()
  t.match(status, { status: 'complete', total_count: 5, success_count: 5, failure_count: 0, pending_count: 0 })
  const names = async (q: string) =>
    ((await get(`objects/?${q}`)).json().objects ?? [])
      .filter((o: { id: string }) => o.id === v1.id)
      .map((o: { name: string }) => o.name)
  t.same(await names(''), ['v3'], 'last by default; revocation visible')
  t.same(await names('match[version]=last'), ['v3'])
  t.same(await names('match[version]=first'), [v1.name])
  t.same(await names('match[version]=all'), [v1.name, 'v2', 'v3'])
  t.same(await names('match[version]=first,last'), [v1.name, 'v3'])
  t.same(await names('match[version]=2024-02-01T00:00:00Z'), ['v2'], 'timestamp in another precision')
  t.same(await names('match[version]=2024-03-01T00:00:00.123456Z,2024-01-01T00:00:00.000Z'), [v1.name, 'v3'])
  t.equal(
    (await get('objects/?match[version]=last')).json().objects.find((o: { id: string }) => o.id === v1.id).revoked,
    true,
  )

  const ids = async (q: string) =>
    ((await get(`objects/?${q}`)).json().objects ?? []).map((o: { id: string }) => o.id).sort()
  t.same(await ids('match[type]=domain-name'), [sco.id])
  t.same(await ids('match[type]=domain-name,indicator'), [v1.id, other.id, sco.id].sort())
  t.same(await ids(`match[id]=${other.id},${sco.id}`), [other.id, sco.id].sort())
  t.same(await ids(`match[id]=${other.id}&match[type]=domain-name`), [], 'fields are ANDed')
  t.same(await ids('match[spec_version]=2.0'), [])
  t.same((await ids('match[spec_version]=2.1')).length, 3)

  const versions = (await get(`objects/${v1.id}/versions/`)).json()
  t.same(versions, {
    more: false,
    versions: ['2024-01-01T00:00:00.000000Z', '2024-02-01T00:00:00.000000Z', '2024-03-01T00:00:00.123456Z'],
  })
  const one = await get(`objects/${v1.id}/?match[version]=all`)
  t.equal(one.json().objects.length, 3)
  t.ok(one.headers['x-taxii-date-added-first'] && one.headers['x-taxii-date-added-last'])
  const manifest = (await get('manifest/')).json()
  t.equal(manifest.objects.length, 3)
  t.match(manifest.objects[0], {
    id: String,
    date_added: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/,
    version: String,
    media_type: 'application/stix+json;version=2.1',
  })
})

t.test('duplicate POST is a success; DELETE then 404; empty pages carry no date headers', async (t) => {
  const { app, a, base, get, post } = await setup(t)
  const v1 = indicator()
  const v2 = { ...v1, modified: '2024-06-01T00:00:00.000Z' }
  const v3 = { ...v1, modified: '2024-09-01T00:00:00.000Z' }
  await post([v1, v2, v3])
  const again = (await post([v1])).json()
  t.match(again, { status: 'complete', success_count: 1, failure_count: 0 })
  const clash = (await post([{ ...v1, name: 'tampered' }])).json()
  t.match(clash, { failure_count: 1, failures: [{ id: v1.id, message: /different content/ }] })
  const statusRes = await get(`../../status/${again.id}/`)
  t.equal(statusRes.statusCode, 200)
  t.equal(statusRes.json().id, again.id)

  const del = (q = '') =>
    app.inject({
      method: 'DELETE',
      url: `${base}/objects/${v1.id}/${q}`,
      headers: { accept: TAXII, authorization: basic(a.publisher) },
    })
  t.equal((await del('?match[spec_version]=2.0')).statusCode, 404, 'no version of that spec version: nothing removed')
  t.equal((await del('?match[version]=first')).statusCode, 200)
  t.same((await get(`objects/${v1.id}/versions/`)).json().versions, [
    '2024-06-01T00:00:00.000000Z',
    '2024-09-01T00:00:00.000000Z',
  ])
  t.equal((await del('?match[version]=2024-09-01T00:00:00Z')).statusCode, 200, 'an exact version')
  t.same((await get(`objects/${v1.id}/versions/`)).json().versions, ['2024-06-01T00:00:00.000000Z'])
  t.equal((await del()).statusCode, 200)
  t.equal((await get(`objects/${v1.id}/`)).statusCode, 404, 'GET after DELETE')
  t.equal((await get(`objects/${v1.id}/versions/`)).statusCode, 404)
  t.equal((await del()).statusCode, 404)

  const empty = await get('objects/?added_after=2999-01-01T00:00:00Z')
  t.equal(empty.statusCode, 200)
  t.same(empty.json(), { more: false })
  t.notOk('x-taxii-date-added-first' in empty.headers, 'no garbage headers on an empty page')
  t.notOk('x-taxii-date-added-last' in empty.headers)
  t.equal((await get('manifest/?match[type]=malware')).headers['x-taxii-date-added-last'], undefined)
})

t.test('paging by next and by added_after: every object exactly once, while objects are added', async (t) => {
  const { get, post } = await setup(t)
  // One request stores 60 objects in one transaction: the case where naive servers give them one date_added.
  await post(Array.from({ length: 60 }, () => indicator()))
  const walk = async (mode: 'next' | 'added_after') => {
    const seen: string[] = []
    let q = 'limit=7'
    for (let i = 0; i < 50; i++) {
      const res = await get(`objects/?${q}`)
      const body = res.json()
      seen.push(...(body.objects ?? []).map((o: { id: string }) => o.id))
      if (i === 2) await post(Array.from({ length: 5 }, () => indicator()))
      if (!body.more) break
      q =
        mode === 'next' ? `limit=7&next=${body.next}` : `limit=7&added_after=${res.headers['x-taxii-date-added-last']}`
    }
    return seen
  }
  const byNext = await walk('next')
  t.equal(byNext.length, 65, 'next: 60 + 5 added during the walk')
  t.equal(new Set(byNext).size, 65, 'no repeats')
  const byDate = await walk('added_after')
  t.equal(byDate.length, 70)
  t.equal(new Set(byDate).size, 70)
  const first = (await get('objects/?limit=1')).headers['x-taxii-date-added-first'] as string
  const after = (await get(`objects/?added_after=${first}`)).json().objects
  t.equal(after.length, 69, 'added_after is exclusive')
})

t.test('limit is capped; large requests run as a job (pending → complete)', async (t) => {
  const { app, get, post } = await setup(t)
  const res = await post(Array.from({ length: 1100 }, () => indicator()))
  t.equal(res.statusCode, 202)
  const status = res.json()
  t.match(status, { status: 'pending', total_count: 1100, pending_count: 1100, success_count: 0 })
  let current = status
  for (let i = 0; i < 100 && current.status === 'pending'; i++) {
    await new Promise((r) => setTimeout(r, 200))
    current = (await get(`../../status/${status.id}/`)).json()
  }
  t.match(current, { status: 'complete', success_count: 1100, pending_count: 0 })
  const page = (await get('objects/?limit=5000')).json()
  t.equal(page.objects.length, 1000, 'server cap')
  t.equal(page.more, true)
  t.equal((await get('objects/?limit=3')).json().objects.length, 3, 'never more than asked')
  const stranger = await orgWithUsers(app, 'Stranger')
  t.equal(
    (await get(`../../status/${status.id}/`, stranger.viewer)).statusCode,
    404,
    'statuses are private to the requesting org',
  )
})
