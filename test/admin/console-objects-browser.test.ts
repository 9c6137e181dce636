/**
 * The console's object browser (issue 16, item 2): the signed-in admin's organization's objects and what
 * others shared with it, exactly as `GET /api/v1/objects` returns them to that admin — a partner's object
 * anonymized (the console app's strip-text strategy drops free text below level none), its raw canary nowhere
 * in the page. Read-only, and only behind the console login.
 */
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { TLP_MARKING_IDS } from '../../core/store/index.js'
import { buildConsoleApp } from './console-app.js'
import { hasChromium, launchBrowser, logIn, prebuildConsoleBundle, shot, visit } from './browser.js'
import { consoleAction, consoleLogin } from './console-session.js'
import { createOrg, createUser, loginAs, TEST_PASSWORD } from '../helper.js'
import { createCollection, indicator, trust } from '../taxii/fixtures.js'

const CANARY = 'c4n4ry-raw-7f3d91'
const GREEN = [TLP_MARKING_IDS.green]

interface Item {
  collectionId: string
  object: Record<string, unknown> & { id: string }
}

async function api(app: FastifyInstance, token: string, url: string) {
  const res = await app.inject({ url, headers: { authorization: `Bearer ${token}` } })
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}
const recordIds = (items: Item[]) => items.map((i) => `${i.collectionId}.${i.object.id}`).sort()

