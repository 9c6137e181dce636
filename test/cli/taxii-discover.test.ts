import { spawn } from 'node:child_process'
import path from 'node:path'
import t from 'tap'
import { createOrg, createUser, loginAs, ROOT, testEnv } from '../helper.js'
import { liveTestApp } from '../live-app.js'

function crisp(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'crisp.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...testEnv(env) },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c))
    child.stderr.on('data', (c: Buffer) => (stderr += c))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

t.test("crisp taxii discover lists CRISP's own TAXII server's api root and collections on a real port", async (t) => {
  const { app, knex, url } = await liveTestApp(t)
  const orgId = await createOrg(knex, 'Discovering org')
  const user = await createUser(app, { orgId, role: 'publisher' })
  const headers = { authorization: `Bearer ${await loginAs(app, user)}` }
  const collection = (
    await app.inject({
      method: 'POST',
      url: '/api/v1/collections',
      headers,
      payload: { title: 'Pipeline IOCs', visibility: 'private' },
    })
  ).json()
  const key = (
    await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers, payload: { name: 'discover' } })
  ).json().key as string
  const allow = { CRISP_FEED_ALLOW_PRIVATE: '127.0.0.1/32' }

  const withKey = await crisp(['taxii', 'discover', `${url}/taxii2/`, '--api-key', key], allow)
  t.equal(withKey.code, 0, withKey.stderr)
  t.match(withKey.stdout, `api root ${url}/taxii2/api/`)
  t.match(withKey.stdout, `collection ${collection.id}  "Pipeline IOCs"  read: yes  write: yes`)
  t.match(withKey.stdout, `taxii21 feed: {"collectionUrl": "${url}/taxii2/api/collections/${collection.id}/"}`)
  t.notMatch(withKey.stdout, key, 'the key is never printed')

  const withPassword = await crisp(
    ['taxii', 'discover', `${url}/taxii2/api/`, '--user', user.email, '--password', user.password],
    allow,
  )
  t.equal(withPassword.code, 0, withPassword.stderr)
  t.match(withPassword.stdout, `collection ${collection.id}`, 'an api root URL works too, with e-mail and password')

  const anonymous = await crisp(['taxii', 'discover', `${url}/taxii2/`], allow)
  t.equal(anonymous.code, 1, 'discovery is public, the collections are not')
  t.match(anonymous.stdout, /cannot list collections: HTTP 401/)

  const refused = await crisp(['taxii', 'discover', `${url}/taxii2/`, '--api-key', key], {})
  t.equal(refused.code, 1, 'the egress policy a feed meets applies: loopback is refused by default')
  t.match(refused.stderr, /refused by the egress policy.*CRISP_FEED_ALLOW_PRIVATE/)

  const usage = await crisp(['taxii', 'discover', `${url}/taxii2/`, '--user', 'x'], allow)
  t.equal(usage.code, 2)
  t.match(usage.stderr, '--user and --password go together')
})
