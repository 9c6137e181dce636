import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { buildConsoleApp } from './console-app.js'
import type { Request } from 'playwright-core'
import { fillProperty, hasChromium, launchBrowser, logIn, prebuildConsoleBundle, shot } from './browser.js'
import { createOrg, createUser, TEST_PASSWORD, type TestLike } from '../helper.js'

/** A page on another port of the same host that, once opened, posts a form to the console and loads an image from it. */
async function attackerSite(t: TestLike, consoleUrl: string, victimId: string): Promise<string> {
  const page = `<!doctype html><body>
    <img src="${consoleUrl}/admin/api/resources/users/records/${victimId}/deactivate">
    <form method="POST" action="${consoleUrl}/admin/api/resources/organizations/actions/new"><input name="name" value="Forged by another port"></form>
    <script>document.forms[0].submit()</script></body>`
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    server.closeAllConnections()
    return new Promise((resolve) => server.close(resolve))
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
}

if (!hasChromium()) {
  t.plan(0, 'skipped: /usr/bin/chromium is absent (apt-get install -y chromium; .ci/run does it)')
} else {
  await prebuildConsoleBundle(t)

  t.test(
    "in a real browser: the console works, other pages cannot use it, and it has the admin's rate limit",
    async (t) => {
      // The default limits: 20 requests a minute anonymously, 100 for a signed-in principal.
      const { app, knex, baseUrl } = await buildConsoleApp(t, {
        listen: true,
        env: { CRISP_RATE_LIMIT_ANONYMOUS: '20', CRISP_RATE_LIMIT_AUTHENTICATED: '100' },
      })
      const orgId = await createOrg(knex, 'Platform ops')
      const admin = await createUser(app, { orgId, role: 'admin' })
      const victim = await createUser(app, { orgId, role: 'viewer' })
      const browser = await launchBrowser()
      t.teardown(() => browser.close())
      const page = await browser.context.newPage()
      const statuses: number[] = []
      const budget: { limit: string; remaining: number }[] = []
      page.on('response', (res) => {
        if (!res.url().startsWith(baseUrl)) return
        statuses.push(res.status())
        // API answers are never cached: their headers show what the limiter counted.
        const headers = res.headers()
        if (res.url().includes('/admin/api/'))
          budget.push({ limit: headers['x-ratelimit-limit'], remaining: Number(headers['x-ratelimit-remaining']) })
      })
      await logIn(page, baseUrl, admin.email, TEST_PASSWORD)
      await page.waitForSelector('[data-testid="objects-per-day"]')

      await t.test('its own forms still post: an edit is saved', async (t) => {
        await page.goto(`${baseUrl}/admin/resources/organizations/records/${orgId}/edit`, {
          waitUntil: 'domcontentloaded',
        })
        await page.waitForSelector('[data-testid="property-edit-description"]')
        await fillProperty(page, 'description', 'Runs the platform')
        await page.locator('[data-testid="button-save"]').click()
        await page.waitForURL(/\/records\/[^/]+\/show/, { timeout: 15_000 })
        t.equal((await knex('organizations').where({ id: orgId }).first())?.description, 'Runs the platform')
      })

      await t.test('30 quick page views get no 429', async (t) => {
        statuses.length = 0
        budget.length = 0
        for (let view = 0; view < 30; view++) {
          await page.goto(`${baseUrl}/admin/resources/organizations`, { waitUntil: 'domcontentloaded' })
          await page.waitForSelector('td:has-text("Platform ops")')
        }
        t.notOk(statuses.includes(429), 'never rate limited')
        t.same(
          [...new Set(budget.map((b) => b.limit))],
          ['100'],
          "counted against the admin's budget (100 a minute), not the anonymous 20",
        )
        t.ok(budget[0].remaining - budget.at(-1)!.remaining >= 30, 'every view reached the server and was counted')
      })

      await t.test("a page on another port posting to the console with the admin's cookies is refused", async (t) => {
        const attack = await attackerSite(t, baseUrl, victim.id)
        const post = page.waitForResponse(
          (res) => res.url().endsWith('/actions/new') && res.request().method() === 'POST',
        )
        // The browser sends the image request with the cookies, then hides the answer from the page (CORP):
        // whether it changed anything is read from the database.
        const image = new Promise<void>((resolve) => {
          const done = (req: Request) => req.url().endsWith('/deactivate') && resolve()
          page.on('requestfinished', done)
          page.on('requestfailed', done)
        })
        await page.goto(attack, { waitUntil: 'commit' })
        t.equal((await post).status(), 403, 'the forged form post is refused')
        await image
        await shot(page, 'cross-origin-post-refused')
        t.equal(
          (await knex('organizations').where({ name: 'Forged by another port' })).length,
          0,
          'no organization created',
        )
        t.equal((await knex('users').where({ id: victim.id }).first())?.is_active, true, 'the user was not deactivated')
        await page.goto(`${baseUrl}/admin/resources/organizations`, { waitUntil: 'domcontentloaded' })
        await page.waitForSelector('td:has-text("Platform ops")')
        t.pass('the admin is still signed in')
      })
    },
  )
}
