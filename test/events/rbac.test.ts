import t from 'tap'
import { buildTestApp } from '../helper.js'
import { bearer, event, orgWithRoles, postEvents } from './fixtures.js'

t.test('every role × every route; organization boundaries', async (t) => {
  const { app, knex } = await buildTestApp(t, { runWorkers: false })
  const org = await orgWithRoles(app, 'Owner org')
  const other = await orgWithRoles(app, 'Other org')
  const seeded = await postEvents(app, bearer(org.admin.token), [event({ severity: 4 })])
  const eventId = seeded.json().results[0].id
  const alertId = seeded.json().results[0].alertId
  const routes: [string, string, unknown, Record<string, number>][] = [
    ['POST', '/api/v1/events', [event()], { viewer: 403, publisher: 403, admin: 201 }],
    ['GET', '/api/v1/events', undefined, { viewer: 200, publisher: 200, admin: 200 }],
    ['GET', `/api/v1/events/${eventId}`, undefined, { viewer: 200, publisher: 200, admin: 200 }],
    ['POST', '/api/v1/events/ingest-keys', { name: 'siem' }, { viewer: 403, publisher: 403, admin: 201 }],
    ['GET', '/api/v1/alerts', undefined, { viewer: 200, publisher: 200, admin: 200 }],
    ['GET', `/api/v1/alerts/${alertId}`, undefined, { viewer: 200, publisher: 200, admin: 200 }],
    ['PATCH', `/api/v1/alerts/${alertId}`, { note: 'looking' }, { viewer: 403, publisher: 200, admin: 200 }],
    ['GET', '/api/v1/alert-settings', undefined, { viewer: 200, publisher: 200, admin: 200 }],
    ['PATCH', '/api/v1/alert-settings', { alertThreshold: 3 }, { viewer: 403, publisher: 403, admin: 200 }],
    ['PUT', '/api/v1/alert-settings/webhook', { url: null }, { viewer: 403, publisher: 403, admin: 200 }],
    ['GET', '/api/v1/alert-settings/webhook/deliveries', undefined, { viewer: 403, publisher: 403, admin: 200 }],
  ]
  for (const [method, url, payload, expected] of routes) {
    for (const role of ['viewer', 'publisher', 'admin'] as const) {
      const res = await app.inject({
        method: method as 'GET',
        url,
        headers: bearer(org[role].token),
        ...(payload ? { payload: payload as object } : {}),
      })
      t.equal(res.statusCode, expected[role], `${role} ${method} ${url}: ${res.body.slice(0, 120)}`)
    }
    const anonymous = await app.inject({
      method: method as 'GET',
      url,
      ...(payload ? { payload: payload as object } : {}),
    })
    t.equal(anonymous.statusCode, 401, `anonymous ${method} ${url}`)
  }
  t.ok(
    await knex('audit_log').where({ action: 'permission.denied', actor_user_id: org.viewer.id }).first(),
    'denials are audited',
  )

  // Another organization's members (its admin included) never see or change this organization's alerts and events.
  for (const role of ['viewer', 'publisher', 'admin'] as const) {
    const h = bearer(other[role].token)
    t.equal(
      (await app.inject({ url: `/api/v1/alerts/${alertId}`, headers: h })).statusCode,
      404,
      `${role} of another org: alert`,
    )
    t.equal(
      (await app.inject({ url: `/api/v1/events/${eventId}`, headers: h })).statusCode,
      404,
      `${role} of another org: event`,
    )
    t.equal((await app.inject({ url: '/api/v1/alerts', headers: h })).json().count, 0, `${role} of another org: list`)
    t.equal((await app.inject({ url: '/api/v1/events', headers: h })).json().items.length, 0)
  }
  const patch = await app.inject({
    method: 'PATCH',
    url: `/api/v1/alerts/${alertId}`,
    headers: bearer(other.publisher.token),
    payload: { status: 'acknowledged' },
  })
  t.equal(patch.statusCode, 404)
  t.equal(
    (
      await app.inject({
        url: `/api/v1/alert-settings?organizationId=${org.orgId}`,
        headers: bearer(other.publisher.token),
      })
    ).statusCode,
    403,
  )
  t.equal(
    (
      await app.inject({
        url: `/api/v1/alert-settings/webhook/deliveries?organizationId=${org.orgId}`,
        headers: bearer(other.publisher.token),
      })
    ).statusCode,
    403,
  )
})

t.test("an API key scoped to events:ingest ingests for its owner's organization and can do nothing else", async (t) => {
  const { app, knex } = await buildTestApp(t, { runWorkers: false })
  const org = await orgWithRoles(app, 'SIEM owner')
  const made = await app.inject({
    method: 'POST',
    url: '/api/v1/events/ingest-keys',
    headers: bearer(org.admin.token),
    payload: { name: 'splunk forwarder', userId: org.viewer.id },
  })
  t.equal(made.statusCode, 201, made.body)
  const { key, scopes, organizationId } = made.json()
  t.same(scopes, ['events:ingest'])
  t.equal(organizationId, org.orgId)
  const siem = { 'x-api-key': key }
  const sent = await postEvents(app, siem, [event({ severity: 3 }), event({ severity: 1 })])
  t.equal(sent.statusCode, 201, sent.body)
  const ndjson = await postEvents(
    app,
    siem,
    `${JSON.stringify(event({ severity: 4 }))}\n${JSON.stringify(event({ severity: 0 }))}\n`,
    'application/x-ndjson',
  )
  t.match(ndjson.json(), { created: 1, rejected: 1, alerts: 1 }, 'a SIEM forwards NDJSON with the key')
  const stored = await knex('security_events').whereIn(
    'id',
    sent.json().results.map((r: { id: string }) => r.id),
  )
  t.same(
    stored.map((e) => [e.organization_id, e.submitted_by]),
    [
      [org.orgId, org.viewer.id],
      [org.orgId, org.viewer.id],
    ],
    "the events belong to the key owner's organization",
  )
  for (const url of ['/api/v1/events', '/api/v1/alerts', '/api/v1/objects', '/api/v1/api-keys', '/api/v1/users/me']) {
    const res = await app.inject({ url, headers: siem })
    t.equal(res.statusCode, 403, `scoped key: GET ${url}`)
  }
  const viewerItself = await postEvents(app, bearer(org.viewer.token), [event()])
  t.equal(viewerItself.statusCode, 403, 'the owner (a viewer) still cannot ingest with its own credentials')
  const plainKey = await app.inject({
    method: 'POST',
    url: '/api/v1/api-keys',
    headers: bearer(org.viewer.token),
    payload: { name: 'plain' },
  })
  const unscoped = await postEvents(app, { 'x-api-key': plainKey.json().key }, [event()])
  t.equal(unscoped.statusCode, 403, 'an ordinary key of a viewer cannot ingest')
  const revoke = await app.inject({
    method: 'DELETE',
    url: `/api/v1/api-keys/${made.json().id}`,
    headers: bearer(org.admin.token),
  })
  t.equal(revoke.statusCode, 204, 'scoped keys are revoked like any key')
  t.equal((await postEvents(app, siem, [event()])).statusCode, 401)
  t.ok(await knex('audit_log').where({ action: 'api_key.create', target_id: made.json().id }).first())
})
