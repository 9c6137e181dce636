import t from 'tap'
import { encodeCursor } from '../../core/infra/cursor.js'
import { createUser } from '../helper.js'
import { basic, buildTaxiiApp, createCollection, indicator, orgWithUsers, TAXII } from '../taxii/fixtures.js'

/** A cursor with any payload, as a client could forge one. */
const forge = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url')

t.test(
  'REST and TAXII page with the one cursor codec; a tampered or foreign cursor is a clean 400 in each format',
  async (t) => {
    const { app } = await buildTaxiiApp(t)
    const producer = await orgWithUsers(app, 'Producer')
    const other = await orgWithUsers(app, 'Other')
    const cid = await createCollection(app.knex, producer.orgId, 'public')
    const second = await createCollection(app.knex, producer.orgId, 'public', 'Second')
    const objects = Array.from({ length: 5 }, () => indicator())
    const published = await app.inject({
      method: 'POST',
      url: `/api/v1/collections/${cid}/bundles`,
      headers: { authorization: basic(producer.publisher) },
      payload: { type: 'bundle', id: 'bundle--0b2f3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', objects },
    })
    t.equal(published.statusCode, 200)

    const taxii = (user: typeof producer.viewer, collection: string, query: string) =>
      app.inject({
        url: `/taxii2/api/collections/${collection}/objects/?${query}`,
        headers: { accept: TAXII, authorization: basic(user) },
      })
    // Every object once, page after page, through `next`.
    const seen: string[] = []
    let query = 'limit=2'
    let first = ''
    for (;;) {
      const page = await taxii(producer.viewer, cid, query)
      t.equal(page.statusCode, 200)
      const body = page.json()
      seen.push(...body.objects.map((o: { id: string }) => o.id))
      if (!body.more) break
      first ||= body.next
      query = `limit=2&next=${body.next}`
    }
    t.same(seen.sort(), objects.map((o) => String(o.id)).sort(), 'every object once')

    const taxiiRefusal = async (label: string, user: typeof producer.viewer, collection: string, next: string) => {
      const res = await taxii(user, collection, `next=${next}`)
      t.equal(res.statusCode, 400, `TAXII: ${label}`)
      t.match(res.headers['content-type'], /^application\/taxii\+json/)
      t.equal(res.json().error_code, 'CRISP_TAXII_BAD_NEXT', `TAXII: ${label}, in the TAXII error format`)
    }
    const decoded = JSON.parse(Buffer.from(first, 'base64url').toString('utf8'))
    t.same(Object.keys(decoded).sort(), ['after', 'scope'], 'TAXII next: the codec payload')
    await taxiiRefusal('not base64url JSON', producer.viewer, cid, 'bm90IGpzb24')
    await taxiiRefusal(
      'SQL in the position',
      producer.viewer,
      cid,
      forge({ ...decoded, after: [decoded.after[0], '1 OR 1=1'] }),
    )
    await taxiiRefusal(
      'a position of the wrong kind',
      producer.viewer,
      cid,
      forge({ ...decoded, after: [decoded.after[1], decoded.after[0]] }),
    )
    await taxiiRefusal('another collection', producer.viewer, second, first)
    await taxiiRefusal('another organization', other.viewer, cid, first)

    // REST objects: the cursor is bound to the reader's organization.
    const rest = (user: typeof producer.viewer, cursor: string) =>
      app.inject({ url: `/api/v1/objects?limit=2&cursor=${cursor}`, headers: { authorization: basic(user) } })
    const page1 = (
      await app.inject({ url: '/api/v1/objects?limit=2', headers: { authorization: basic(producer.viewer) } })
    ).json()
    t.same(
      Object.keys(JSON.parse(Buffer.from(page1.nextCursor, 'base64url').toString('utf8'))).sort(),
      ['after', 'scope'],
      'REST nextCursor: the same payload',
    )
    t.equal((await rest(producer.viewer, page1.nextCursor)).statusCode, 200)
    for (const [label, user, cursor] of [
      ['another organization', other.viewer, page1.nextCursor],
      ['the old `org:seq` form', producer.viewer, Buffer.from(`${producer.orgId}:1`).toString('base64url')],
      [
        'a timestamp for a sequence number',
        producer.viewer,
        encodeCursor(['2024-01-01T00:00:00.000000Z'], producer.orgId),
      ],
    ] as const) {
      const res = await rest(user, cursor)
      t.equal(res.statusCode, 400, `REST objects: ${label}`)
      t.equal(res.json().error.code, 'CRISP_INVALID_CURSOR', `REST objects: ${label}`)
    }

    // REST lists (keyset on one id column): a forged value never reaches SQL.
    const admin = await orgWithUsers(app, 'Admins')
    const root = await createUser(app, { orgId: admin.orgId, role: 'admin' })
    for (const cursor of [
      encodeCursor(["x' OR 1=1"]),
      forge({ after: 'not-an-array' }),
      encodeCursor(['1'], 'someone'),
    ]) {
      const res = await app.inject({
        url: `/api/v1/users?limit=1&cursor=${cursor}`,
        headers: { authorization: basic(root) },
      })
      t.equal(res.statusCode, 400, `REST list refuses ${cursor}`)
      t.equal(res.json().error.code, 'CRISP_INVALID_CURSOR')
    }
    const users1 = (await app.inject({ url: '/api/v1/users?limit=1', headers: { authorization: basic(root) } })).json()
    t.ok(users1.nextCursor, 'a REST list cursor')
    t.equal(
      (
        await app.inject({
          url: `/api/v1/users?limit=1&cursor=${users1.nextCursor}`,
          headers: { authorization: basic(root) },
        })
      ).statusCode,
      200,
      'and it reads back',
    )
  },
)
