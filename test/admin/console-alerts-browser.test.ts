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
  shot,
  visit,
} from './browser.js'
import { createOrg, createUser, loginAs, TEST_PASSWORD } from '../helper.js'
import { bearer, event, postEvents } from '../events/fixtures.js'

if (!hasChromium()) {
  t.plan(0, 'skipped: /usr/bin/chromium is absent (apt-get install -y chromium; .ci/run does it)')
} else {
  await prebuildConsoleBundle(t)

  t.test(
    "in a real browser: the console lists, filters and changes the alerts of the admin's organization",
    async (t) => {
      const { app, knex, baseUrl } = await buildConsoleApp(t, { listen: true })
      const opsOrg = await createOrg(knex, 'Platform ops')
      const otherOrg = await createOrg(knex, 'Other member')
      const admin = await createUser(app, { orgId: opsOrg, role: 'admin', email: 'root@ops.example' })
      const otherAdmin = await createUser(app, { orgId: otherOrg, role: 'admin' })
      const opsToken = await loginAs(app, admin)
      const stored = await postEvents(app, bearer(opsToken), [
        event({ severity: 'High', source: 'edr-ops' }),
        event({ severity: 'Critical', source: 'siem-ops' }),
        event({ severity: 'Critical', source: 'siem-ops' }),
        event({ severity: 'Critical', source: 'siem-ops' }),
        event({ severity: 'Low', source: 'siem-ops' }),
      ])
      t.equal(stored.statusCode, 201)
      const alertIds: string[] = stored
        .json()
        .results.map((r: { alertId: string | null }) => r.alertId)
        .filter(Boolean)
      t.equal(alertIds.length, 4, 'four alerts (Low raises none)')
      // One Critical alert resolved through REST beforehand: it is not open any more.
      for (const status of ['acknowledged', 'resolved']) {
        const res = await app.inject({
          method: 'PATCH',
          url: `/api/v1/alerts/${alertIds[3]}`,
          headers: bearer(opsToken),
          payload: { status },
        })
        t.equal(res.statusCode, 200)
      }
      const otherStored = await postEvents(app, bearer(await loginAs(app, otherAdmin)), [
        event({ severity: 'Critical', source: 'secret-source-of-other' }),
      ])
      const otherAlertId: string = otherStored.json().results[0].alertId

      const browser = await launchBrowser()
      t.teardown(() => browser.close())
      const page = await browser.context.newPage()
      await logIn(page, baseUrl, admin.email, TEST_PASSWORD)

      await t.test("the dashboard counts the organization's open alerts by severity", async (t) => {
        await page.waitForSelector('[data-testid="open-alerts-critical"] h2:text-matches("^[0-9]+$")')
        await shot(page, 'dashboard-alerts')
        const counts = await page.$$eval('[data-testid^="open-alerts-"] h2', (els) => els.map((e) => e.textContent))
        t.same(
          counts,
          ['0', '0', '1', '2'],
          "Low 0, Medium 0, High 1, Critical 2 (one resolved, the other organization's not counted)",
        )
      })

      await t.test("the list shows the organization's alerts only, and filters", async (t) => {
        await visit(page, `${baseUrl}/admin/resources/alerts`, `[data-id="${alertIds[0]}"]`, 'alerts: list')
        await shot(page, 'alerts-list')
        for (const id of alertIds) t.equal(await page.locator(`[data-id="${id}"]`).count(), 1, `own alert ${id} listed`)
        t.equal(
          await page.locator(`[data-id="${otherAlertId}"]`).count(),
          0,
          "the other organization's alert is not listed",
        )
        t.notMatch(await page.textContent('body'), /secret-source-of-other/)

        await visit(
          page,
          `${baseUrl}/admin/resources/alerts?filters.severity=4&filters.status=open`,
          `[data-id="${alertIds[1]}"]`,
          'alerts: filtered',
        )
        const rows = await page.locator('tr[data-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')))
        t.same(rows.sort(), [alertIds[1], alertIds[2]].sort(), 'Critical and open: exactly the two')

        // Asking for the other organization in the query changes nothing: the list is pinned to the admin's own.
        await visit(
          page,
          `${baseUrl}/admin/resources/alerts?filters.organization_id=${otherOrg}`,
          `[data-id="${alertIds[0]}"]`,
          'alerts: forced organization',
        )
        t.equal(await page.locator(`[data-id="${otherAlertId}"]`).count(), 0)
        const api = await page.evaluate(
          async (url) => (await fetch(url)).status,
          `${baseUrl}/admin/api/resources/alerts/records/${otherAlertId}/show`,
        )
        t.not(api, 200, "the other organization's alert cannot be opened")
      })

      await t.test('a status change goes through the alerts service', async (t) => {
        const id = alertIds[0]
        await visit(
          page,
          `${baseUrl}/admin/resources/alerts/records/${id}/edit`,
          '[data-testid="property-edit-new_status"]',
          'alert: change status',
        )
        await chooseOption(page, 'new_status', 'acknowledged')
        await fillProperty(page, 'note', 'Looking into it')
        await page.locator('[data-testid="button-save"]').click()
        await page.waitForURL(/\/records\/[^/]+\/show/, { timeout: 15_000 })
        await shot(page, 'alert-acknowledged')
        const alert = await knex('alerts').where({ id }).first()
        assert.ok(alert, 'the alert is stored')
        t.equal(alert.status, 'acknowledged')
        t.ok(alert.acknowledged_at, 'the workflow set the acknowledgement time')
        const history = await knex('alert_history')
          .where({ alert_id: id })
          .whereNot({ change: 'created' })
          .orderBy('id')
        t.match(history, [
          { change: 'status', from_value: 'open', to_value: 'acknowledged', actor_user_id: admin.id },
          { change: 'note', actor_user_id: admin.id },
        ])
        t.equal((await knex('alert_notes').where({ alert_id: id }).first())?.body, 'Looking into it')
        const audit = await knex('audit_log').where({ action: 'alert.status', target_id: id }).first()
        t.match(audit, {
          actor_user_id: admin.id,
          actor_org_id: opsOrg,
          ip: '127.0.0.1',
          details: { before: 'open', after: 'acknowledged' },
        })

        // Reopening without a reason is refused by the workflow, as by REST; the form says why.
        await visit(
          page,
          `${baseUrl}/admin/resources/alerts/records/${id}/edit`,
          '[data-testid="property-edit-new_status"]',
          'alert: reopen',
        )
        await chooseOption(page, 'new_status', 'open')
        await page.locator('[data-testid="button-save"]').click()
        await page.waitForSelector('text=Reopening an alert needs a reason')
        t.equal((await knex('alerts').where({ id }).first())?.status, 'acknowledged', 'refused: nothing changed')
        await fillProperty(page, 'reason', 'False positive ruled out too early')
        await page.locator('[data-testid="button-save"]').click()
        await page.waitForURL(/\/records\/[^/]+\/show/, { timeout: 15_000 })
        t.equal((await knex('alerts').where({ id }).first())?.status, 'open')
        t.match(await knex('alert_history').where({ alert_id: id, change: 'status', to_value: 'open' }).first(), {
          from_value: 'acknowledged',
          reason: 'False positive ruled out too early',
        })

        // A jump the workflow forbids (open → resolved) is refused with REST's message.
        await visit(
          page,
          `${baseUrl}/admin/resources/alerts/records/${id}/edit`,
          '[data-testid="property-edit-new_status"]',
          'alert: forbidden jump',
        )
        await chooseOption(page, 'new_status', 'resolved')
        await page.locator('[data-testid="button-save"]').click()
        await page.waitForSelector('text=An alert cannot go from open to resolved')
        t.equal((await knex('alerts').where({ id }).first())?.status, 'open')
      })

      await t.test('the console change leaves the same audit entry as the REST change', async (t) => {
        const viaRest = await app.inject({
          method: 'PATCH',
          url: `/api/v1/alerts/${alertIds[1]}`,
          headers: bearer(opsToken),
          payload: { status: 'acknowledged' },
        })
        t.equal(viaRest.statusCode, 200)
        const pick = async (id: string) => {
          const row = await knex('audit_log').where({ action: 'alert.status', target_id: id }).orderBy('id').first()
          assert.ok(row, `alert ${id} has an audited status change`)
          return {
            action: row.action,
            outcome: row.outcome,
            actor: row.actor_user_id,
            org: row.actor_org_id,
            type: row.target_type,
            details: row.details,
          }
        }
        t.same(await pick(alertIds[0]), { ...(await pick(alertIds[1])) }, 'same action, actor, target and details')
      })

      await t.test("the other organization's alert was never touched", async (t) => {
        t.match(await knex('alerts').where({ id: otherAlertId }).first(), { status: 'open' })
        t.same(
          await knex('alert_history').where({ alert_id: otherAlertId }).pluck('change'),
          ['created'],
          'only its creation in the history',
        )
      })
    },
  )
}
