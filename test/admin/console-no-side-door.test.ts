import assert from 'node:assert/strict'
import t from 'tap'
import type { Knex } from 'knex'
import { buildConsoleApp } from './console-app.js'
import {
  consoleAction,
  consoleHeaders,
  consoleLogin,
  cookiesOf,
  loginPageToken,
  SAME_ORIGIN,
  signedInConsole,
} from './console-session.js'
import { createOrg, createUser, loginAs, TEST_PASSWORD } from '../helper.js'
import { ADMIN_CSP } from '../../admin/csp.js'
import { sessionCookieOptions } from '../../admin/session-cookie.js'

const VOLATILE = new Set([
  'id',
  'name',
  'email',
  'createdAt',
  'updatedAt',
  'created_at',
  'updated_at',
  'lastLoginAt',
  'created',
  'modified',
])

/** A row or audit entry with what must differ between two creations (ids, names, times) taken out. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable)
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !VOLATILE.has(k))
        .map(([k, v]) => [k, comparable(v)]),
    )
  }
  return value
}

/** The sealed `Authorization` header of a stored feed config. */
function storedAuthorization(config: unknown): string {
  const headers = typeof config === 'object' && config !== null && 'headers' in config ? config.headers : undefined
  const sealed =
    typeof headers === 'object' && headers !== null && 'Authorization' in headers ? headers.Authorization : undefined
  assert.ok(typeof sealed === 'string', 'the config keeps a sealed Authorization header')
  return sealed
}

async function auditFor(knex: Knex, targetId: string) {
  const rows = await knex('audit_log')
    .where({ target_id: targetId })
    .select('action', 'outcome', 'actor_user_id', 'actor_email', 'actor_org_id', 'ip', 'target_type', 'details')
  return comparable(rows)
}

t.test('console and REST make the same change: same rows, same audit entries', async (t) => {
  const { app, knex } = await buildConsoleApp(t)
  const orgId = await createOrg(knex, 'Platform ops')
  const admin = await createUser(app, { orgId, role: 'admin' })
  const session = await signedInConsole(app, admin.email, TEST_PASSWORD)
  const bearer = { authorization: `Bearer ${await loginAs(app, admin)}` }

  // Organizations
  const viaConsole = await consoleAction(app, session, 'organizations/actions/new', {
    name: 'Org via console',
    description: 'd',
    contact_email: 'a@x.example',
  })
  t.equal(viaConsole.status, 200)
  const viaRest = await app.inject({
    method: 'POST',
    url: '/api/v1/organizations',
    headers: bearer,
    payload: { name: 'Org via REST', description: 'd', contactEmail: 'a@x.example' },
  })
  t.equal(viaRest.statusCode, 201)
  const consoleOrg = await knex('organizations').where({ name: 'Org via console' }).first()
  const restOrg = await knex('organizations').where({ name: 'Org via REST' }).first()
  assert.ok(consoleOrg && restOrg, 'both organizations stored')
  t.same(comparable(consoleOrg), comparable(restOrg), 'same organization row')
  t.same(await auditFor(knex, consoleOrg.id), await auditFor(knex, restOrg.id), 'same organization audit entries')

  // Users (created through the same user service: policy, hash, audit)
  const userFields = {
    display_name: 'Ana',
    organization_id: consoleOrg.id,
    role: 'publisher',
    password: 'Tangerine-Rocket-77-Lamp',
  }
  const u1 = await consoleAction(app, session, 'users/actions/new', { ...userFields, email: 'ana.console@x.example' })
  t.equal(u1.status, 200)
  t.notOk(JSON.stringify(u1.json).includes('scrypt$'), 'no hash in the console answer')
  const u2 = await app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: bearer,
    payload: {
      displayName: 'Ana',
      organizationId: consoleOrg.id,
      role: 'publisher',
      password: 'Tangerine-Rocket-77-Lamp',
      email: 'ana.rest@x.example',
    },
  })
  t.equal(u2.statusCode, 201)
  const [cu, ru] = await Promise.all(
    ['ana.console@x.example', 'ana.rest@x.example'].map((email) => knex('users').where({ email }).first()),
  )
  assert.ok(cu && ru, 'both users stored')
  t.same(
    comparable({ ...cu, password_hash: undefined }),
    comparable({ ...ru, password_hash: undefined }),
    'same user row',
  )
  t.same(await auditFor(knex, cu.id), await auditFor(knex, ru.id), 'same user audit entries')

  // Trust levels
  const tl1 = await consoleAction(app, session, 'trust_levels/actions/new', {
    name: 'Peers console',
    level: '3',
    anonymization_level: 'medium',
    description: 'x',
  })
  t.equal(tl1.status, 200)
  const tl2 = await app.inject({
    method: 'POST',
    url: '/api/v1/trust-levels',
    headers: bearer,
    payload: { name: 'Peers REST', level: 3, anonymizationLevel: 'medium', description: 'x' },
  })
  t.equal(tl2.statusCode, 201)
  const [ctl, rtl] = await Promise.all(
    ['Peers console', 'Peers REST'].map((name) => knex('trust_levels').where({ name }).first()),
  )
  assert.ok(ctl && rtl, 'both trust levels stored')
  t.same(comparable(ctl), comparable(rtl), 'same trust level row')
  t.same(await auditFor(knex, ctl.id), await auditFor(knex, rtl.id), 'same trust level audit entries')
})

