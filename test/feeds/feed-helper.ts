import { randomUUID } from 'node:crypto'
import path from 'node:path'
import { readFileSync } from 'node:fs'
import type { Knex } from 'knex'
import type { Principal } from '../../core/plugin-api/index.js'
import type { FeedRow, FeedRunRow } from '../../core/model/tables.js'
import type { FeedRunStatus } from '../../core/model/vocabularies.js'
import { buildTestApp, ROOT, type TestApp, type TestLike } from '../helper.js'

export const FEED_FIXTURES = path.join(ROOT, 'test', 'feeds', 'fixtures')
export const PLUGINS_FILE = path.join(FEED_FIXTURES, 'plugins.json')
export const pluginFixture = (plugin: string, file: string) => path.join(ROOT, 'plugins', plugin, 'fixtures', file)

/**
 * Fixture servers listen on 127.0.0.1: test apps and workers admit that one address through the egress policy
 * (tests of the default policy pass `CRISP_FEED_ALLOW_PRIVATE: ''`).
 */
export const FIXTURE_EGRESS_ENV = { CRISP_FEED_ALLOW_PRIVATE: '127.0.0.1/32' }

/** A test app whose plugins file adds the test auth strategy (Authorization: Test …) and an anonymizer. */
export async function buildFeedsApp(
  t: TestLike,
  env: Record<string, string> = {},
  runWorkers = true,
): Promise<TestApp> {
  const plugins = JSON.parse(readFileSync(PLUGINS_FILE, 'utf8'))
  plugins.plugins = plugins.plugins.map((p: { from: string }) => ({
    from: `./${path.relative(ROOT, path.join(FEED_FIXTURES, p.from))}`,
  }))
  return buildTestApp(t, { plugins, runWorkers, env: { CRISP_FEED_RETRY_DELAY: '1', ...FIXTURE_EGRESS_ENV, ...env } })
}

export interface Org {
  id: string
  collectionId: string
  viewer: Principal
  publisher: Principal
  admin: Principal
}

/** An organization with a collection and one principal per role (users inserted directly). */
export async function createOrgWithUsers(knex: Knex, name = `org-${randomUUID().slice(0, 8)}`): Promise<Org> {
  const [{ id }] = await knex('organizations').insert({ name }).returning('id')
  const [{ id: collectionId }] = await knex('collections')
    .insert({ organization_id: id, title: `${name} intel` })
    .returning('id')
  const principal = async (role: Principal['role']): Promise<Principal> => {
    const email = `${role}-${randomUUID().slice(0, 8)}@example.test`
    const [{ id: userId }] = await knex('users').insert({ organization_id: id, email, role }).returning('id')
    return { userId, orgId: id, role, email, via: 'test' }
  }
  return {
    id,
    collectionId,
    viewer: await principal('viewer'),
    publisher: await principal('publisher'),
    admin: await principal('admin'),
  }
}

export const authAs = (p: Principal) => ({
  authorization: `Test ${Buffer.from(JSON.stringify(p)).toString('base64url')}`,
})

/** A run's row; throws (failing the test) when there is none. */
export async function runRow(knex: Knex, runId: string): Promise<FeedRunRow> {
  const run = await knex('feed_runs').where({ id: runId }).first()
  if (!run) throw new Error(`no run ${runId}`)
  return run
}

/** A feed's row; throws (failing the test) when there is none. */
export async function feedRow(knex: Knex, feedId: string): Promise<FeedRow> {
  const feed = await knex('feeds').where({ id: feedId }).first()
  if (!feed) throw new Error(`no feed ${feedId}`)
  return feed
}

/** Polls a run until its status is one of `statuses` (default: finished). */
export async function waitForRun(
  knex: Knex,
  runId: string,
  statuses: readonly FeedRunStatus[] = ['succeeded', 'partial', 'failed'],
  timeoutMs = 30_000,
): Promise<FeedRunRow> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const run = await knex('feed_runs').where({ id: runId }).first()
    if (run && statuses.includes(run.status)) return run
    if (Date.now() > deadline)
      throw new Error(`run ${runId} still ${run?.status} after ${timeoutMs} ms (error: ${run?.error})`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Rows stored for a collection: [stix_id, version] pairs and the count. */
export async function storedObjects(knex: Knex, collectionId: string) {
  return (await knex('collection_objects as c')
    .join('stix_objects as s', 's.pk', 'c.object_pk')
    .where('c.collection_id', collectionId)
    .select('s.stix_id', 's.version', 's.producer_org_id', 's.tlp', 's.document')) as {
    stix_id: string
    version: Date
    producer_org_id: string
    tlp: string | null
    document: Record<string, unknown>
  }[]
}
