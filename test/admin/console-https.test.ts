import t from 'tap'
import { buildConsoleApp } from './console-app.js'
import { cookiesOf, SAME_ORIGIN } from './console-session.js'
import { hasChromium, launchBrowser, logIn, prebuildConsoleBundle } from './browser.js'
import { createOrg, createUser, TEST_PASSWORD } from '../helper.js'
import { freePort } from '../live-app.js'
import { request, selfSignedCert, startReverseProxy } from '../reverse-proxy.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const setCookieLine = (headers: Record<string, unknown>, name: string) => {
  const raw = headers['set-cookie']
  return (Array.isArray(raw) ? raw : [String(raw ?? '')]).find((line: string) => line.startsWith(`${name}=`)) ?? ''
}

await prebuildConsoleBundle(t)

t.test(
  'TLS at a trusted proxy: a browser logs in over https and the session cookie is Secure',
  { skip: !hasChromium() && 'no /usr/bin/chromium' },
  async (t) => {
    const cert = selfSignedCert(t)
    const proxyPort = await freePort()
    const publicUrl = `https://127.0.0.1:${proxyPort}`
    const { app, knex, baseUrl } = await buildConsoleApp(t, {
      listen: true,
      env: { PUBLIC_URL: publicUrl, CRISP_TRUST_PROXY: 'loopback' },
    })
    await startReverseProxy(t, { target: baseUrl, tls: cert, port: proxyPort })
    const orgId = await createOrg(knex, 'Platform ops')
    const admin = await createUser(app, { orgId, role: 'admin' })

    const browser = await launchBrowser({ ignoreHTTPSErrors: true })
    t.teardown(() => browser.close())
    const page = await browser.context.newPage()
    await logIn(page, publicUrl, admin.email, TEST_PASSWORD)
    await page.waitForSelector('[data-testid="organizations"]', { timeout: 20_000 })
    t.match(page.url(), `${publicUrl}/admin`, 'on the dashboard, through the proxy')
    const session = (await browser.context.cookies(`${publicUrl}/admin`)).find((c) => c.name === 'crisp_admin')
    t.match(
      session,
      { secure: true, httpOnly: true, sameSite: 'Strict', path: '/admin' },
      'the session cookie is Secure',
    )
    const audited = await knex('audit_log')
      .where({ action: 'auth.login', outcome: 'success', actor_user_id: admin.id })
      .first()
    t.equal(audited?.ip, '127.0.0.1', 'the address the proxy forwarded')

    // A console login failure from another client behind the proxy is audited with that client's address.
    const loginPage = await request(`${publicUrl}/admin/login`, { from: '127.0.0.7', ca: cert.cert })
    const token = cookiesOf(loginPage)['XSRF-TOKEN']
    const refused = await request(`${publicUrl}/admin/login`, {
      method: 'POST',
      from: '127.0.0.7',
      ca: cert.cert,
      headers: { ...FORM, origin: publicUrl, 'sec-fetch-site': 'same-origin', cookie: `XSRF-TOKEN=${token}` },
      body: new URLSearchParams({ email: admin.email, password: 'Wrong-password-1!', _csrf: token }).toString(),
    })
    t.equal(refused.status, 200, 'the login page again')
    const failure = await knex('audit_log')
      .where({ action: 'auth.login', outcome: 'failure', actor_email: admin.email })
      .first()
    t.equal(failure?.ip, '127.0.0.7', 'the real client of the console login')
  },
)

t.test('direct TLS: the console logs in over https with Secure cookies', async (t) => {
  const cert = selfSignedCert(t)
  const { app, knex, baseUrl } = await buildConsoleApp(t, {
    listen: true,
    env: { CRISP_TLS_CERT: cert.certFile, CRISP_TLS_KEY: cert.keyFile },
  })
  t.match(baseUrl, /^https:\/\/127\.0\.0\.1:\d+$/)
  const admin = await createUser(app, { orgId: await createOrg(knex, 'Ops'), role: 'admin' })
  const loginPage = await request(`${baseUrl}/admin/login`, { ca: cert.cert })
  t.equal(loginPage.status, 200)
  t.match(setCookieLine(loginPage.headers, 'XSRF-TOKEN'), /; Secure/, 'the CSRF cookie is Secure')
  const token = cookiesOf(loginPage)['XSRF-TOKEN']
  const posted = await request(`${baseUrl}/admin/login`, {
    method: 'POST',
    ca: cert.cert,
    headers: { ...FORM, origin: baseUrl, 'sec-fetch-site': 'same-origin', cookie: `XSRF-TOKEN=${token}` },
    body: new URLSearchParams({ email: admin.email, password: TEST_PASSWORD, _csrf: token }).toString(),
  })
  t.equal(posted.status, 302)
  const line = setCookieLine(posted.headers, 'crisp_admin')
  t.match(line, /; Secure/, 'the session cookie is Secure')
  t.match(line, /; HttpOnly/)
  const dashboard = await request(`${baseUrl}/admin`, {
    ca: cert.cert,
    headers: { cookie: `crisp_admin=${cookiesOf(posted).crisp_admin}` },
  })
  t.equal(dashboard.status, 200, 'the session holds')
})

t.test('CRISP_ADMIN_PATH moves the console; /admin is then unknown', async (t) => {
  const { app, knex } = await buildConsoleApp(t, { env: { CRISP_ADMIN_PATH: '/ops/console' } })
  const admin = await createUser(app, { orgId: await createOrg(knex, 'Ops'), role: 'admin' })
  t.equal((await app.inject('/admin/login')).statusCode, 404, '/admin/login is gone')
  t.equal((await app.inject('/admin')).statusCode, 404, '/admin is gone')
  const loginPage = await app.inject('/ops/console/login')
  t.equal(loginPage.statusCode, 200)
  t.match(setCookieLine(loginPage.headers, 'XSRF-TOKEN'), /Path=\/ops\/console/)
  t.match(loginPage.body, '/ops/console/csrf-form.js', 'the page loads the CSRF form script from the new path')
  t.equal((await app.inject('/ops/console/csrf-form.js')).statusCode, 200)
  const token = cookiesOf(loginPage)['XSRF-TOKEN']
  const form = new URLSearchParams({ email: admin.email, password: TEST_PASSWORD, _csrf: token }).toString()
  const forged = await app.inject({
    method: 'POST',
    url: '/ops/console/login',
    headers: { ...FORM, cookie: `XSRF-TOKEN=${token}` },
    payload: form,
  })
  t.equal(forged.statusCode, 403, 'the CSRF guard covers the new path')
  const posted = await app.inject({
    method: 'POST',
    url: '/ops/console/login',
    headers: { ...FORM, ...SAME_ORIGIN, cookie: `XSRF-TOKEN=${token}` },
    payload: form,
  })
  t.equal(posted.statusCode, 302)
  t.match(posted.headers.location, /^\/ops\/console/)
  t.match(setCookieLine(posted.headers, 'crisp_admin'), /Path=\/ops\/console/)
  const session = `crisp_admin=${cookiesOf(posted).crisp_admin}`
  const dashboard = await app.inject({ url: '/ops/console', headers: { cookie: session } })
  t.equal(dashboard.statusCode, 200)
  const list = await app.inject({
    url: '/ops/console/api/resources/organizations/actions/list',
    headers: { cookie: session },
  })
  t.equal(list.statusCode, 403, 'its JSON API still wants the CSRF token')
  t.match((await app.inject('/')).body, 'href="/ops/console"', 'the front door links the new path')
})
