/**
 * The console's object browser reads through the egress pipeline as `GET /api/v1/objects` does, the app's stored
 * anonymization output included (`app.anonymizedOutput`): what it anonymizes of a partner's objects is stored
 * for the next reader of that variant, and REST then serves the same stored output. Through the console's own
 * JSON API (no browser), with the built-in strategy, which names its output variants.
 */
import t from 'tap'
import { TLP_MARKING_IDS } from '../../core/store/index.js'
import { buildTestApp, createOrg, createUser, loginAs, TEST_PASSWORD } from '../helper.js'
import { createCollection, indicator, trust } from '../taxii/fixtures.js'
import { consoleAction, consoleLogin } from './console-session.js'

type Released = { id: string } & Record<string, unknown>
const byId = (a: Released, b: Released) => a.id.localeCompare(b.id)

t.test('the object browser stores the anonymized output REST then serves', async (t) => {
  const { app, knex } = await buildTestApp(t, { runWorkers: false, admin: true })
  const home = await createOrg(knex, 'Console org')
  const partner = await createOrg(knex, 'Partner CERT')
  const admin = await createUser(app, { orgId: home, role: 'admin' })
  const publisher = await createUser(app, { orgId: partner, role: 'publisher' })
  await trust(knex, partner, home, 'Medium trust')
  const collectionId = await createCollection(knex, partner, 'trusted', 'Partner feed')
  const objects = [1, 2].map(() =>
    indicator({ description: 'seen at the victim', object_marking_refs: [TLP_MARKING_IDS.green] }),
  )
  const published = await app.inject({
    method: 'POST',
    url: `/api/v1/collections/${collectionId}/bundles`,
    headers: { authorization: `Bearer ${await loginAs(app, publisher)}` },
    payload: { type: 'bundle', id: 'bundle--0b3f8f6c-2b7e-4c58-9d0f-6f1f3c2a9e11', objects },
  })
  t.equal(published.json().counts.new, 2)
  const storedOutputs = async () => Number((await knex('anonymized_objects').count({ n: '*' }).first())?.n)
  t.equal(await storedOutputs(), 0, 'nothing anonymized yet')

  const session = await consoleLogin(app, admin.email, TEST_PASSWORD)
  if (!session) throw new Error('the admin could not log in to the console')
  const listed = await consoleAction(app, session, 'shared_objects/actions/list?perPage=50')
  const shown: Released[] = listed.json.records.map((r: { params: { object: string } }) => JSON.parse(r.params.object))
  t.equal(shown.length, 2, "the partner's two objects")
  await app.anonymizedOutput.flush()
  t.equal(await storedOutputs(), 2, 'what the console anonymized is stored')

  const rest = await app.inject({
    url: '/api/v1/objects?limit=10',
    headers: { authorization: `Bearer ${await loginAs(app, admin)}` },
  })
  const served: Released[] = rest.json().items.map((i: { object: Released }) => i.object)
  await app.anonymizedOutput.flush()
  t.equal(await storedOutputs(), 2, 'REST reads the stored output: nothing computed again')
  t.same(served.sort(byId), shown.sort(byId), 'the console shows what REST returns')
})
