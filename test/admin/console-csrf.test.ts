import t from 'tap'
import { buildConsoleApp } from './console-app.js'
import { consoleHeaders, cookiesOf, loginPageToken, SAME_ORIGIN, signedInConsole } from './console-session.js'
import { createOrg, createUser, TEST_PASSWORD } from '../helper.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const NEW_ORG = '/admin/api/resources/organizations/actions/new'

t.test('a console POST must come from the console origin and carry the session token', async (t) => {
  const { app, knex } = await buildConsoleApp(t)
  const orgId = await createOrg(knex, 'Platform ops')
  const admin = await createUser(app, { orgId, role: 'admin' })
  const other = await createUser(app, { orgId, role: 'admin' })
  const session = await signedInConsole(app, admin.email, TEST_PASSWORD)
  const otherSession = await signedInConsole(app, other.email, TEST_PASSWORD)
  const post = (name: string, headers: Record<string, string>) =>
    app.inject({ method: 'POST', url: NEW_ORG, headers: { ...FORM, ...headers }, payload: `name=${name}` })
  const refusals: [string, Record<string, string>][] = [
    [
      'Origin of another site (curl)',
      { ...consoleHeaders(session), origin: 'https://evil.example', 'sec-fetch-site': '' },
    ],
    [
      'a page on another port of the same host',
      { ...consoleHeaders(session), origin: 'http://localhost:8081', 'sec-fetch-site': 'same-site' },
    ],
    ['neither Origin nor Sec-Fetch-Site', { cookie: session.cookie, 'x-xsrf-token': session.token }],
    ['no token', { cookie: session.cookie, ...SAME_ORIGIN }],
    ['the token of another session', { ...consoleHeaders(session), 'x-xsrf-token': otherSession.token }],
    [
      'a planted cookie and the matching header',
      {
        ...consoleHeaders(session),
        cookie: `${session.cookie.split(';')[0]}; XSRF-TOKEN=${'A'.repeat(43)}`,
        'x-xsrf-token': 'A'.repeat(43),
      },
    ],
  ]
  for (const [label, headers] of refusals) {
    // An empty header value stands for "not sent".
    const sent = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== ''))
    const res = await post('Forged', sent)
    t.equal(res.statusCode, 403, `${label}: refused`)
    t.equal(res.json().error.code, 'CRISP_CSRF_REFUSED')
  }
  t.equal((await knex('organizations').where({ name: 'Forged' })).length, 0, 'nothing created')
  const audited = await knex('audit_log')
    .where({ action: 'permission.denied', actor_user_id: admin.id })
    .select('details')
  t.equal(audited.length, refusals.length, 'refusals of a signed-in session are audited')
  t.ok(
    audited.every(
      (a) =>
        typeof a.details === 'object' &&
        a.details !== null &&
        'reason' in a.details &&
        /Console request refused/.test(String(a.details.reason)),
    ),
  )
  const ok = await post('Genuine', consoleHeaders(session))
  t.equal(ok.statusCode, 200, 'the console itself still works')
  t.ok(await knex('organizations').where({ name: 'Genuine' }).first())
})

t.test('record actions the console runs as GET (deactivate, revoke, run now) need the token too', async (t) => {
  const { app, knex } = await buildConsoleApp(t)
  const orgId = await createOrg(knex, 'Platform ops')
  const admin = await createUser(app, { orgId, role: 'admin' })
  const victim = await createUser(app, { orgId, role: 'viewer' })
  const session = await signedInConsole(app, admin.email, TEST_PASSWORD)
  const url = `/admin/api/resources/users/records/${victim.id}/deactivate`
  // What an <img src> on another page sends: the cookies, no token.
  const forged = await app.inject({ url, headers: { cookie: session.cookie } })
  t.equal(forged.statusCode, 403)
  const encoded = await app.inject({ url: url.replace('/api/', '/%61pi/'), headers: { cookie: session.cookie } })
  t.not(encoded.statusCode, 200, 'a percent-encoded path is no way around')
  t.equal((await knex('users').where({ id: victim.id }).first())?.is_active, true, 'still active')
  const genuine = await app.inject({ url, headers: consoleHeaders(session) })
  t.equal(genuine.statusCode, 200)
  t.equal((await knex('users').where({ id: victim.id }).first())?.is_active, false, 'deactivated by the console')
})

