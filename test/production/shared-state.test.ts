import t from 'tap'
import type { Knex } from 'knex'
import { createUser as createUserService } from '../../core/identity/users.js'
import { createOrg, freshDatabase, TEST_PASSWORD } from '../helper.js'
import { freePort, startApiNode, type ApiNode } from './shared-state-nodes.js'

/**
 * Two API nodes (`crisp start --no-workers`, two processes with their own caches and pools) on one database
 * behave as one platform: failed logins, revocations, deactivations and console sessions hold on both. Each
 * check uses the credential on node B first, so B holds it in its caches (5 s for users and sessions, 30 s for
 * API keys), then changes it on A. B drops its entry when PostgreSQL's notification reaches it, a backend
 * wake-up after the commit, which a client's next request can overtake on a loaded machine: so the test waits
 * for B to log that it heard the change (no deadline: without notifications it never comes and tap's timeout
 * fails the test), then asks B again, well inside the TTL.
 */

// Processes that each load AdminJS, on a shared two-core machine: more than tap's default 120 s may pass.
t.setTimeout(300_000)

const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' }

/** Resolves once `node` logged that it heard `change` (`user:<id>`, `session:<id>`, `api_key:<id>`). */
async function heard(node: ApiNode, change: string): Promise<void> {
  while (!node.log().includes(`"change":"${change}"`)) await new Promise((r) => setTimeout(r, 20))
}

/** The session (refresh family) id an access token carries. */
const sessionOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sid

async function call(
  node: ApiNode,
  path: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...init.headers }
  if (init.token) headers.authorization = `Bearer ${init.token}`
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${node.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    redirect: 'manual',
  })
  const text = await res.text()
  return { status: res.status, text, headers: res.headers, json: () => JSON.parse(text) }
}

const login = (node: ApiNode, email: string, password: string) =>
  call(node, '/api/v1/auth/login', { method: 'POST', body: { email, password } })

/** `name=value` of each Set-Cookie of a response. */
const cookiesOf = (headers: Headers) =>
  Object.fromEntries(
    headers
      .getSetCookie()
      .map((line) => line.split(';')[0].split('='))
      .map(([name, ...value]) => [name, value.join('=')]),
  )

