import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import { createOrg, createUser, loginAs, type TestUser } from '../helper.js'
import { createCollection, envelope, indicator, TAXII, trust } from '../taxii/fixtures.js'

/** `api-key`: the publisher's personal key; `ingest-key`: a key that may only submit events (a SIEM's). */
export type Role = 'anonymous' | 'viewer' | 'publisher' | 'org-admin' | 'admin' | 'api-key' | 'ingest-key'
export const ROLES: Role[] = ['anonymous', 'viewer', 'publisher', 'org-admin', 'admin', 'api-key', 'ingest-key']
const KEY_ROLES = ['api-key', 'ingest-key'] as const

/** Who a request is sent as: the principals and their credentials. */
export interface Principals {
  users: Record<Exclude<Role, 'anonymous' | 'api-key' | 'ingest-key'>, TestUser>
  tokens: Record<Exclude<Role, 'anonymous'>, string>
  /** Rows that must survive the run for the principals to keep working: never a target of a state-changing request. */
  protectedIds: Set<string>
}

/** The headers that authenticate `role`; Basic (a password hash per request: slow) only when asked. */
export function authHeaders(p: Principals, role: Role, basic = false): Record<string, string> {
  if (role === 'anonymous') return {}
  if (basic && role !== 'api-key' && role !== 'ingest-key') {
    const u = p.users[role]
    return { authorization: `Basic ${Buffer.from(`${u.email}:${u.password}`).toString('base64')}` }
  }
  return { authorization: `Bearer ${p.tokens[role]}` }
}

