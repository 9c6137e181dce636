import t from 'tap'
import { TLP_MARKING_IDS } from '../../core/store/index.js'
import { streamSharedObjects } from '../../core/sharing/index.js'
import { createUser } from '../helper.js'
import { basic, buildTaxiiApp, indicator, orgWithUsers, TAXII, trust } from '../taxii/fixtures.js'

t.test(
  'REST collections and objects; TLP and trust decide what each org reads, through REST, TAXII and the stream',
  async (t) => {
    const { app } = await buildTaxiiApp(t)
    const p = await orgWithUsers(app, 'Producer')
    const trusted = await orgWithUsers(app, 'Trusted')
    const stranger = await orgWithUsers(app, 'Stranger')
    await trust(app.knex, p.orgId, trusted.orgId, 'Medium trust')
    const h = (user: typeof p.viewer) => ({ authorization: basic(user) })

    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/collections',
      headers: h(p.publisher),
      payload: { title: 'Shared', visibility: 'public', alias: 'shared' },
    })
    t.equal(created.statusCode, 201)
    const cid = created.json().id
    t.equal(
      (await app.inject({ method: 'POST', url: '/api/v1/collections', headers: h(p.viewer), payload: { title: 'x' } }))
        .statusCode,
      403,
    )
    t.equal(
      (
        await app.inject({
          method: 'PATCH',
          url: `/api/v1/collections/${cid}`,
          headers: h(stranger.publisher),
          payload: { title: 'mine' },
        })
      ).statusCode,
      403,
    )
    t.equal(
      (
        await app.inject({
          method: 'PATCH',
          url: `/api/v1/collections/${cid}`,
          headers: h(p.publisher),
          payload: { description: 'd' },
        })
      ).json().description,
      'd',
    )

    const tlp = (name: keyof typeof TLP_MARKING_IDS) =>
      indicator({ name: `tlp ${name}`, object_marking_refs: [TLP_MARKING_IDS[name]] })
    const objects = [
      tlp('red'),
      tlp('amber+strict'),
      tlp('amber'),
      tlp('green'),
      tlp('clear'),
      indicator({ name: 'unmarked', labels: ['malicious-activity'] }),
    ]
    const notBundle = await app.inject({
      method: 'POST',
      url: `/api/v1/collections/${cid}/bundles`,
      headers: h(p.publisher),
      payload: { objects },
    })
    t.equal(notBundle.statusCode, 400)
    const pub = await app.inject({
      method: 'POST',
      url: `/api/v1/collections/${cid}/bundles`,
      headers: h(p.publisher),
      payload: {
        type: 'bundle',
        id: 'bundle--6f9e8f5a-8a8e-4c4e-9e3e-0f6f3b0f2a11',
        objects: [...objects, { type: 'indicator' }],
      },
    })
    t.equal(pub.statusCode, 200)
    t.same(pub.json().counts, { new: 6, 'new-version': 0, unchanged: 0, rejected: 1 })

    const restView = async (user: typeof p.viewer) =>
      Object.fromEntries(
        (await app.inject({ url: '/api/v1/objects', headers: h(user) }))
          .json()
          .items.map((i: { object: Record<string, string> }) => [
            i.object.name,
            i.object.x_test_anonymization_level ?? 'as is',
          ]),
      )
    t.same(await restView(p.viewer), {
      'tlp red': 'as is',
      'tlp amber+strict': 'as is',
      'tlp amber': 'as is',
      'tlp green': 'as is',
      'tlp clear': 'as is',
      unmarked: 'as is',
    })
    t.same(await restView(trusted.viewer), {
      'tlp amber': 'medium',
      'tlp green': 'medium',
      'tlp clear': 'medium',
      unmarked: 'medium',
    })
    const admin = await createUser(app, { orgId: stranger.orgId, role: 'admin' })
    t.same(
      await restView(admin),
      { 'tlp green': 'full', 'tlp clear': 'full', unmarked: 'full' },
      'no trust: default full, AMBER withheld, no admin bypass',
    )

    const taxiiView = async (user: typeof p.viewer) =>
      (
        (
          await app.inject({ url: `/taxii2/api/collections/${cid}/objects/`, headers: { accept: TAXII, ...h(user) } })
        ).json().objects ?? []
      )
        .map((o: { name: string }) => o.name)
        .sort()
    t.same(await taxiiView(stranger.viewer), ['tlp clear', 'tlp green', 'unmarked'])
    t.same(await taxiiView(trusted.viewer), ['tlp amber', 'tlp clear', 'tlp green', 'unmarked'])
    const streamed: string[] = []
    for await (const o of streamSharedObjects({
      knex: app.knex,
      registry: app.registry,
      principal: { orgId: trusted.orgId },
      filter: {},
      pageSize: 2,
    }))
      streamed.push(String(o.name))
    t.same(streamed.sort(), ['tlp amber', 'tlp clear', 'tlp green', 'unmarked'], 'the exporter stream gets the same')

    const byLabel = (
      await app.inject({ url: '/api/v1/objects?labels=malicious-activity&q=unmark', headers: h(p.viewer) })
    ).json().items
    t.equal(byLabel.length, 1)
    const page1 = (await app.inject({ url: '/api/v1/objects?limit=4', headers: h(p.viewer) })).json()
    t.equal(page1.items.length, 4)
    const page2 = (
      await app.inject({ url: `/api/v1/objects?limit=4&cursor=${page1.nextCursor}`, headers: h(p.viewer) })
    ).json()
    t.equal(page2.items.length, 2)
    t.equal(page2.nextCursor, null)
    t.equal(
      (await app.inject({ url: `/api/v1/objects?cursor=${page1.nextCursor}`, headers: h(trusted.viewer) })).statusCode,
      400,
      'cursor bound to its org',
    )

    const red = objects[0] as { id: string }
    t.equal((await app.inject({ url: `/api/v1/objects/${red.id}`, headers: h(p.viewer) })).json().name, 'tlp red')
    t.equal(
      (await app.inject({ url: `/api/v1/objects/${red.id}`, headers: h(trusted.viewer) })).statusCode,
      404,
      'RED never leaves',
    )
    const versions = await app.inject({ url: `/api/v1/objects/${objects[3].id}/versions`, headers: h(stranger.viewer) })
    t.equal(versions.json().items.length, 1)
    t.equal(
      (await app.inject({ method: 'DELETE', url: `/api/v1/collections/${cid}`, headers: h(p.publisher) })).statusCode,
      204,
    )
    t.equal((await app.inject({ url: `/api/v1/collections/${cid}`, headers: h(p.viewer) })).statusCode, 404)
  },
)
