import t from 'tap'
import { createFeed, type FeedServiceContext } from '../../core/feeds/feed-service.js'
import { buildFeedsApp, createOrgWithUsers } from './feed-helper.js'

/** The feed service refuses what REST refuses, whoever calls it (the console and the CLI skip the route schema). */
const { app, knex } = await buildFeedsApp(t, {}, false)
const org = await createOrgWithUsers(knex)
const base = {
  source: 'stix-bundle',
  config: { url: 'http://127.0.0.1:9/b.json' },
  schedule: null,
  collectionId: org.collectionId,
  defaultTlp: 'amber',
  enabled: false,
} as const

for (const [what, name] of [
  ['blank', '   '],
  ['500 characters', 'n'.repeat(500)],
  ['a NUL', 'feed\u0000x'],
  ['not a string', 7],
] as const) {
  t.test(`a feed name that is ${what} is refused by the service, nothing stored`, async (t) => {
    const ctx: FeedServiceContext = {
      knex,
      registry: app.registry,
      actor: org.admin,
      ip: '127.0.0.1',
      secrets: app.feedSecrets,
    }
    await t.rejects(createFeed(ctx, { ...base, name: name as string }), { statusCode: 400, code: 'CRISP_FEED_INVALID' })
    t.equal(Number((await knex('feeds').count({ n: '*' }))[0].n), 0)
  })
}
