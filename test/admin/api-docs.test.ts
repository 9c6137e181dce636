import t from 'tap'
import type { Page } from 'playwright-core'
import { ConfigError, loadConfig } from '../../config/load.js'
import { buildTestApp, createOrg, createUser, loginAs, ROOT, testEnv } from '../helper.js'
import { hasChromium, launchBrowser, shot } from './browser.js'

const basic = (email: string, password: string) => `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`

/** Opens /docs and waits until Swagger UI has rendered the API's operations; returns the CSP violations seen. */
async function openDocs(page: Page, baseUrl: string): Promise<string[]> {
  const violations: string[] = []
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/.test(message.text())) violations.push(message.text())
  })
  await page.goto(`${baseUrl}/docs`, { waitUntil: 'domcontentloaded' })
  await page.waitForSelector('.opblock', { timeout: 20_000 })
  return violations
}

t.test('CRISP_API_DOCS is validated at boot', async (t) => {
  t.throws(() => loadConfig(testEnv({ CRISP_API_DOCS: 'sometimes' }), ROOT), ConfigError)
  t.match(
    t.throws(() => loadConfig(testEnv({ CRISP_API_DOCS: 'sometimes' }), ROOT)),
    { message: /CRISP_API_DOCS/ },
  )
  t.equal(loadConfig(testEnv(), ROOT).apiDocs, 'public', 'public by default')
})

t.test('/docs has its own CSP; the API keeps its strict one', async (t) => {
  const { app } = await buildTestApp(t)
  const docs = await app.inject('/docs/')
  t.equal(docs.statusCode, 200)
  t.match(docs.headers['content-security-policy'], /connect-src 'self'/)
  t.match(docs.headers['content-security-policy'], /script-src 'self'(;|$)/, 'no inline or third-party scripts')
  t.match((await app.inject('/healthz')).headers['content-security-policy'], /default-src 'none'/)
})

t.test('CRISP_API_DOCS=off serves neither the UI nor the document', async (t) => {
  const { app } = await buildTestApp(t, { env: { CRISP_API_DOCS: 'off' } })
  for (const url of ['/docs', '/docs/', '/docs/json', '/docs/yaml'])
    t.equal((await app.inject(url)).statusCode, 404, `${url}: 404`)
  t.equal((await app.inject('/healthz')).statusCode, 200, 'the API is served')
})

t.test('CRISP_API_DOCS=authenticated asks for a login: Bearer or Basic, any role', async (t) => {
  const { app, knex } = await buildTestApp(t, { env: { CRISP_API_DOCS: 'authenticated' } })
  const viewer = await createUser(app, { orgId: await createOrg(knex, 'Readers'), role: 'viewer' })
  for (const url of ['/docs/', '/docs/json']) {
    const anonymous = await app.inject(url)
    t.equal(anonymous.statusCode, 401, `${url}: anonymous 401`)
    t.match(anonymous.headers['www-authenticate'], /Basic/, 'a browser is asked for a login')
  }
  t.equal(
    (await app.inject({ url: '/docs/json', headers: { authorization: `Bearer ${await loginAs(app, viewer)}` } }))
      .statusCode,
    200,
    'Bearer',
  )
  t.equal(
    (await app.inject({ url: '/docs/json', headers: { authorization: basic(viewer.email, viewer.password) } }))
      .statusCode,
    200,
    'Basic',
  )
  t.equal(
    (await app.inject({ url: '/docs/json', headers: { authorization: basic(viewer.email, 'Wrong-password-99!') } }))
      .statusCode,
    401,
    'a wrong password',
  )
})

const noBrowser = hasChromium() ? false : '/usr/bin/chromium is absent (apt-get install -y chromium)'

t.test('/docs in a real browser renders the operations', { skip: noBrowser }, async (t) => {
  const { app } = await buildTestApp(t)
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 })
  const browser = await launchBrowser()
  t.teardown(() => browser.close())
  const page = await browser.context.newPage()
  t.same(await openDocs(page, baseUrl), [], 'no CSP violation')
  await shot(page, 'api-docs')
  t.notMatch(await page.textContent('body'), /Failed to load API definition/)
  t.ok((await page.locator('.opblock').count()) > 40, 'the operations are listed')
})

t.test('/docs behind a login, in a real browser with HTTP Basic credentials', { skip: noBrowser }, async (t) => {
  const { app, knex } = await buildTestApp(t, { env: { CRISP_API_DOCS: 'authenticated' } })
  const viewer = await createUser(app, { orgId: await createOrg(knex, 'Readers'), role: 'viewer' })
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 })
  const browser = await launchBrowser()
  t.teardown(() => browser.close())
  await browser.context.setHTTPCredentials({ username: viewer.email, password: viewer.password })
  t.same(
    await openDocs(await browser.context.newPage(), baseUrl),
    [],
    'loads after the Basic challenge, without CSP violations',
  )
})
