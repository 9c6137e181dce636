import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { Writable } from 'node:stream'
import t from 'tap'
import { startFixtureServer } from '../contract/feed-source.js'
import { loadConfig } from '../../config/load.js'
import { createKnex } from '../../core/infra/database.js'
import { createLogger } from '../../core/infra/logger.js'
import { createSecretBox, type SecretBox } from '../../core/infra/secret-box.js'
import { createPlatform } from '../../core/platform.js'
import { runFeed } from '../../core/feeds/run-feed.js'
import { insertQueuedRun } from '../../core/feeds/run-queue.js'
import { resealFeedSecrets } from '../../core/feeds/secrets-at-rest.js'
import { storeObjects } from '../../core/store/index.js'
import { ROOT, testEnv } from '../helper.js'
import {
  authAs,
  buildFeedsApp,
  createOrgWithUsers,
  FIXTURE_EGRESS_ENV,
  pluginFixture,
  runRow,
  waitForRun,
} from './feed-helper.js'

/** The credential the source requires: it must never be found in the database, the API or the logs. */
const CANARY = 'Bearer canary-7f3e9d1c-secret-token'
const KEY = testEnv().CRISP_SECRETS_KEY
const NEW_KEY = 'b'.repeat(64)
const bundle = await readFile(pluginFixture('feed-stix-bundle', 'bundle.json'))
const server = await startFixtureServer(async (req, res) => {
  if (req.headers.authorization !== CANARY) return void res.writeHead(401).end('credentials required')
  res.writeHead(200, { 'content-type': 'application/json' }).end(bundle)
})
t.teardown(() => server.close())

const { app, knex, config, databaseUrl, logs } = await buildFeedsApp(t)
const org = await createOrgWithUsers(knex)
const headers = authAs(org.publisher)
const feedConfig = {
  url: `${server.origin}/bundle.json`,
  headers: { Authorization: CANARY, accept: 'application/json' },
}
const storedConfig = async (id: string) =>
  (await knex.raw<{ rows: { config: string }[] }>('SELECT config::text AS config FROM feeds WHERE id = ?', [id]))
    .rows[0].config

async function createFeed(name: string, config: Record<string, unknown> = feedConfig): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/feeds',
    headers,
    payload: { name, source: 'stix-bundle', config, collectionId: org.collectionId },
  })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json().id
}

/** One attempt of a run of `feedId` by a worker whose secrets key is `box` (a node configured otherwise). */
async function runWith(box: SecretBox, feedId: string) {
  const run = await insertQueuedRun(knex, feedId, 'manual')
  if (!run) throw new Error('a run is active')
  const ctx = { knex, registry: app.registry, storeObjects, feeds: config.feeds, log: app.log, secrets: box }
  await runFeed(ctx, run.id, { retryCount: 0, retryLimit: 0 }, new AbortController().signal).catch(() => undefined)
  return runRow(knex, run.id)
}

t.test('the stored config holds no clear secret; the API masks it; a run authenticates with it', async (t) => {
  const id = await createFeed('sealed')
  const stored = await storedConfig(id)
  t.notOk(stored.includes('canary'), 'the canary is nowhere in the row')
  t.match(JSON.parse(stored).headers.Authorization, /^enc:v1:[\w-]+:[\w-]{16}:[\w-]{22}:[\w-]+$/)
  t.equal(JSON.parse(stored).headers.accept, 'application/json', 'values that are not secrets stay readable')
  t.equal(JSON.parse(stored).url, feedConfig.url)
  const shown = (await app.inject({ url: `/api/v1/feeds/${id}`, headers })).json()
  t.equal(shown.config.headers.Authorization, '********')
  const queued = await app.inject({ method: 'POST', url: `/api/v1/feeds/${id}/run`, headers })
  const run = await waitForRun(knex, queued.json().id)
  t.equal(run.status, 'succeeded', run.error ?? '')
  t.ok(run.new_objects > 0)
  t.ok(
    server.requests.some((r) => r.headers.authorization === CANARY),
    'the source got the clear credential',
  )
  t.notOk(logs.join('').includes('canary'), 'never logged')
})

t.test('an update keeps a masked secret sealed, a new one is sealed; both still authenticate', async (t) => {
  const id = await createFeed('updated')
  const masked = (await app.inject({ url: `/api/v1/feeds/${id}`, headers })).json().config
  const before = await storedConfig(id)
  const renamed = await app.inject({
    method: 'PATCH',
    url: `/api/v1/feeds/${id}`,
    headers,
    payload: { name: 'updated again', config: masked },
  })
  t.equal(renamed.statusCode, 200, renamed.body)
  const after = await storedConfig(id)
  t.notOk(after.includes('canary'))
  t.not(after, before, 're-sealed on write (fresh IV)')
  t.equal((await runWith(app.feedSecrets, id)).status, 'succeeded')

  const changed = await app.inject({
    method: 'PATCH',
    url: `/api/v1/feeds/${id}`,
    headers,
    payload: { config: { ...feedConfig, headers: { Authorization: 'Bearer other-canary' } } },
  })
  t.equal(changed.statusCode, 200)
  t.notOk((await storedConfig(id)).includes('other-canary'))
  t.equal((await runWith(app.feedSecrets, id)).status, 'failed', 'the new (wrong) credential is what the source got')
})