t.test('a policy-violating password is refused by the console and by REST alike', async (t) => {
  const { app, knex } = await buildConsoleApp(t)
  const orgId = await createOrg(knex, 'Platform ops')
  const admin = await createUser(app, { orgId, role: 'admin' })
  const session = await signedInConsole(app, admin.email, TEST_PASSWORD)
  const before = await knex('users').count({ n: '*' }).first()
  const weak = await consoleAction(app, session, 'users/actions/new', {
    email: 'weak@x.example',
    organization_id: orgId,
    role: 'viewer',
    password: 'password1',
  })
  t.match(
    weak.json.record.errors.password.message,
    /Password rejected/,
    'the console shows the policy error on the password field',
  )
  t.equal(weak.json.notice.type, 'error')
  const rest = await app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: { authorization: `Bearer ${await loginAs(app, admin)}` },
    payload: { email: 'weak2@x.example', organizationId: orgId, role: 'viewer', password: 'password1password1' },
  })
  t.equal(rest.statusCode, 400)
  t.equal(rest.json().error.code, 'CRISP_PASSWORD_POLICY')
  t.same(await knex('users').count({ n: '*' }).first(), before, 'no user created either way')
})

t.test('deleting a trust level in use is refused with a clear message', async (t) => {
  const { app, knex } = await buildConsoleApp(t)
  const orgId = await createOrg(knex, 'Platform ops')
  const other = await createOrg(knex, 'Partner')
  const admin = await createUser(app, { orgId, role: 'admin' })
  const session = await signedInConsole(app, admin.email, TEST_PASSWORD)
  const level = await knex('trust_levels').where({ name: 'Medium trust' }).first()
  assert.ok(level, 'the default trust level exists')
  await knex('trust_relationships').insert({ trustor_org_id: orgId, trustee_org_id: other, trust_level_id: level.id })
  const res = await consoleAction(app, session, `trust_levels/records/${level.id}/delete`, {})
  t.equal(res.json.notice.type, 'error')
  t.match(res.json.notice.message, /used by trust relationships/)
  t.ok(await knex('trust_levels').where({ id: level.id }).first(), 'still there')
})

