import assert from 'node:assert/strict'
import t from 'tap'
import { buildConsoleApp } from './console-app.js'
import {
  chooseOption,
  fillProperty,
  hasChromium,
  launchBrowser,
  logIn,
  prebuildConsoleBundle,
  save,
  shot,
  visit,
} from './browser.js'
import { createOrg, createUser, TEST_PASSWORD } from '../helper.js'

if (!hasChromium()) {
  t.plan(0, 'skipped: /usr/bin/chromium is absent (apt-get install -y chromium; .ci/run does it)')
} else {
  await prebuildConsoleBundle(t)

  t.test("an org-admin manages its own organization's users in the console, and sees no other's", async (t) => {
    const { app, knex, baseUrl } = await buildConsoleApp(t, { listen: true })
    const acme = await createOrg(knex, 'Acme CERT')
    const beta = await createOrg(knex, 'Beta SOC')
    const orgAdmin = await createUser(app, { orgId: acme, role: 'org-admin', email: 'lead@acme.example' })
    const bob = await createUser(app, { orgId: beta, role: 'publisher', email: 'bob@beta.example' })

    const browser = await launchBrowser()
    t.teardown(() => browser.close())
    const page = await browser.context.newPage()

    await t.test('logs in; platform resources are not offered', async (t) => {
      await page.setViewportSize({ width: 1440, height: 900 }) // wide enough for the sidebar to stay open
      await logIn(page, baseUrl, orgAdmin.email, TEST_PASSWORD)
      await page.waitForSelector('[data-testid="objects-per-day"]')
      await page.waitForSelector('text=Navigation')
      await shot(page, 'org-admin-dashboard')
      const body = await page.textContent('body')
      t.match(body, /Identity/, 'the identity resources (users, API keys) are offered')
      // The audit log is the Operations group's only resource: the group is absent when it is refused.
      t.notMatch(body, /Operations/, 'the audit log is not')
    })

    await t.test('creates a user in its own organization', async (t) => {
      await visit(
        page,
        `${baseUrl}/admin/resources/users/actions/new`,
        '[data-testid="property-edit-email"]',
        'org-admin: new user',
      )
      await fillProperty(page, 'email', 'analyst@acme.example')
      await fillProperty(page, 'display_name', 'Ana Lyst')
      await chooseOption(page, 'organization_id', 'Acme CERT')
      await chooseOption(page, 'role', 'viewer')
      await fillProperty(page, 'password', 'Tangerine-Rocket-77-Lamp')
      await save(page)
      await shot(page, 'org-admin-user-created')
      const user = await knex('users').where({ email: 'analyst@acme.example' }).first()
      assert.ok(user, 'the user is stored')
      t.match(user, { organization_id: acme, role: 'viewer', display_name: 'Ana Lyst' })
      const audit = await knex('audit_log').where({ action: 'user.create', target_id: user.id }).first()
      t.equal(audit?.actor_user_id, orgAdmin.id, 'created by the org-admin, audited')
    })

    await t.test('the user list shows its organization only', async (t) => {
      await visit(page, `${baseUrl}/admin/resources/users`, 'td:has-text("analyst@acme.example")', 'org-admin: users')
      await shot(page, 'org-admin-users')
      const body = await page.textContent('body')
      t.match(body, /lead@acme\.example/)
      t.notMatch(body, /bob@beta\.example/, "the other organization's user is not listed")
      await visit(
        page,
        `${baseUrl}/admin/resources/users?filters.organization_id=${beta}`,
        'table, [data-testid="no-records"], h2, h3',
        'org-admin: users of beta',
      )
      t.notMatch(await page.textContent('body'), /bob@beta\.example/, 'not even when the list is filtered for it')
    })

    await t.test("a direct link to another organization's user shows nothing of it", async (t) => {
      await page.goto(`${baseUrl}/admin/resources/users/records/${bob.id}/show`, { waitUntil: 'domcontentloaded' })
      await page.waitForSelector('text=/cannot be found/i', { timeout: 20_000 })
      await shot(page, 'org-admin-foreign-user')
      t.notMatch(await page.textContent('body'), /bob@beta\.example/)
      await page.goto(`${baseUrl}/admin/resources/users/records/${bob.id}/edit`, { waitUntil: 'domcontentloaded' })
      await page.waitForSelector('text=/cannot be found/i', { timeout: 20_000 })
      t.equal(await page.locator('[data-testid="property-edit-email"]').count(), 0, 'no edit form for it')
    })
  })
}
