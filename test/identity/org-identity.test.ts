import { randomUUID } from 'node:crypto'
import path from 'node:path'
import t from 'tap'
import { storeObjects } from '../../core/store/index.js'
import { createStixValidator } from '../../core/stix/validator.js'
import { buildTestApp, createOrg, createUser, freshDatabase, loginAs, SHARED, type TestUser } from '../helper.js'
import { organizationIdentityId } from '../../core/identity/org-identity.js'
import { createOrganization as createOrganizationService } from '../../core/identity/organizations.js'
import { toMicrosecondTimestamp } from '../../core/stix/timestamps.js'
import { basic, createCollection, indicator, TAXII, trust } from '../taxii/fixtures.js'

// Organizations are STIX identities (issue 16): each has an identity object, what it publishes carries
// created_by_ref = that identity, and partners receive the identity through the egress pipeline, anonymized.
const oasis = createStixValidator({ schemaDir: path.join(SHARED, 'stix2-json-schemas', 'schemas') })
/** A STIX object as the API returns it, with the properties these tests read. */
type Stix = {
  type: string
  id: string
  created?: string
  modified?: string
  name?: string
  created_by_ref?: string
  sectors?: string[]
  [property: string]: unknown
}
/** An organization as the API returns it. */
interface OrganizationView {
  id: string
  sectors: string[]
  contactInformation: string | null
  identity: Stix & { created: string; modified: string }
}
type Payload = Record<string, unknown>

const { app, knex } = await buildTestApp(t)
const platform = await createOrg(knex, 'Platform operators')
const admin = await createUser(app, { orgId: platform, role: 'admin' })
const adminAuth = { authorization: `Bearer ${await loginAs(app, admin)}` }

async function createOrganization(payload: Payload): Promise<OrganizationView> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/organizations', headers: adminAuth, payload })
  if (res.statusCode !== 201) throw new Error(`create organization: ${res.statusCode} ${res.body}`)
  return res.json()
}
const patch = (id: string, payload: Payload) =>
  app.inject({ method: 'PATCH', url: `/api/v1/organizations/${id}`, headers: adminAuth, payload })

async function member(orgId: string, role: TestUser['role']) {
  const user = await createUser(app, { orgId, role })
  return { user, bearer: { authorization: `Bearer ${await loginAs(app, user)}` } }
}

async function read(bearer: Record<string, string>, collectionId: string): Promise<{ objects: Stix[]; body: string }> {
  const res = await app.inject({ url: `/api/v1/objects?collection=${collectionId}&limit=1000`, headers: bearer })
  if (res.statusCode !== 200) throw new Error(`read: ${res.statusCode} ${res.body}`)
  return { objects: res.json().items.map((i: { object: Stix }) => i.object), body: res.body }
}

t.test('REST: an organization is created with its identity; sectors come from the STIX vocabulary', async (t) => {
  const org = await createOrganization({
    name: 'Acme Power',
    sectors: ['energy', 'utilities'],
    contactInformation: 'soc@acme.example',
  })
  t.match(org.identity, {
    type: 'identity',
    spec_version: '2.1',
    id: /^identity--[0-9a-f-]{36}$/,
    name: 'Acme Power',
    identity_class: 'organization',
    sectors: ['energy', 'utilities'],
    contact_information: 'soc@acme.example',
  })
  t.equal(org.identity.created, org.identity.modified)
  t.same(oasis.validate(org.identity), { ok: true }, 'valid against the OASIS schemas')
  t.same(org.sectors, ['energy', 'utilities'])
  t.equal(org.contactInformation, 'soc@acme.example')
  t.same(
    (await app.inject({ url: `/api/v1/organizations/${org.id}`, headers: adminAuth })).json().identity,
    org.identity,
    'stored once, read back the same',
  )

  const bad = await app.inject({
    method: 'POST',
    url: '/api/v1/organizations',
    headers: adminAuth,
    payload: { name: 'Bad sectors', sectors: ['energy', 'space-piracy'] },
  })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().error.message, /\/sectors\/1: must be one of .*agriculture.*utilities/)
  t.notOk(await knex('organizations').where({ name: 'Bad sectors' }).first(), 'nothing created')
  t.equal((await patch(org.id, { sectors: ['moon-mining'] })).statusCode, 400, 'update refuses it too')
  await t.rejects(
    createOrganizationService({ db: knex, actor: null, input: { name: 'Console input', sectors: ['moon-mining'] } }),
    { statusCode: 400, message: /^\/sectors\/0: must be one of agriculture, aerospace, .*utilities$/ },
    'the service (console, CLI) refuses it with the same message',
  )

  const described = await patch(org.id, { description: 'Grid operator' })
  t.same(described.json().identity, org.identity, 'a change the identity does not state makes no new version')
  const renamed = (await patch(org.id, { name: 'Acme Grid', sectors: ['energy'] })).json()
  t.equal(renamed.identity.id, org.identity.id, 'same identity')
  t.equal(renamed.identity.created, org.identity.created)
  t.ok(Date.parse(renamed.identity.modified) > Date.parse(org.identity.modified), 'a newer modified')
  t.match(renamed.identity, { name: 'Acme Grid', sectors: ['energy'] })
  const contact = (await patch(org.id, { contactInformation: null, contactEmail: 'cert@acme.example' })).json()
  t.equal(contact.identity.contact_information, 'cert@acme.example', 'the contact e-mail when no contact information')
  t.ok(Date.parse(contact.identity.modified) > Date.parse(renamed.identity.modified))
  const cleared = (await patch(org.id, { sectors: [] })).json()
  t.notOk('sectors' in cleared.identity, 'no empty sectors list (STIX forbids it)')
  t.same(oasis.validate(cleared.identity), { ok: true })
})

