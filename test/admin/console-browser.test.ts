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
  timings,
  visit,
} from './browser.js'
import { createOrg, createUser, TEST_PASSWORD } from '../helper.js'

if (!hasChromium()) {
  t.plan(0, 'skipped: /usr/bin/chromium is absent (apt-get install -y chromium; .ci/run does it)')
} else {
  const bundle = await prebuildConsoleBundle(t)

  t.test('an admin runs the platform from the console; others are refused', async (t) => {
    const { app, knex, baseUrl } = await buildConsoleApp(t, { listen: true })
    const opsOrg = await createOrg(knex, 'Platform ops')
    const admin = await createUser(app, { orgId: opsOrg, role: 'admin', email: 'root@ops.example' })
    const viewer = await createUser(app, { orgId: opsOrg, role: 'viewer' })
    const publisher = await createUser(app, { orgId: opsOrg, role: 'publisher' })
    const [collection] = await knex('collections')
      .insert({ organization_id: opsOrg, title: 'Ops intel' })
      .returning('id')
    const [feed] = await knex('feeds')
      .insert({
        organization_id: opsOrg,
        collection_id: collection.id,
        name: 'Nightly bundle',
        source_plugin: 'stix-bundle',
        config: { url: 'http://127.0.0.1:9/bundle.json' },
      })
      .returning('id')

    const prebuilt = await fetch(`${baseUrl}/admin/frontend/assets/components.bundle.js`)
    t.equal(prebuilt.status, 200, 'the prebuilt components bundle is served')

    const browser = await launchBrowser()
    t.teardown(() => browser.close())
    const page = await browser.context.newPage()

    await t.test('a wrong password shows an error', async (t) => {
      await logIn(page, baseUrl, admin.email, 'Wrong-password-123!')
      await page.waitForSelector('text=Wrong email or password')
      await shot(page, 'login-wrong-password')
      t.match(page.url(), /\/admin\/login/)
    })

    for (const user of [viewer, publisher]) {
      await t.test(`a ${user.role} is refused`, async (t) => {
        await logIn(page, baseUrl, user.email, user.password)
        await page.waitForSelector('text=admins only')
        await shot(page, `login-refused-${user.role}`)
        t.match(page.url(), /\/admin\/login/)
        const denied = await knex('audit_log').where({
          action: 'admin_console.login',
          outcome: 'denied',
          actor_user_id: user.id,
        })
        t.equal(denied.length, 1, 'refusal audited')
      })
    }

    await t.test('the admin logs in and sees the dashboard', async (t) => {
      await logIn(page, baseUrl, admin.email, TEST_PASSWORD)
      await page.waitForSelector('[data-testid="organizations"]')
      await page.waitForSelector('[data-testid="objects-per-day"]')
      await shot(page, 'dashboard')
      t.match(await page.textContent('[data-testid="feeds"]'), /1/)
      await visit(page, `${baseUrl}/admin`, '[data-testid="objects-per-day"]', 'dashboard')
    })

    await t.test('creates an organization, a user, a trust level and a trust relationship', async (t) => {
      await visit(
        page,
        `${baseUrl}/admin/resources/organizations/actions/new`,
        '[data-testid="property-edit-name"]',
        'organization: new',
      )
      await fillProperty(page, 'name', 'Partner CERT')
      await fillProperty(page, 'contact_email', 'soc@partner.example')
      await save(page)
      await shot(page, 'organization-created')
      const partner = await knex('organizations').where({ name: 'Partner CERT' }).first()
      assert.ok(partner, 'the partner organization is stored')
      t.ok(partner, 'organization stored')

      await visit(
        page,
        `${baseUrl}/admin/resources/users/actions/new`,
        '[data-testid="property-edit-email"]',
        'user: new',
      )
      await fillProperty(page, 'email', 'analyst@partner.example')
      await fillProperty(page, 'display_name', 'Ana Lyst')
      await chooseOption(page, 'organization_id', 'Partner CERT')
      await chooseOption(page, 'role', 'publisher')
      await fillProperty(page, 'password', 'Tangerine-Rocket-77-Lamp')
      await save(page)
      await shot(page, 'user-created')
      const user = await knex('users').where({ email: 'analyst@partner.example' }).first()
      assert.ok(user, 'the user is stored')
      t.match(user, { organization_id: partner.id, role: 'publisher', display_name: 'Ana Lyst' })
      t.match(user.password_hash, /^scrypt\$/, 'password hashed by the user service')

      await visit(
        page,
        `${baseUrl}/admin/resources/trust_levels/actions/new`,
        '[data-testid="property-edit-name"]',
        'trust level: new',
      )
      await fillProperty(page, 'name', 'Sector peers')
      await fillProperty(page, 'level', '3')
      await chooseOption(page, 'anonymization_level', 'medium')
      await save(page)
      const level = await knex('trust_levels').where({ name: 'Sector peers' }).first()
      assert.ok(level, 'the trust level is stored')
      t.match(level, { level: 3, anonymization_level: 'medium' })

      await visit(
        page,
        `${baseUrl}/admin/resources/trust_relationships/actions/new`,
        '[data-testid="property-edit-trustor_org_id"]',
        'trust relationship: new',
      )
      await chooseOption(page, 'trustor_org_id', 'Platform ops')
      await chooseOption(page, 'trustee_org_id', 'Partner CERT')
      await chooseOption(page, 'trust_level_id', 'Sector peers')
      await save(page)
      await shot(page, 'trust-relationship-created')
      const rel = await knex('trust_relationships').where({ trustee_org_id: partner.id }).first()
      t.match(rel, { trustor_org_id: opsOrg, trust_level_id: level.id })
    })

    await t.test('runs a feed and sees its run', async (t) => {
      await visit(
        page,
        `${baseUrl}/admin/resources/feeds/records/${feed.id}/show`,
        '[data-testid="action-runNow"]',
        'feed: show',
      )
      await page.locator('[data-testid="action-runNow"]').first().click()
      await page.getByRole('button', { name: 'Confirm' }).click()
      await page.waitForSelector('text=Feed run queued')
      const run = await knex('feed_runs').where({ feed_id: feed.id }).first()
      assert.ok(run, 'run queued through the feed service')
      await visit(
        page,
        `${baseUrl}/admin/resources/feed_runs`,
        `[data-id="${run.id}"], tr:has-text("manual")`,
        'feed runs: list',
      )
      await shot(page, 'feed-runs')
      t.match(await page.textContent('body'), /queued|running|failed|succeeded/i, 'the run is listed')
      await visit(page, `${baseUrl}/admin/resources/feeds`, 'text=Nightly bundle', 'feeds: list')
      t.match(await page.textContent('body'), /(queued|running|failed|succeeded) \(/, 'last run status shown')
    })

    await t.test('finds each action in the audit log', async (t) => {
      for (const action of [
        'organization.create',
        'user.create',
        'trust_level.create',
        'trust_relationship.create',
        'feed.run',
        'auth.login',
      ]) {
        await visit(
          page,
          `${baseUrl}/admin/resources/audit_log?filters.action=${action}`,
          `td:has-text("${action}")`,
          `audit log: ${action}`,
        )
        t.match(await page.textContent('table'), admin.email, `${action} by the admin`)
      }
      await shot(page, 'audit-log')
      const ips = await knex('audit_log').where({ action: 'organization.create' }).pluck('ip')
      t.same(ips, ['127.0.0.1'], 'the audit entry carries the client IP')
    })

    t.teardown(() => {
      console.log(`\nAdmin console page loads (ms, after start-up; build-time bundling took ${bundle.ms} ms):`)
      for (const { page: name, ms } of timings) console.log(`  ${name.padEnd(28)} ${ms}`)
    })
  })
}