t.test(
  'a value that looks sealed, sent by a client, is sealed again: the platform never decrypts it for a client',
  async (t) => {
    const victim = await createFeed('victim')
    const sealed = JSON.parse(await storedConfig(victim)).headers.Authorization
    const copied = await createFeed('copy', { ...feedConfig, headers: { Authorization: sealed } })
    t.equal(
      (await runWith(app.feedSecrets, copied)).status,
      'failed',
      'the run sends the sealed text, not the clear one',
    )
    t.notOk(server.requests.slice(-1)[0].headers.authorization?.includes('canary'))
    const dry = await app.inject({
      method: 'POST',
      url: '/api/v1/feeds/test',
      headers,
      payload: { source: 'stix-bundle', config: { ...feedConfig, headers: { Authorization: sealed } } },
    })
    t.equal(dry.statusCode, 200)
    t.not(dry.json().outcome, 'ok', 'the dry run does not open it either')
    t.equal(server.requests.slice(-1)[0].headers.authorization, sealed)
  },
)

t.test(
  'rotation: the previous key still opens; `rotate` re-seals with the new key; then the old key can go',
  async (t) => {
    const id = await createFeed('rotated')
    const rotating = createSecretBox({ current: NEW_KEY, previous: KEY, variable: 'CRISP_SECRETS_KEY' })
    const newOnly = createSecretBox({ current: NEW_KEY, variable: 'CRISP_SECRETS_KEY' })
    t.equal((await runWith(rotating, id)).status, 'succeeded', 'CRISP_SECRETS_KEY_PREVIOUS opens the old values')
    t.equal((await runWith(newOnly, id)).status, 'failed', 'before the re-seal, the new key alone does not')
    const rotate = await crisp(['secrets', 'rotate'], { CRISP_SECRETS_KEY: NEW_KEY, CRISP_SECRETS_KEY_PREVIOUS: KEY })
    t.equal(rotate.code, 0, rotate.stderr)
    t.match(rotate.stdout, new RegExp(`feeds re-encrypted with key id ${rotating.kid}: [1-9]`))
    t.match(JSON.parse(await storedConfig(id)).headers.Authorization, new RegExp(`^enc:v1:${rotating.kid}:`))
    t.equal((await runWith(newOnly, id)).status, 'succeeded', 'after it, the previous key is no longer needed')
    t.equal((await resealFeedSecrets({ knex, box: rotating, mode: 'rotate' })).sealed, 0, 'idempotent')
    // Put the feed back under the test key for the other tests' nodes.
    await resealFeedSecrets({
      knex,
      box: createSecretBox({ current: KEY, previous: NEW_KEY, variable: 'CRISP_SECRETS_KEY' }),
      mode: 'rotate',
    })
  },
)

t.test(
  'a wrong key: the run ends failed naming the variable and the feed; an update is a 409; nothing crashes',
  async (t) => {
    const id = await createFeed('wrong key')
    const wrong = createSecretBox({ current: 'c'.repeat(64), variable: 'CRISP_SECRETS_KEY' })
    const run = await runWith(wrong, id)
    t.equal(run.status, 'failed')
    t.match(
      run.error,
      /feed "wrong key" \(.+\): the secret at config\/headers\/Authorization cannot be decrypted: .*CRISP_SECRETS_KEY/,
    )

    const other = await node({ CRISP_SECRETS_KEY: 'c'.repeat(64) })
    const masked = (await other.inject({ url: `/api/v1/feeds/${id}`, headers })).json().config
    const res = await other.inject({
      method: 'PATCH',
      url: `/api/v1/feeds/${id}`,
      headers,
      payload: { name: 'renamed', config: masked },
    })
    t.equal(res.statusCode, 409)
    t.equal(res.json().error.code, 'CRISP_FEED_SECRET_UNREADABLE')
    t.match(res.json().error.message, /CRISP_SECRETS_KEY/)
    const resent = await other.inject({
      method: 'PATCH',
      url: `/api/v1/feeds/${id}`,
      headers,
      payload: { config: feedConfig },
    })
    t.equal(resent.statusCode, 200, 'sending the secret again replaces it')
  },
)

t.test('feeds stored in clear (before this version) are sealed when a platform starts', async (t) => {
  const [{ id }] = await knex('feeds')
    .insert({
      organization_id: org.id,
      collection_id: org.collectionId,
      name: 'legacy',
      source_plugin: 'taxii21',
      config: JSON.stringify({
        auth: { type: 'basic', username: 'u', password: 'canary-legacy' },
        headers: { 'X-Api-Key': 'canary-key' },
      }),
    })
    .returning('id')
  t.ok((await storedConfig(id)).includes('canary-legacy'), 'control: stored in clear')
  await node({})
  const stored = JSON.parse(await storedConfig(id))
  t.notOk(JSON.stringify(stored).includes('canary'))
  t.equal(stored.auth.username, 'u')
  t.match(stored.auth.password, /^enc:v1:/)
  t.match(stored.headers['X-Api-Key'], /^enc:v1:/)
  const again = await storedConfig(id)
  await node({})
  t.equal(await storedConfig(id), again, 'a second start changes nothing')
})

/** The `crisp` command on this test's database. */
function crisp(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'crisp.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...testEnv({ DATABASE_URL: databaseUrl, ...env }) },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

/** Another platform on this test's database (no workers), configured with `env`. */
async function node(env: Record<string, string>) {
  const nodeConfig = loadConfig(testEnv({ ...FIXTURE_EGRESS_ENV, ...env }), ROOT)
  nodeConfig.plugins = config.plugins
  const logger = createLogger({ level: 'silent', stream: new Writable({ write: (_c, _e, cb) => cb() }) })
  const { app: other } = await createPlatform({
    config: nodeConfig,
    knex: createKnex(databaseUrl, { poolMax: 2 }),
    databaseUrl,
    logger,
    pluginsBaseDir: ROOT,
    firstAdmin: false,
    runWorkers: false,
  })
  t.teardown(() => other.close())
  return other
}