/** A new key of the kind `role` names: the publisher's API key, or an ingest key the admin makes. */
async function keyFor(
  app: FastifyInstance,
  p: Pick<Principals, 'tokens'>,
  role: (typeof KEY_ROLES)[number],
): Promise<{ key: string; id: string }> {
  const [url, token] =
    role === 'api-key' ? ['/api/v1/api-keys', p.tokens.publisher] : ['/api/v1/events/ingest-keys', p.tokens.admin]
  const res = await app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${token}` },
    payload: { name: `fuzz ${Date.now()}` },
  })
  if (res.statusCode !== 201) throw new Error(`${role}: ${res.statusCode} ${res.body}`)
  const body = res.json()
  return { key: body.key, id: body.apiKey?.id ?? body.id }
}

/** Users of each role in one organization, their tokens and an API key (of the publisher). */
export async function createPrincipals(app: FastifyInstance, orgId: string): Promise<Principals> {
  const viewer = await createUser(app, { orgId, role: 'viewer' })
  const publisher = await createUser(app, { orgId, role: 'publisher' })
  const orgAdmin = await createUser(app, { orgId, role: 'org-admin' })
  const admin = await createUser(app, { orgId, role: 'admin' })
  const tokens = {
    viewer: await loginAs(app, viewer),
    publisher: await loginAs(app, publisher),
    'org-admin': await loginAs(app, orgAdmin),
    admin: await loginAs(app, admin),
    'api-key': '',
    'ingest-key': '',
  }
  const principals: Principals = {
    users: { viewer, publisher, 'org-admin': orgAdmin, admin },
    tokens,
    protectedIds: new Set([orgId, viewer.id, publisher.id, orgAdmin.id, admin.id]),
  }
  for (const role of KEY_ROLES) {
    const key = await keyFor(app, principals, role)
    tokens[role] = key.key
    principals.protectedIds.add(key.id)
  }
  return principals
}

const b64 = (s: string) => Buffer.from(s).toString('base64')
const swapPayload = (jwt: string, claims: object) =>
  [jwt.split('.')[0], Buffer.from(JSON.stringify(claims)).toString('base64url'), jwt.split('.')[2]].join('.')

/**
 * Authorization headers that must never authenticate: malformed, forged, tampered, or injected credentials.
 * Not among them: the password followed by NUL bytes, which scrypt's HMAC (zero-padded keys) takes as the same password.
 */
export function hostileAuthorization(p: Principals, index: number): string {
  const { viewer, admin } = p.users
  const all = [
    'Basic',
    'Basic !!!',
    `Basic ${b64('no-colon')}`,
    `Basic ${b64(':')}`,
    `Basic ${b64('\u0000:\u0000')}`,
    `Basic ${b64(`${viewer.email}\u0000:${viewer.password}`)}`,
    `Basic ${b64("' OR 1=1 --:x")}`,
    `Basic ${b64(`%:${'x'.repeat(100_000)}`)}`,
    `Basic ${b64(`${admin.email.toUpperCase()}:wrong`)}`,
    'Bearer',
    'Bearer ',
    `Bearer ${'a'.repeat(10_000)}`,
    'Bearer crisp_',
    "Bearer crisp_' OR 1=1 --",
    `Bearer ${p.tokens['api-key']}x`,
    `Bearer ${p.tokens['api-key'].slice(0, -1)}`,
    `Bearer ${p.tokens.viewer}x`,
    `Bearer ${p.tokens.viewer.split('.').slice(0, 2).join('.')}.`,
    `Bearer ${swapPayload(p.tokens.viewer, { sub: admin.id, role: 'admin' })}`,
    `Bearer ${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: admin.id, role: 'admin' })).toString('base64url')}.`,
    `Bearer ${p.tokens.viewer}, Basic ${b64('a:b')}`,
    `Bearer ${p.tokens.viewer} ${p.tokens.admin}`,
    'Digest username="x"',
    'Negotiate YIIB',
    'Basic %00',
    'Basic \xff\xfe',
  ]
  return all[index % all.length]
}

/** Gives back working credentials to any role a fuzzed request disabled (a changed password, a revoked key). */
export async function repairPrincipals(app: FastifyInstance, p: Principals): Promise<Role[]> {
  const broken: Role[] = []
  for (const role of ['viewer', 'publisher', 'org-admin', 'admin', ...KEY_ROLES] as const) {
    // An ingest key may do nothing but submit events: an empty batch tells whether it still authenticates.
    const res =
      role === 'ingest-key'
        ? await app.inject({ method: 'POST', url: '/api/v1/events', headers: authHeaders(p, role), payload: [] })
        : await app.inject({ url: '/api/v1/users/me', headers: authHeaders(p, role) })
    if (res.statusCode !== 401) continue
    broken.push(role)
    if (role === 'api-key' || role === 'ingest-key') {
      const key = await keyFor(app, p, role)
      p.tokens[role] = key.key
      p.protectedIds.add(key.id)
      continue
    }
    const user = await createUser(app, { orgId: p.users[role].orgId, role })
    p.users[role] = user
    p.tokens[role] = await loginAs(app, user)
    p.protectedIds.add(user.id)
  }
  return broken
}

/**
 * The data fuzzed requests address: a partner organization that trusts ours and shares a collection, our own
 * collection with objects, a feed, a TAXII status, an export job, an event; victims (an organization, a user)
 * that state-changing requests may alter.
 */
export async function seedData(app: FastifyInstance, knex: Knex, p: Principals): Promise<void> {
  const orgId = p.users.admin.orgId
  const partner = await createOrg(knex, 'Fuzz partner')
  await createOrg(knex, 'Fuzz victim')
  await createUser(app, { orgId, role: 'viewer', email: 'victim@example.test' })
  await trust(knex, partner, orgId, 'High trust')
  await trust(knex, orgId, partner, 'Medium trust')
  const own = await createCollection(knex, orgId, 'trusted', 'Fuzz own')
  const shared = await createCollection(knex, partner, 'public', 'Fuzz shared')
  const publisher = { authorization: `Bearer ${p.tokens.publisher}` }
  const objects = [
    indicator({ name: 'fuzz 203.0.113.9', pattern: "[ipv4-addr:value = '203.0.113.9']" }),
    indicator(),
    indicator({ labels: ['fuzz', '%_'] }),
  ]
  const bundle = await app.inject({
    method: 'POST',
    url: `/api/v1/collections/${own}/bundles`,
    headers: publisher,
    payload: { type: 'bundle', id: 'bundle--5d0c7a9e-2b8f-4c1d-9e3a-7f6b5c4d3e2f', objects },
  })
  if (bundle.statusCode !== 200) throw new Error(`seed bundle: ${bundle.statusCode} ${bundle.body}`)
  await knex('collection_objects')
    .insert(
      (await knex('collection_objects').where({ collection_id: own }).select('object_pk')).map((r) => ({
        object_pk: r.object_pk,
        collection_id: shared,
      })),
    )
    .onConflict()
    .ignore()
  const taxii = await app.inject({
    method: 'POST',
    url: `/taxii2/api/collections/${own}/objects/`,
    headers: { ...publisher, accept: TAXII, 'content-type': TAXII },
    payload: envelope([indicator()]),
  })
  if (taxii.statusCode !== 202) throw new Error(`seed TAXII add: ${taxii.statusCode} ${taxii.body}`)
  await knex('feeds').insert({
    organization_id: orgId,
    collection_id: own,
    name: 'Fuzz feed',
    source_plugin: 'stix-bundle',
    config: { url: 'https://feeds.example.test/x.json' },
    enabled: false,
  })
  const exp = await app.inject({
    method: 'POST',
    url: '/api/v1/exports',
    headers: publisher,
    payload: { format: 'stix-bundle' },
  })
  if (exp.statusCode >= 300) throw new Error(`seed export job: ${exp.statusCode} ${exp.body}`)
  const occurredAt = new Date().toISOString()
  const event = await app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: { authorization: `Bearer ${p.tokens['ingest-key']}` },
    payload: {
      source: 'fuzz',
      event_type: 'connection',
      severity: 'high',
      occurred_at: occurredAt,
      observables: [{ type: 'ipv4-addr', value: '203.0.113.9' }],
    },
  })
  if (event.statusCode >= 300) throw new Error(`seed event: ${event.statusCode} ${event.body}`)
}