t.test('published objects carry created_by_ref; partners receive the identity, anonymized by trust', async (t) => {
  const producer = await createOrganization({
    name: 'Producer Utility',
    sectors: ['utilities'],
    contactInformation: 'intel@producer.example',
  })
  const identityId: string = producer.identity.id
  const publisher = await member(producer.id, 'publisher')
  const cid = await createCollection(knex, producer.id, 'public', 'Producer intel')
  const mine = indicator()
  const foreign = `identity--${randomUUID()}`
  const relayed = indicator({ created_by_ref: foreign })
  const sco = {
    type: 'ipv4-addr',
    spec_version: '2.1',
    id: 'ipv4-addr--0a1b2c3d-4e5f-5a6b-8c7d-9e0f1a2b3c4d',
    value: '198.51.100.9',
  }
  const bundle = { type: 'bundle', id: `bundle--${randomUUID()}`, objects: [mine, relayed, sco] }
  const first = await app.inject({
    method: 'POST',
    url: `/api/v1/collections/${cid}/bundles`,
    headers: publisher.bearer,
    payload: bundle,
  })
  t.equal(first.statusCode, 200, first.body)
  t.same(first.json().counts, { new: 3, 'new-version': 0, unchanged: 0, rejected: 0 })

  const own = await read(publisher.bearer, cid)
  const byId = (objects: Stix[], id: string) => objects.find((o) => o.id === id) as Stix
  t.equal(byId(own.objects, mine.id as string).created_by_ref, identityId, 'attributed to the publishing organization')
  t.equal(byId(own.objects, relayed.id as string).created_by_ref, foreign, 'a creator the producer named is kept')
  t.notOk('created_by_ref' in byId(own.objects, sco.id), 'SCOs have no created_by_ref')
  t.same(
    byId(own.objects, identityId),
    producer.identity,
    'the identity is in the collection, so the reference resolves',
  )
  t.equal(own.objects.length, 4)

  const again = await app.inject({
    method: 'POST',
    url: `/api/v1/collections/${cid}/bundles`,
    headers: publisher.bearer,
    payload: bundle,
  })
  t.same(again.json().counts, { new: 0, 'new-version': 0, unchanged: 3, rejected: 0 }, 'publishing again adds nothing')
  t.equal((await read(publisher.bearer, cid)).objects.length, 4)

  const viaTaxii = indicator()
  const status = await app.inject({
    method: 'POST',
    url: `/taxii2/api/collections/${cid}/objects/`,
    headers: { accept: TAXII, 'content-type': TAXII, authorization: basic(publisher.user) },
    payload: JSON.stringify({ objects: [viaTaxii] }),
  })
  t.match(status.json(), { status: 'complete', success_count: 1 })
  t.equal(
    byId((await read(publisher.bearer, cid)).objects, viaTaxii.id as string).created_by_ref,
    identityId,
    'TAXII publishing is attributed too',
  )

  const levels: [string, string | null][] = [
    ['Full trust', 'none'],
    ['High trust', 'low'],
    ['Low trust', 'high'],
    ['Untrusted', 'full'],
    ['(no relationship)', 'full'],
  ]
  for (const [trustLevel, level] of levels) {
    const partner = await createOrg(knex, `Partner at ${trustLevel}`)
    if (trustLevel !== '(no relationship)') await trust(knex, producer.id, partner, trustLevel)
    const { objects, body } = await read((await member(partner, 'viewer')).bearer, cid)
    const label = `${trustLevel} (${level})`
    for (const o of objects)
      t.same(oasis.validate(o), { ok: true }, `${label}: ${o.type} valid against the OASIS schemas`)
    const received =
      byId(objects, mine.id as string) ?? objects.find((o) => o.type === 'indicator' && o.name === mine.name)
    const identities = objects.filter((o) => o.type === 'identity')
    t.equal(identities.length, 1, `${label}: one identity received`)
    t.equal(
      received?.created_by_ref,
      identities[0].id,
      `${label}: created_by_ref points to the identity the reader receives`,
    )
    if (level === 'none' || level === 'low') {
      t.equal(received.created_by_ref, identityId, `${label}: the real identity`)
      t.equal(identities[0].name, 'Producer Utility', `${label}: the real name`)
    } else {
      t.notOk(body.includes(identityId), `${label}: the real identity id never appears`)
      t.notOk(body.includes('Producer Utility'), `${label}: the real name never appears`)
      t.notOk(body.includes('intel@producer.example'), `${label}: nor the contact`)
      t.equal(identities[0].name, 'Anonymous', `${label}: the anonymous identity`)
    }
  }
})

