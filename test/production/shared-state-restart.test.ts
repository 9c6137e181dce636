import t from 'tap'
import { createUser as createUserService } from '../../core/identity/users.js'
import { createKnex } from '../../core/infra/database.js'
import { createOrg, TEST_PASSWORD } from '../helper.js'
import { findDebianPostgres, startRealPostgres } from './real-postgres.js'
import { freePort, startApiNode } from './shared-state-nodes.js'

/**
 * The notification listener of an API node survives a restart of a real PostgreSQL server (Debian's package,
 * not the embedded one): it reconnects, listens again, and a revocation made after the restart reaches the
 * node, which refuses the credential it had cached before.
 */
// Processes that each load AdminJS, on a shared two-core machine: more than tap's default 120 s may pass.
t.setTimeout(300_000)

t.test(
  'after a PostgreSQL restart the node listens again and hears revocations',
  { skip: findDebianPostgres() ? false : 'no Debian PostgreSQL (apt-get install postgresql)' },
  async (t) => {
    const pgsrv = await startRealPostgres()
    t.teardown(() => pgsrv.destroy())
    const url = await pgsrv.createDatabase('crisp_shared_state')
    const node = await startApiNode({
      name: 'node-r',
      databaseUrl: url,
      port: await freePort(),
      env: { ADMIN_JS_SKIP_BUNDLE: 'true', LOG_LEVEL: 'debug' },
    })
    t.teardown(() => node.stop())
    const me = (token: string) =>
      fetch(`${node.baseUrl}/api/v1/users/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status)

    const before = createKnex(url, { poolMax: 2 })
    const org = await createOrg(before, 'Restart Org')
    const user = await createUserService({
      db: before,
      actor: null,
      input: { organizationId: org, email: 'restart@shared.test', role: 'viewer', password: TEST_PASSWORD },
    })
    await before.destroy()
    const res = await fetch(`${node.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.email, password: TEST_PASSWORD }),
    })
    const { accessToken } = await res.json()
    t.equal(await me(accessToken), 200, 'the node accepts (and caches) the session')

    await pgsrv.restart('fast')
    while (!node.log().includes('notification listener reconnected')) await new Promise((r) => setTimeout(r, 200))
    t.match(node.log(), /notification listener lost its database connection/, 'the loss was logged')
    while (
      (await fetch(`${node.baseUrl}/readyz`).then(
        (r) => r.status,
        () => 0,
      )) !== 200
    )
      await new Promise((r) => setTimeout(r, 200))

    const after = createKnex(url, { poolMax: 2 })
    t.teardown(() => after.destroy())
    t.equal(await me(accessToken), 200, 'still valid after the restart')
    const [{ family_id: family }] = await after('refresh_tokens')
      .where({ user_id: user.id })
      .update({ revoked_at: after.fn.now() })
      .returning('family_id')
    // The node logs each change it hears (LOG_LEVEL=debug): without a listener this never comes, and tap's timeout fails the test.
    while (!node.log().includes(`"change":"session:${family}"`)) await new Promise((r) => setTimeout(r, 20))
    t.equal(
      await me(accessToken),
      401,
      'a session revoked after the restart is refused, long before its 5 s cache entry expires',
    )
  },
)