t.test('the login form is protected by a double-submit token and the origin check', async (t) => {
  const { app, knex } = await buildConsoleApp(t)
  const admin = await createUser(app, { orgId: await createOrg(knex, 'Platform ops'), role: 'admin' })
  const token = await loginPageToken(app)
  t.match(token, /^[\w-]{43}$/, 'the login page sets the token cookie')
  const login = (headers: Record<string, string>, fields: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url: '/admin/login',
      headers: { ...FORM, ...headers },
      payload: new URLSearchParams({ email: admin.email, password: TEST_PASSWORD, ...fields }).toString(),
    })
  const withoutField = await login({ ...SAME_ORIGIN, cookie: `XSRF-TOKEN=${token}` }, {})
  t.equal(withoutField.statusCode, 403, 'no token field: refused')
  const mismatch = await login({ ...SAME_ORIGIN, cookie: `XSRF-TOKEN=${token}` }, { _csrf: 'B'.repeat(43) })
  t.equal(mismatch.statusCode, 403, 'a field that does not match the cookie: refused')
  const crossSite = await login({ origin: 'https://evil.example', cookie: `XSRF-TOKEN=${token}` }, { _csrf: token })
  t.equal(crossSite.statusCode, 403, 'another origin: refused')
  t.notOk(cookiesOf(crossSite).crisp_admin, 'no session from a refused login')
  const ok = await login({ ...SAME_ORIGIN, cookie: `XSRF-TOKEN=${token}` }, { _csrf: token })
  t.equal(ok.statusCode, 302, "the console's own form logs in")
  const page = await app.inject({
    url: '/admin',
    headers: { cookie: `crisp_admin=${cookiesOf(ok).crisp_admin}; XSRF-TOKEN=${token}` },
  })
  t.not(cookiesOf(page)['XSRF-TOKEN'], token, 'signed in, the token changes to one bound to the session')
})

t.test('logout (a link in AdminJS) is refused from another site', async (t) => {
  const { app, knex } = await buildConsoleApp(t)
  const admin = await createUser(app, { orgId: await createOrg(knex, 'Platform ops'), role: 'admin' })
  const session = await signedInConsole(app, admin.email, TEST_PASSWORD)
  const forged = await app.inject({
    url: '/admin/logout',
    headers: { cookie: session.cookie, 'sec-fetch-site': 'same-site' },
  })
  t.equal(forged.statusCode, 403)
  t.equal(
    (await app.inject({ url: '/admin/api/dashboard', headers: consoleHeaders(session) })).statusCode,
    200,
    'still signed in',
  )
  const genuine = await app.inject({
    url: '/admin/logout',
    headers: { cookie: session.cookie, 'sec-fetch-site': 'same-origin' },
  })
  t.equal(genuine.statusCode, 302)
  t.equal(
    (await app.inject({ url: '/admin/api/dashboard', headers: consoleHeaders(session) })).statusCode,
    302,
    'signed out',
  )
})

t.test('the console answers only under /admin and stays out of the OpenAPI document', async (t) => {
  const { app, knex } = await buildConsoleApp(t)
  await createUser(app, { orgId: await createOrg(knex, 'Platform ops'), role: 'admin' })
  const refresh = await app.inject({ method: 'POST', url: '/refresh-token' })
  t.equal(refresh.statusCode, 404, "AdminJS's refresh-token route outside /admin: unknown")
  t.equal(refresh.json().error.code, 'CRISP_ROUTE_NOT_FOUND')
  // The router decodes %61 to "a", AdminJS's login check did not: this listed every user without a session.
  const escaped = await app.inject('/%61dmin/api/resources/users/actions/list')
  t.equal(escaped.statusCode, 404, 'a percent-encoded /admin is no way around the login')
  t.notMatch(escaped.body, /@example\.test/)
  const paths = Object.keys((await app.inject('/docs/json')).json().paths)
  t.same(
    paths.filter((p) => p.startsWith('/admin') || p.startsWith('/refresh-token')),
    [],
    'no console route documented',
  )
  t.ok(paths.includes('/api/v1/organizations'), 'the API still is')
})

t.test("console requests count against the signed-in admin's budget, not the anonymous one", async (t) => {
  const { app, knex } = await buildConsoleApp(t, {
    env: { CRISP_RATE_LIMIT_ANONYMOUS: '20', CRISP_RATE_LIMIT_AUTHENTICATED: '100' },
  })
  const admin = await createUser(app, { orgId: await createOrg(knex, 'Platform ops'), role: 'admin' })
  const session = await signedInConsole(app, admin.email, TEST_PASSWORD)
  const statuses: number[] = []
  // A page view: the page itself, then the list the page asks the JSON API for.
  for (let view = 0; view < 30; view++) {
    const page = await app.inject({ url: '/admin/resources/organizations', headers: { cookie: session.cookie } })
    const list = await app.inject({
      url: '/admin/api/resources/organizations/actions/list',
      headers: consoleHeaders(session),
    })
    statuses.push(page.statusCode, list.statusCode)
    if (view === 29) t.equal(list.headers['x-ratelimit-limit'], '100', 'the authenticated budget')
  }
  t.same([...new Set(statuses)], [200], '60 requests, no 429')
})
