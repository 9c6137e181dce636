import { readFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { getDefaultValidator } from '../../core/stix/validator.js'
import { buildTestApp, SHARED } from '../helper.js'
import { basic, createCollection, orgWithUsers, TAXII, trust } from './fixtures.js'

type Obj = { id: string; type: string; modified?: string; [k: string]: unknown }
const load = (name: string): Obj[] =>
  JSON.parse(readFileSync(path.join(SHARED, 'datasets', 'mitre-attack', name), 'utf8')).objects

t.test('MITRE ATT&CK ICS 18.0 then 18.1 through TAXII; every emitted object validates', async (t) => {
  // The default plugins: the built-in trust-levels strategy anonymizes what other organizations read.
  const { app } = await buildTestApp(t, { env: { PUBLIC_URL: 'https://crisp.example.test' } })
  const owner = await orgWithUsers(app, 'MITRE mirror')
  const partner = await orgWithUsers(app, 'Partner')
  await trust(app.knex, owner.orgId, partner.orgId, 'Medium trust')
  const id = await createCollection(app.knex, owner.orgId, 'public', 'ATT&CK ICS')
  const base = `/taxii2/api/collections/${id}`

  const ingest = async (objects: Obj[]) => {
    const res = await app.inject({
      method: 'POST',
      url: `${base}/objects/`,
      headers: { accept: TAXII, 'content-type': TAXII, authorization: basic(owner.publisher) },
      payload: JSON.stringify({ objects }),
    })
    t.equal(res.statusCode, 202)
    let status = res.json()
    for (let i = 0; i < 300 && status.status === 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 200))
      status = (
        await app.inject({
          url: `/taxii2/api/status/${status.id}/`,
          headers: { accept: TAXII, authorization: basic(owner.publisher) },
        })
      ).json()
    }
    return status
  }
  const r18 = load('ics-attack-18.0.json')
  const r181 = load('ics-attack-18.1.json')
  const s1 = await ingest(r18)
  t.match(
    s1,
    { status: 'complete', total_count: r18.length, success_count: r18.length, failure_count: 0 },
    s1.failures?.[0]?.message,
  )
  const s2 = await ingest(r181)
  t.match(
    s2,
    { status: 'complete', total_count: r181.length, success_count: r181.length, failure_count: 0 },
    s2.failures?.[0]?.message,
  )

  const key = (o: Obj) => `${o.id}|${o.modified ?? o.created ?? ''}`
  const old = new Set(r18.map(key))
  const changed = r181.filter((o) => !old.has(key(o)))
  const rows = (await app.knex('stix_objects').select('stix_id').count({ n: '*' }).groupBy('stix_id')) as {
    stix_id: string
    n: string
  }[]
  const versionsOf = new Map(rows.map((r) => [r.stix_id, Number(r.n)]))
  t.equal(versionsOf.size, new Set([...r18, ...r181].map((o) => o.id)).size, 'every object stored')
  t.ok(changed.length > 0, `${changed.length} objects changed between releases`)
  t.ok(
    changed.every((o) => versionsOf.get(o.id) === (r18.some((p) => p.id === o.id) ? 2 : 1)),
    'changed objects have a second version',
  )
  const unchanged = r181.filter((o) => old.has(key(o)))
  t.ok(
    unchanged.every((o) => versionsOf.get(o.id) === 1),
    'unchanged objects have one version',
  )

  const walk = async (user: typeof owner.viewer) => {
    const out: Obj[] = []
    let next: string | undefined
    do {
      const res = await app.inject({
        url: `${base}/objects/?limit=500${next ? `&next=${next}` : ''}`,
        headers: { accept: TAXII, authorization: basic(user) },
      })
      t.equal(res.headers['content-type'], TAXII)
      const body = res.json()
      out.push(...(body.objects ?? []))
      next = body.more ? body.next : undefined
    } while (next)
    return out
  }
  const mine = await walk(owner.viewer)
  t.equal(
    mine.length,
    new Set(r181.map((o) => o.id)).size + r18.filter((o) => !r181.some((n) => n.id === o.id)).length,
    'last version of each object',
  )
  const byId = new Map(mine.map((o) => [o.id, o]))
  const mitre = r181.filter((o) => o.type.startsWith('x-mitre-'))
  t.ok(mitre.length > 100)
  t.ok(
    mitre.every((o) => JSON.stringify(sortKeys(byId.get(o.id))) === JSON.stringify(sortKeys(o))),
    'x-mitre-* objects read back JSON-equal',
  )

  const validator = getDefaultValidator()
  const theirs = await walk(partner.viewer)
  t.equal(theirs.length, mine.length, 'partner reads the public collection')
  const invalid = [...mine, ...theirs].map((o) => ({ o, r: validator.validate(o) })).filter((x) => !x.r.ok)
  t.same(
    invalid.slice(0, 3).map((x) => ({ id: x.o.id, errors: (x.r as { errors: unknown }).errors })),
    [],
    'everything emitted validates against the OASIS schemas',
  )
})

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    )
  return value
}