if (!hasChromium()) {
  t.plan(0, 'skipped: /usr/bin/chromium is absent (apt-get install -y chromium; .ci/run does it)')
} else {
  await prebuildConsoleBundle(t)

  t.test('in a real browser: the object browser shows what the API returns to the admin, anonymized', async (t) => {
    const { app, knex, baseUrl } = await buildConsoleApp(t, { listen: true })
    const home = await createOrg(knex, 'Console org')
    const partner = await createOrg(knex, 'Partner CERT')
    const outsider = await createOrg(knex, 'Outsider')
    const admin = await createUser(app, { orgId: home, role: 'admin', email: 'root@console.example' })
    const homePublisher = await createUser(app, { orgId: home, role: 'publisher' })
    const partnerPublisher = await createUser(app, { orgId: partner, role: 'publisher' })
    const outsiderAdmin = await createUser(app, { orgId: outsider, role: 'admin' })
    await trust(knex, partner, home, 'Medium trust')
    const homeCollection = await createCollection(knex, home, 'private', 'Our intel')
    const partnerCollection = await createCollection(knex, partner, 'trusted', 'Partner feed')
    const outsiderCollection = await createCollection(knex, outsider, 'private', 'Outsider only')

    const partnerToken = await loginAs(app, partnerPublisher)
    const anonymized = indicator({
      name: 'Partner C2 beacon',
      description: `Seen from ${CANARY} at the victim`,
      external_references: [{ source_name: 'internal ticket', description: CANARY }],
      labels: ['c2'],
      object_marking_refs: GREEN,
    })
    const bundle = (objects: unknown[]) => ({
      type: 'bundle',
      id: 'bundle--0b3f8f6c-2b7e-4c58-9d0f-6f1f3c2a9e11',
      objects,
    })
    const published = await app.inject({
      method: 'POST',
      url: `/api/v1/collections/${partnerCollection}/bundles`,
      headers: { authorization: `Bearer ${partnerToken}` },
      payload: bundle([
        anonymized,
        indicator({ name: 'Partner red', description: CANARY, object_marking_refs: [TLP_MARKING_IDS.red] }),
      ]),
    })
    t.equal(published.json().counts.rejected, 0)
    const partnerIp = await app.inject({
      method: 'POST',
      url: '/api/v1/indicators',
      headers: { authorization: `Bearer ${partnerToken}` },
      payload: { collectionId: partnerCollection, value: '203.0.113.99', tlp: 'green' },
    })
    t.equal(partnerIp.statusCode, 201)
    const homeToken = await loginAs(app, homePublisher)
    for (const value of ['own-evil.example', 'https://own-evil.example/drop.php']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/indicators',
        headers: { authorization: `Bearer ${homeToken}` },
        payload: { collectionId: homeCollection, value },
      })
      t.equal(res.statusCode, 201)
    }
    await app.inject({
      method: 'POST',
      url: `/api/v1/collections/${outsiderCollection}/bundles`,
      headers: { authorization: `Bearer ${await loginAs(app, outsiderAdmin)}` },
      payload: bundle([indicator({ name: 'Outsider secret', description: CANARY })]),
    })

    const adminToken = await loginAs(app, admin)
    const apiList = async (query = '') =>
      (await api(app, adminToken, `/api/v1/objects?limit=1000${query}`)).items as Item[]
    const everything = await apiList()
    t.equal(
      everything.length,
      7,
      'the API gives the admin: 4 own objects, 3 of the partner (RED withheld), nothing of the outsider',
    )
    t.notMatch(JSON.stringify(everything), CANARY, 'the API itself releases no canary')

    const browser = await launchBrowser()
    t.teardown(() => browser.close())
    const page = await browser.context.newPage()
    await logIn(page, baseUrl, admin.email, TEST_PASSWORD)
    const rowIds = async (query: string, ready: string) => {
      await visit(page, `${baseUrl}/admin/resources/shared_objects${query}`, ready, `object browser ${query}`)
      return (
        await page.locator('tr[data-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id') ?? ''))
      ).sort()
    }
    const firstRow = (items: Item[]) => `tr[data-id="${recordIds(items)[0]}"]`

    await t.test('the list holds exactly the objects the API lists, and no canary', async (t) => {
      t.same(await rowIds('?perPage=50', firstRow(everything)), recordIds(everything))
      await shot(page, 'object-browser')
      t.notMatch(await page.content(), CANARY)
      t.notMatch(await page.textContent('body'), /Outsider secret|Partner red/)
    })

    await t.test('filters and search give what the same API filters give', async (t) => {
      const cases: [string, string][] = [
        ['filters.origin=shared', '&shared_with_me=true'],
        ['filters.origin=own', `&producer=${home}`],
        [`filters.producer=${partner}`, `&producer=${partner}`],
        [`filters.collection=${homeCollection}`, `&collection=${homeCollection}`],
        ['filters.type=ipv4-addr', '&type=ipv4-addr'],
        ['filters.search=beacon', '&q=beacon'],
        [`filters.search=${CANARY}`, `&q=${CANARY}`],
      ]
      for (const [browse, query] of cases) {
        const expected = await apiList(query)
        if (!expected.length) {
          await visit(
            page,
            `${baseUrl}/admin/resources/shared_objects?${browse}`,
            'text=No records',
            `object browser ${browse}`,
          )
          t.same(await page.locator('tr[data-id]').count(), 0, `${browse}: nothing, as the API (${query})`)
          continue
        }
        t.same(
          await rowIds(`?perPage=50&${browse}`, firstRow(expected)),
          recordIds(expected),
          `${browse} = API ${query} (${expected.length})`,
        )
      }
      t.equal(
        (await apiList(`&q=${CANARY}`)).length,
        0,
        'searching for the raw canary finds nothing: it was never released',
      )
    })

    await t.test(
      "the partner's anonymized object is shown exactly as GET /api/v1/objects/{id} returns it",
      async (t) => {
        const fromApi = await api(app, adminToken, `/api/v1/objects/${anonymized.id}`)
        t.notOk(
          'description' in fromApi || 'external_references' in fromApi,
          'anonymized for the admin: free text dropped',
        )
        t.equal(fromApi.name, 'Partner C2 beacon')
        const id = `${partnerCollection}.${anonymized.id}`
        await visit(
          page,
          `${baseUrl}/admin/resources/shared_objects/records/${encodeURIComponent(id)}/show`,
          '[data-testid="property-show-object"]',
          'object browser: show',
        )
        await shot(page, 'object-browser-show')
        const shown = await page.locator('[data-testid="property-show-object"]').innerText()
        t.same(JSON.parse(shown.slice(shown.indexOf('{'))), fromApi, 'the JSON on the page is the API response')
        t.match(await page.textContent('[data-testid="property-show-origin"]'), /shared with me/i)
        t.match(await page.textContent('[data-testid="property-show-producer"]'), /Partner CERT/)
        const html = await page.content()
        t.notMatch(html, CANARY, 'the raw canary appears nowhere in the page')
        const record = await page.evaluate(
          async (url) => (await fetch(url)).text(),
          `${baseUrl}/admin/api/resources/shared_objects/records/${encodeURIComponent(id)}/show`,
        )
        t.notMatch(record, CANARY, "nor in the console's own JSON for the page")

        const ownId = (await apiList(`&producer=${home}&type=url`))[0]
        await visit(
          page,
          `${baseUrl}/admin/resources/shared_objects/records/${encodeURIComponent(`${ownId.collectionId}.${ownId.object.id}`)}/show`,
          '[data-testid="property-show-object"]',
          'object browser: own',
        )
        const own = await page.locator('[data-testid="property-show-object"]').innerText()
        t.same(JSON.parse(own.slice(own.indexOf('{'))), ownId.object, "the organization's own object, as stored")
      },
    )

    await t.test('read-only, and scoped to the signed-in principal', async (t) => {
      await visit(page, `${baseUrl}/admin/resources/shared_objects`, 'tr[data-id]', 'object browser: actions')
      t.equal(await page.locator('[data-testid="action-new"]').count(), 0, 'no "Create new"')
      const id = encodeURIComponent(`${partnerCollection}.${anonymized.id}`)
      for (const action of ['edit', 'delete']) {
        const status = await page.evaluate(
          async (url) => (await fetch(url)).status,
          `${baseUrl}/admin/api/resources/shared_objects/records/${id}/${action}`,
        )
        t.not(status, 200, `the ${action} action does not exist for this resource`)
      }

      const outsider = await consoleLogin(app, outsiderAdmin.email, TEST_PASSWORD)
      if (!outsider) throw new Error('the outsider admin could not log in')
      const listed = await consoleAction(app, outsider, 'shared_objects/actions/list?perPage=50')
      const outsiderApi = (await api(app, await loginAs(app, outsiderAdmin), '/api/v1/objects?limit=1000'))
        .items as Item[]
      t.same(
        listed.json.records.map((r: { id: string }) => r.id).sort(),
        recordIds(outsiderApi),
        "another organization's admin gets its own view, as its API does",
      )
      t.ok(
        outsiderApi.some((i) => i.object.name === 'Outsider secret') &&
          !outsiderApi.some((i) => i.collectionId === homeCollection),
        'its own private object, none of the console org',
      )
      const foreign = await consoleAction(app, outsider, `shared_objects/records/${id}/show`)
      t.not(foreign.status === 200 && foreign.json.record, true, 'a record outside its view does not open')

      const anonymous = await app.inject({ url: '/admin/api/resources/shared_objects/actions/list' })
      t.not(anonymous.statusCode, 200, 'no session: no listing')
      t.notMatch(anonymous.body, /Partner C2|own-evil/)
      const anonymousPage = await app.inject({ url: '/admin/resources/shared_objects' })
      t.equal(anonymousPage.statusCode, 302, 'the page sends a visitor to the login')
      t.match(String(anonymousPage.headers.location), /\/admin\/login/)
    })
  })
}