/** Signs in to the console of `node` through its login form; returns the session cookie. */
async function consoleLogin(node: ApiNode, email: string, password: string): Promise<string> {
  const page = await fetch(`${node.baseUrl}/admin/login`, { redirect: 'manual' })
  const token = cookiesOf(page.headers)['XSRF-TOKEN']
  const res = await fetch(`${node.baseUrl}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `XSRF-TOKEN=${token}`, ...SAME_ORIGIN },
    body: new URLSearchParams({ email, password, _csrf: token }).toString(),
  })
  const session = cookiesOf(res.headers).crisp_admin
  if (res.status !== 302 || !session) throw new Error(`console login on ${node.name} refused: ${res.status}`)
  return `crisp_admin=${session}`
}

/** The console's home page: 200 when signed in, a redirect to the login page when not. */
async function consoleHome(node: ApiNode, cookie: string): Promise<string> {
  const res = await fetch(`${node.baseUrl}/admin`, { headers: { cookie, ...SAME_ORIGIN }, redirect: 'manual' })
  await res.arrayBuffer()
  return res.status === 200 ? 'signed in' : `${res.status} ${res.headers.get('location')}`
}

async function newUser(knex: Knex, orgId: string, role: 'viewer' | 'admin', email: string) {
  const user = await createUserService({
    db: knex,
    actor: null,
    input: { organizationId: orgId, email, role, password: TEST_PASSWORD },
  })
  return { id: user.id, email }
}

t.test('two API nodes on one database share limits, revocations and console sessions', async (t) => {
  const { url, knex } = await freshDatabase(t)
  const [portA, portB] = [await freePort(), await freePort()]
  // Behind one balancer both nodes answer for one public address. The console's pages are not rendered here:
  // no component bundle needed.
  // Debug: the nodes log each credential change they hear.
  const env = { PUBLIC_URL: `http://127.0.0.1:${portA}`, ADMIN_JS_SKIP_BUNDLE: 'true', LOG_LEVEL: 'debug' }
  const nodes: ApiNode[] = []
  t.teardown(() => Promise.all(nodes.map((n) => n.stop())))
  nodes.push(await startApiNode({ name: 'node-a', databaseUrl: url, port: portA, env }))
  nodes.push(await startApiNode({ name: 'node-b', databaseUrl: url, port: portB, env }))
  const [a, b] = nodes
  const org = await createOrg(knex, 'Shared State Org')
  const admin = await newUser(knex, org, 'admin', 'admin@shared.test')
  const adminToken = (await login(a, admin.email, TEST_PASSWORD)).json().accessToken as string

  await t.test('a session ended on A is refused on B at once', async (t) => {
    const viewer = await newUser(knex, org, 'viewer', 'session@shared.test')
    const { accessToken } = (await login(a, viewer.email, TEST_PASSWORD)).json()
    t.equal(
      (await call(b, '/api/v1/users/me', { token: accessToken })).status,
      200,
      'B accepts (and caches) the session',
    )
    t.equal((await call(a, '/api/v1/auth/logout', { method: 'POST', token: accessToken })).status, 204)
    await heard(b, `session:${sessionOf(accessToken)}`)
    t.equal((await call(b, '/api/v1/users/me', { token: accessToken })).status, 401, 'B refuses it')
  })

  await t.test('an API key revoked on A is refused on B at once', async (t) => {
    const created = await call(a, '/api/v1/api-keys', { method: 'POST', token: adminToken, body: { name: 'shared' } })
    t.equal(created.status, 201)
    const { key, apiKey } = created.json()
    const withKey = { headers: { authorization: `Bearer ${key}` } }
    t.equal((await call(b, '/api/v1/users/me', withKey)).status, 200, 'B accepts (and caches, 30 s) the key')
    t.equal((await call(a, `/api/v1/api-keys/${apiKey.id}`, { method: 'DELETE', token: adminToken })).status, 204)
    await heard(b, `api_key:${apiKey.id}`)
    t.equal(
      (await call(b, '/api/v1/users/me', withKey)).status,
      401,
      'B refuses it, 30 s before its cache entry would expire',
    )
  })

  await t.test('a user deactivated on A (or in SQL) is refused on both nodes at once', async (t) => {
    const viewer = await newUser(knex, org, 'viewer', 'deactivated@shared.test')
    const key = (
      await call(a, '/api/v1/api-keys', {
        method: 'POST',
        token: (await login(a, viewer.email, TEST_PASSWORD)).json().accessToken,
        body: { name: 'v' },
      })
    ).json().key
    const withKey = { headers: { authorization: `Bearer ${key}` } }
    for (const node of nodes)
      t.equal((await call(node, '/api/v1/users/me', withKey)).status, 200, `${node.name} accepts the user`)
    t.equal(
      (await call(a, `/api/v1/users/${viewer.id}`, { method: 'PATCH', token: adminToken, body: { isActive: false } }))
        .status,
      200,
    )
    t.equal(
      (await call(a, '/api/v1/users/me', withKey)).status,
      401,
      'A, which made the change, refuses the user on the next request',
    )
    await heard(b, `user:${viewer.id}`)
    t.equal((await call(b, '/api/v1/users/me', withKey)).status, 401, 'B refuses the user')

    // Not only the API's own writes: a change made outside any node (the CLI, an operator's SQL) reaches them too.
    const other = await newUser(knex, org, 'viewer', 'sql@shared.test')
    const { accessToken } = (await login(b, other.email, TEST_PASSWORD)).json()
    for (const node of nodes) t.equal((await call(node, '/api/v1/users/me', { token: accessToken })).status, 200)
    await knex('users').where({ id: other.id }).update({ is_active: false })
    for (const node of nodes) await heard(node, `user:${other.id}`)
    for (const node of nodes)
      t.equal(
        (await call(node, '/api/v1/users/me', { token: accessToken })).status,
        401,
        `${node.name} refuses after an UPDATE in SQL`,
      )
  })

  await t.test('a console session opened on A works on B, and a logout on A ends it on B', async (t) => {
    const cookie = await consoleLogin(a, admin.email, TEST_PASSWORD)
    const seen = []
    for (const node of [b, a, b, a]) seen.push(await consoleHome(node, cookie))
    t.same(seen, ['signed in', 'signed in', 'signed in', 'signed in'], 'no bouncing between signed in and out')
    const logout = await fetch(`${a.baseUrl}/admin/logout`, { headers: { cookie, ...SAME_ORIGIN }, redirect: 'manual' })
    t.equal(logout.status, 302)
    t.match(await consoleHome(b, cookie), /^302 \/admin\/login/, 'B sends the same cookie to the login page')
    const signedIn = await knex('console_sessions')
      .whereRaw(`data->'adminUser' IS NOT NULL`)
      .count({ n: '*' })
      .then(([r]) => Number(r.n))
    t.equal(signedIn, 0, 'no stored session holds a signed-in admin any more')
  })

  await t.test('a console user deactivated on A is signed out on B', async (t) => {
    const second = await newUser(knex, org, 'admin', 'console-admin@shared.test')
    const cookie = await consoleLogin(b, second.email, TEST_PASSWORD)
    t.equal(await consoleHome(b, cookie), 'signed in')
    t.equal(
      (await call(a, `/api/v1/users/${second.id}`, { method: 'PATCH', token: adminToken, body: { isActive: false } }))
        .status,
      200,
    )
    await heard(b, `user:${second.id}`)
    t.match(await consoleHome(b, cookie), /^302 \/admin\/login/)
  })

  await t.test(
    'the listener reconnects after its connection is cut, and revocations still reach the node',
    async (t) => {
      const listeners = () =>
        knex('pg_stat_activity')
          .where({ application_name: 'crisp-listen', datname: knex.raw('current_database()') })
          .count({ n: '*' })
          .then(([r]) => Number(r.n))
      t.equal(await listeners(), 2, 'one listening connection per node')
      await knex.raw(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'crisp-listen' AND datname = current_database()`,
      )
      const reconnected = () => nodes.every((n) => n.log().includes('notification listener reconnected'))
      while (!reconnected()) await new Promise((r) => setTimeout(r, 100))
      t.equal(await listeners(), 2, 'both nodes listen again')
      const viewer = await newUser(knex, org, 'viewer', 'after-cut@shared.test')
      const { accessToken } = (await login(a, viewer.email, TEST_PASSWORD)).json()
      t.equal((await call(b, '/api/v1/users/me', { token: accessToken })).status, 200)
      t.equal((await call(a, '/api/v1/auth/logout', { method: 'POST', token: accessToken })).status, 204)
      await heard(b, `session:${sessionOf(accessToken)}`)
      t.equal(
        (await call(b, '/api/v1/users/me', { token: accessToken })).status,
        401,
        'B hears the revocation on its new connection',
      )
    },
  )

  // Last: it also locks 127.0.0.1, the address every request of this test comes from.
  await t.test('five failed logins spread over A and B lock the account on both', async (t) => {
    const victim = await newUser(knex, org, 'viewer', 'victim@shared.test')
    const statuses = []
    for (const node of [a, b, a, b, a]) statuses.push((await login(node, victim.email, 'Wrong-Password-11!')).status)
    t.same(statuses, [401, 401, 401, 401, 401])
    for (const node of nodes) {
      const res = await login(node, victim.email, TEST_PASSWORD)
      t.equal(res.status, 429, `${node.name} refuses even the right password`)
      t.ok(Number(res.headers.get('retry-after')) > 0, 'with Retry-After')
    }
  })
})
