import t from 'tap'
import { buildTestApp, createOrg, createUser, TEST_PASSWORD } from '../helper.js'
import { freePort, liveTestApp } from '../live-app.js'
import { request, selfSignedCert, startReverseProxy } from '../reverse-proxy.js'

const JSON_BODY = { 'content-type': 'application/json' }
const login = (base: string, from: string, email: string, password: string, headers: Record<string, string> = {}) =>
  request(`${base}/api/v1/auth/login`, {
    method: 'POST',
    from,
    headers: { ...JSON_BODY, ...headers },
    body: JSON.stringify({ email, password }),
  })

t.test('behind a trusted proxy, limits and audit see the real client, not the proxy', async (t) => {
  const { app, knex, url } = await liveTestApp(t, {
    env: { CRISP_TRUST_PROXY: '127.0.0.1', CRISP_RATE_LIMIT_ANONYMOUS: '10' },
  })
  const proxy = await startReverseProxy(t, { target: url })
  const orgId = await createOrg(knex, 'Ops')
  const alice = await createUser(app, { orgId, role: 'viewer' })
  const bob = await createUser(app, { orgId, role: 'viewer' })

  // Client A (127.0.0.2) sprays five wrong passwords over five accounts: its address is locked, no account is.
  for (let i = 0; i < 5; i++)
    t.equal((await login(proxy.url, '127.0.0.2', `nobody-${i}@example.test`, 'Wrong-password-1!')).status, 401)
  const lockedA = await login(proxy.url, '127.0.0.2', alice.email, TEST_PASSWORD)
  t.equal(lockedA.status, 429, 'client A is locked out, even with a right password')
  const clientB = await login(proxy.url, '127.0.0.3', bob.email, TEST_PASSWORD)
  t.equal(clientB.status, 200, 'client B behind the same proxy is not')

  const failures = await knex('audit_log').where({ action: 'auth.login', outcome: 'failure' }).select('ip')
  t.same([...new Set(failures.map((f) => f.ip))], ['127.0.0.2'], 'audit entries carry the real client address')
  const success = await knex('audit_log').where({ action: 'auth.login', outcome: 'success' }).select('ip')
  t.same(
    success.map((s) => s.ip),
    ['127.0.0.3'],
  )

  // Anonymous rate limit (10/min) per real client: A spent 6, so 4 more pass and the next is refused; B has its own.
  for (let i = 0; i < 4; i++) t.equal((await request(`${proxy.url}/`, { from: '127.0.0.2' })).status, 200)
  t.equal((await request(`${proxy.url}/`, { from: '127.0.0.2' })).status, 429, 'client A has spent its budget')
  const b = await request(`${proxy.url}/`, { from: '127.0.0.3' })
  t.equal(b.status, 200, 'client B has not')
  t.equal(b.headers['x-ratelimit-remaining'], '8', 'B counted apart: its login and this request')

  // A peer that is not the trusted proxy cannot pick its address with X-Forwarded-For.
  const spoofed = await login(url, '127.0.0.4', 'spoof@example.test', 'Wrong-password-1!', {
    'x-forwarded-for': '203.0.113.9',
  })
  t.equal(spoofed.status, 401)
  const entry = await knex('audit_log').where({ action: 'auth.login', actor_email: 'spoof@example.test' }).first()
  t.equal(entry?.ip, '127.0.0.4', 'an untrusted peer is audited by its own address')
})

t.test('without CRISP_TRUST_PROXY, X-Forwarded-* are ignored', async (t) => {
  const { knex, url } = await liveTestApp(t, { env: { CRISP_RATE_LIMIT_ANONYMOUS: '3' } })
  for (let i = 0; i < 2; i++) {
    const res = await login(url, '127.0.0.5', 'spoof@example.test', 'Wrong-password-1!', {
      'x-forwarded-for': `198.51.100.${i}`,
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'evil.example',
    })
    t.equal(res.status, 401)
  }
  const ips = await knex('audit_log').where({ action: 'auth.login', actor_email: 'spoof@example.test' }).pluck('ip')
  t.same(ips, ['127.0.0.5', '127.0.0.5'], 'the peer address, not the header')
  const third = await request(`${url}/`, { from: '127.0.0.5', headers: { 'x-forwarded-for': '198.51.100.7' } })
  t.equal(third.headers['x-ratelimit-remaining'], '0', 'one limiter key whatever X-Forwarded-For says')
})

t.test(
  'CRISP_ALLOWED_HOSTS refuses other hosts (421), honours X-Forwarded-Host from a trusted proxy, exempts probes',
  async (t) => {
    const { app } = await liveTestApp(t, {
      env: { CRISP_ALLOWED_HOSTS: 'crisp.example.org, 127.0.0.1', CRISP_TRUST_PROXY: '1' },
    })
    const refused = await app.inject({ url: '/', headers: { host: 'evil.example' } })
    t.equal(refused.statusCode, 421)
    t.equal(refused.json().error.code, 'CRISP_HOST_NOT_ALLOWED')
    t.match(refused.json().error.message, /evil\.example/)
    t.equal((await app.inject({ url: '/taxii2/', headers: { host: 'evil.example' } })).statusCode, 421, 'TAXII too')
    t.equal(
      (await app.inject({ url: '/', headers: { host: 'CRISP.example.org:8443' } })).statusCode,
      200,
      'any port of an allowed name, any case',
    )
    t.equal(
      (await app.inject({ url: '/healthz', headers: { host: 'evil.example' } })).statusCode,
      200,
      'liveness answers any host',
    )
    const forwarded = await app.inject({ url: '/', headers: { host: '127.0.0.1', 'x-forwarded-host': 'evil.example' } })
    t.equal(forwarded.statusCode, 421, 'the host the client addressed at the trusted proxy counts')
  },
)

t.test('direct TLS: https listener, plain-HTTP redirect to PUBLIC_URL, never to the Host header', async (t) => {
  const cert = selfSignedCert(t)
  const redirectPort = await freePort()
  const port = await freePort()
  const { app } = await buildTestApp(t, {
    env: {
      CRISP_TLS_CERT: cert.certFile,
      CRISP_TLS_KEY: cert.keyFile,
      CRISP_HTTP_REDIRECT_PORT: String(redirectPort),
      PUBLIC_URL: `https://localhost:${port}`,
      PORT: String(port),
    },
  })
  await app.listen({ port, host: '127.0.0.1' })
  const health = await request(`https://127.0.0.1:${port}/healthz`, { ca: cert.cert })
  t.equal(health.status, 200, 'served over https')
  await t.rejects(request(`http://127.0.0.1:${port}/healthz`), 'no plain HTTP on the TLS port')
  const moved = await request(`http://127.0.0.1:${redirectPort}/taxii2/collections/?limit=5`, {
    headers: { host: 'evil.example' },
  })
  t.equal(moved.status, 301)
  t.equal(
    moved.headers.location,
    `https://localhost:${port}/taxii2/collections/?limit=5`,
    'path and query kept, host from PUBLIC_URL',
  )
})