t.test('a new identity version reaches the collections that hold the identity', async (t) => {
  const producer = await createOrganization({ name: 'Renamed Later', sectors: ['healthcare'] })
  const publisher = await member(producer.id, 'publisher')
  const cid = await createCollection(knex, producer.id, 'public', 'Health intel')
  const untouched = await createCollection(knex, producer.id, 'public', 'Never published to')
  await app.inject({
    method: 'POST',
    url: `/api/v1/collections/${cid}/bundles`,
    headers: publisher.bearer,
    payload: { type: 'bundle', id: `bundle--${randomUUID()}`, objects: [indicator()] },
  })
  const renamed = (await patch(producer.id, { name: 'Renamed Hospital', sectors: ['healthcare', 'non-profit'] })).json()

  const partner = await createOrg(knex, 'Full partner')
  await trust(knex, producer.id, partner, 'Full trust')
  const viewer = await member(partner, 'viewer')
  const latest = (await read(viewer.bearer, cid)).objects.filter((o) => o.type === 'identity')
  t.same(latest, [renamed.identity], 'the partner reads the new version (the latest by default)')
  const versions = await app.inject({ url: `/api/v1/objects/${renamed.identity.id}/versions`, headers: viewer.bearer })
  t.equal(versions.statusCode, 200, versions.body)
  t.same(
    versions.json().items.map((i: { object: Stix }) => i.object.name),
    ['Renamed Later', 'Renamed Hospital'],
    'both versions, in the collection it was published to',
  )
  t.equal((await read(viewer.bearer, untouched)).objects.length, 0, 'collections without the identity are left alone')
})

t.test('a version stored before attribution stays unchanged when published again', async (t) => {
  const producer = await createOrganization({ name: 'Early Adopter' })
  const publisher = await member(producer.id, 'publisher')
  const cid = await createCollection(knex, producer.id)
  const old = indicator()
  // as the store kept it before organizations had identities: no created_by_ref
  const [before] = await storeObjects({
    db: knex,
    collectionId: cid,
    producerOrgId: producer.id,
    objects: [old],
    attribution: 'as-given',
  })
  t.equal(before.status, 'new')
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/collections/${cid}/bundles`,
    headers: publisher.bearer,
    payload: { type: 'bundle', id: `bundle--${randomUUID()}`, objects: [old] },
  })
  t.same(res.json().counts, { new: 0, 'new-version': 0, unchanged: 1, rejected: 0 }, 'not refused as different content')
  const changed = await app.inject({
    method: 'POST',
    url: `/api/v1/collections/${cid}/bundles`,
    headers: publisher.bearer,
    payload: { type: 'bundle', id: `bundle--${randomUUID()}`, objects: [{ ...old, name: 'tampered' }] },
  })
  t.same(changed.json().counts.rejected, 1, 'other content under the same version is still refused')
})

t.test('the migration gives existing organizations their identity, the same on every run', async (t) => {
  const { knex: db } = await freshDatabase(t)
  const migration = await import('../../migrations/0051_organization_identity.js')
  await migration.down(db)
  const [quiet] = await db('organizations').insert({ name: 'Quiet Org' }).returning(['id', 'created_at'])
  const [reachable] = await db('organizations')
    .insert({ name: 'Reachable Org', contact_email: 'soc@reachable.example' })
    .returning('id')
  await migration.up(db)
  const identityOf = async (id: string) =>
    (await db('organizations').where({ id }).first('stix_identity'))?.stix_identity as Stix
  const quietIdentity = await identityOf(quiet.id)
  t.same(
    quietIdentity,
    {
      type: 'identity',
      spec_version: '2.1',
      id: organizationIdentityId(quiet.id),
      created: toMicrosecondTimestamp(new Date(quiet.created_at)),
      modified: toMicrosecondTimestamp(new Date(quiet.created_at)),
      name: 'Quiet Org',
      identity_class: 'organization',
    },
    "dated at the organization's creation, as shared sightings already stated it",
  )
  t.match(await identityOf(reachable.id), {
    id: organizationIdentityId(reachable.id),
    contact_information: 'soc@reachable.example',
  })
  t.same(oasis.validate(quietIdentity), { ok: true })
  await migration.down(db)
  await migration.up(db)
  t.same(await identityOf(quiet.id), quietIdentity, 'migrating again gives the same identity')
})