t.test('the console has its own CSP and cookie; the API keeps its strict CSP; only admins get in', async (t) => {
  const { app, knex } = await buildConsoleApp(t)
  const orgId = await createOrg(knex, 'Platform ops')
  const admin = await createUser(app, { orgId, role: 'admin' })
  const viewer = await createUser(app, { orgId, role: 'viewer' })
  const loginPage = await app.inject('/admin/login')
  t.equal(loginPage.headers['content-security-policy'], ADMIN_CSP)
  const api = await app.inject('/healthz')
  t.match(api.headers['content-security-policy'], /default-src 'none'/)
  t.notMatch(api.headers['content-security-policy'], /unsafe-inline'?;?\s*script|script-src[^;]*unsafe-inline/)
  const token = await loginPageToken(app)
  const res = await app.inject({
    method: 'POST',
    url: '/admin/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `XSRF-TOKEN=${token}`, ...SAME_ORIGIN },
    payload: new URLSearchParams({ email: admin.email, password: TEST_PASSWORD, _csrf: token }).toString(),
  })
  const cookie = String(res.headers['set-cookie'])
  t.match(cookie, /HttpOnly/)
  t.match(cookie, /SameSite=Strict/)
  t.match(cookie, /Path=\/admin/)
  t.notMatch(cookie, /Secure/, 'not Secure over plain http')
  const page = await app.inject({ url: '/admin', headers: { cookie: `crisp_admin=${cookiesOf(res).crisp_admin}` } })
  const tokenCookie = [page.headers['set-cookie']].flat().find((c) => String(c).startsWith('XSRF-TOKEN='))
  t.match(tokenCookie, /SameSite=Strict/, 'the CSRF token cookie is SameSite=Strict')
  t.match(tokenCookie, /Path=\/admin/)
  t.notMatch(tokenCookie, /HttpOnly/, "readable by the console's scripts, which send it back")
  t.equal(await consoleLogin(app, viewer.email, TEST_PASSWORD), null, 'a viewer is refused')
  t.equal(await consoleLogin(app, admin.email, 'Wrong-password-99!'), null, 'a wrong password is refused')
  const audit = await knex('audit_log')
    .whereIn('action', ['auth.login', 'admin_console.login'])
    .orderBy('id')
    .select('action', 'outcome', 'ip')
  t.match(audit, [
    { action: 'auth.login', outcome: 'success', ip: '127.0.0.1' },
    { action: 'auth.login', outcome: 'success' },
    { action: 'admin_console.login', outcome: 'denied' },
    { action: 'auth.login', outcome: 'failure', ip: '127.0.0.1' },
  ])
  const anonymous = await app.inject({
    url: '/admin/api/resources/users/actions/list',
    headers: { cookie: `XSRF-TOKEN=${token}`, 'x-xsrf-token': token, ...SAME_ORIGIN },
  })
  t.equal(anonymous.statusCode, 302, 'no session: sent to the login page')
})

t.test('the session cookie is Secure when PUBLIC_URL is https', async (t) => {
  t.match(sessionCookieOptions({ publicUrl: 'https://crisp.example' }), {
    secure: true,
    httpOnly: true,
    sameSite: 'strict',
    path: '/admin',
  })
  t.match(sessionCookieOptions({ publicUrl: 'http://127.0.0.1:3000' }), { secure: false })
})

t.test('feeds are created and edited through the feed service; their secrets stay masked', async (t) => {
  const { app, knex } = await buildConsoleApp(t)
  const orgId = await createOrg(knex, 'Platform ops')
  const admin = await createUser(app, { orgId, role: 'admin' })
  const session = await signedInConsole(app, admin.email, TEST_PASSWORD)
  const [collection] = await knex('collections').insert({ organization_id: orgId, title: 'Intel' }).returning('id')
  const config = { url: 'https://feeds.example/bundle.json', headers: { Authorization: 'Bearer top-secret-token' } }
  const fields = {
    name: 'Bundle',
    source_plugin: 'stix-bundle',
    organization_id: orgId,
    collection_id: collection.id,
    config_json: JSON.stringify(config),
    default_tlp: 'green',
    enabled: 'false',
    schedule: '',
  }
  const created = await consoleAction(app, session, 'feeds/actions/new', fields)
  t.equal(created.status, 200)
  t.notMatch(JSON.stringify(created.json), /top-secret-token/, 'the secret never reaches the console')
  const feed = await knex('feeds').where({ name: 'Bundle' }).first()
  assert.ok(feed, 'the feed is stored')
  t.match(feed, { source_plugin: 'stix-bundle', default_tlp: 'green', enabled: false })
  t.equal(
    JSON.parse(app.feedSecrets.open(storedAuthorization(feed.config))),
    'Bearer top-secret-token',
    'stored as given (encrypted)',
  )
  t.match(await knex('audit_log').where({ action: 'feed.create', target_id: feed.id }), [
    { actor_user_id: admin.id, ip: '127.0.0.1' },
  ])

  const shown = await consoleAction(app, session, `feeds/records/${feed.id}/show`)
  t.notMatch(shown.json.record.params.config_json, /top-secret-token/, 'shown masked')
  const masked = shown.json.record.params.config_json
  const edited = await consoleAction(app, session, `feeds/records/${feed.id}/edit`, {
    ...fields,
    name: 'Bundle 2',
    config_json: masked,
  })
  t.equal(edited.status, 200)
  const after = await knex('feeds').where({ id: feed.id }).first()
  assert.ok(after, 'the feed is still stored')
  t.equal(after.name, 'Bundle 2')
  t.equal(
    JSON.parse(app.feedSecrets.open(storedAuthorization(after.config))),
    'Bearer top-secret-token',
    'a masked secret is kept on edit',
  )

  const bad = await consoleAction(app, session, 'feeds/actions/new', {
    ...fields,
    name: 'Broken',
    config_json: JSON.stringify({ url: 'ftp://x' }),
  })
  t.equal(bad.json.notice.type, 'error')
  t.match(bad.json.notice.message, /Invalid feed/, 'the plugin config is validated by the feed service')
})

t.test('the dashboard counts objects, organizations, feeds, failed runs and objects per day', async (t) => {
  const { app, knex } = await buildConsoleApp(t)
  const orgId = await createOrg(knex, 'Platform ops')
  const admin = await createUser(app, { orgId, role: 'admin' })
  const session = await signedInConsole(app, admin.email, TEST_PASSWORD)
  const doc = (n: number) => ({ type: 'indicator', id: `indicator--00000000-0000-4000-8000-00000000000${n}` })
  await knex('stix_objects').insert(
    [1, 2, 3].map((n) => ({
      stix_id: doc(n).id,
      version: new Date(),
      type: 'indicator',
      producer_org_id: orgId,
      document: doc(n),
    })),
  )
  const [collection] = await knex('collections').insert({ organization_id: orgId, title: 'Intel' }).returning('id')
  const [feed] = await knex('feeds')
    .insert({ organization_id: orgId, collection_id: collection.id, name: 'F', source_plugin: 'stix-bundle' })
    .returning('id')
  await knex('feed_runs').insert([
    { feed_id: feed.id, status: 'failed' },
    { feed_id: feed.id, status: 'failed', queued_at: knex.raw("now() - interval '2 days'") },
  ])
  const res = await app.inject({ url: '/admin/api/dashboard', headers: consoleHeaders(session) })
  const figures = res.json()
  t.match(figures, { objectsStored: 3, organizations: 1, feeds: 1, failedRunsLast24h: 1 })
  t.equal(figures.objectsPerDay.length, 14)
  t.equal(figures.objectsPerDay.at(-1).count, 3, 'today has the three objects')
})
