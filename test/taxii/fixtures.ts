import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import { buildTestApp, createOrg, createUser, type TestLike, type TestUser } from '../helper.js'

/** Test apps use a transparent strategy that records the level it applied (test/fixtures/anonymize-mark-level). */
export const MARK_LEVEL_PLUGINS = {
  plugins: [{ from: './test/fixtures/anonymize-mark-level/index.ts' }],
  defaults: { 'anonymization-strategy': 'mark-level' },
}

export const TAXII = 'application/taxii+json;version=2.1'

export async function buildTaxiiApp(t: TestLike, env: Record<string, string> = {}) {
  return buildTestApp(t, { plugins: MARK_LEVEL_PLUGINS, env: { PUBLIC_URL: 'https://crisp.example.test', ...env } })
}

export function basic(user: Pick<TestUser, 'email' | 'password'>): string {
  return `Basic ${Buffer.from(`${user.email}:${user.password}`).toString('base64')}`
}

/** An organization with a publisher and a viewer. */
export async function orgWithUsers(app: FastifyInstance, name: string) {
  const orgId = await createOrg(app.knex, name)
  const publisher = await createUser(app, { orgId, role: 'publisher' })
  const viewer = await createUser(app, { orgId, role: 'viewer' })
  return { orgId, publisher, viewer }
}

export async function createCollection(
  knex: Knex,
  orgId: string,
  visibility: 'private' | 'trusted' | 'public' = 'private',
  title = 'Test collection',
): Promise<string> {
  const [row] = await knex('collections').insert({ organization_id: orgId, title, visibility }).returning('id')
  return row.id
}

/** The owner trusts the trustee at the named default trust level ('Full trust' … 'Untrusted'). */
export async function trust(knex: Knex, trustorOrgId: string, trusteeOrgId: string, levelName: string): Promise<void> {
  const level = await knex('trust_levels').where({ name: levelName }).first('id')
  if (!level) throw new Error(`no trust level named ${levelName}`)
  await knex('trust_relationships').insert({
    trustor_org_id: trustorOrgId,
    trustee_org_id: trusteeOrgId,
    trust_level_id: level.id,
  })
}

let counter = 0
/** A valid indicator; `modified` defaults to `created`. */
export function indicator(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter++
  const created = '2024-01-01T00:00:00.000Z'
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${randomUUID()}`,
    created,
    modified: created,
    name: `Indicator ${counter}`,
    pattern: `[ipv4-addr:value = '198.51.100.${counter % 250}']`,
    pattern_type: 'stix',
    valid_from: created,
    ...overrides,
  }
}

export function envelope(objects: unknown[]): string {
  return JSON.stringify({ objects })
}

/** Publishes a bundle through REST as `user`; throws unless every object was stored. */
export async function publishBundle(
  app: FastifyInstance,
  user: Pick<TestUser, 'email' | 'password'>,
  collectionId: string,
  objects: readonly unknown[],
): Promise<void> {
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/collections/${collectionId}/bundles`,
    headers: { authorization: basic(user) },
    payload: { type: 'bundle', id: `bundle--${randomUUID()}`, objects },
  })
  if (res.statusCode !== 200 || res.json().counts?.rejected !== 0) throw new Error(res.body)
}
