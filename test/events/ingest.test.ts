import t from 'tap'
import { buildTestApp } from '../helper.js'
import { bearer, event, logLines, orgWithRoles, postEvents } from './fixtures.js'

t.test(
  'severity decides the alert: 1–2 none, 3–4 exactly one; names accepted; bad items refused one by one',
  async (t) => {
    const { app, knex, logs } = await buildTestApp(t, { runWorkers: false })
    const org = await orgWithRoles(app, 'Blue team')
    const batch = [
      event({ severity: 1 }),
      event({ severity: 'Medium' }),
      event({ severity: 3 }),
      event({ severity: 'critical' }),
      event({ severity: 5 }),
      event({ occurred_at: 'yesterday' }),
      { source: 'x' },
      event({ observables: [{ type: 'ipv4-addr', value: '300.1.1.1' }] }),
      event({
        severity: 4,
        observables: [
          { type: 'ipv4-addr', value: '203.0.113.7' },
          { type: 'sha256', value: 'AB'.repeat(32) },
        ],
      }),
      'not an object',
    ]
    const res = await postEvents(app, bearer(org.admin.token), batch)
    t.equal(res.statusCode, 200, res.body)
    const body = res.json()
    t.match(body, { created: 5, rejected: 5, alerts: 3 })
    t.same(
      body.results
        .filter((r: { status: string }) => r.status === 'rejected')
        .map((r: { index: number; reason: string }) => [r.index, r.reason]),
      [
        [4, 'severity: 1–4 or Low, Medium, High, Critical'],
        [5, 'occurred_at: required, an RFC 3339 date-time'],
        [6, 'event_type: required, a non-empty string'],
        [7, 'observables/0/value: not an IPv4 address'],
        [9, 'an event must be a JSON object'],
      ],
    )
    const alertOf = (i: number) => body.results[i].alertId
    t.same(
      [0, 1, 2, 3, 8].map((i) => alertOf(i) !== null),
      [false, false, true, true, true],
      'alerts exactly for severity 3 and 4',
    )
    const alerts = await knex('alerts').where({ organization_id: org.orgId })
    t.equal(alerts.length, 3)
    t.same(
      alerts.map((a) => a.status),
      ['open', 'open', 'open'],
    )
    const stored = await knex('security_events').where({ id: body.results[8].id }).first()
    t.same(
      stored?.observables,
      [
        { type: 'ipv4-addr', value: '203.0.113.7' },
        { type: 'sha256', value: 'ab'.repeat(32) },
      ],
      'hashes stored lower-case',
    )
    t.equal(
      await knex('pgboss.job')
        .where({ name: 'events.match' })
        .count({ n: '*' })
        .then(([r]) => Number(r.n)),
      1,
      'one matching job, for the events with observables, committed with them',
    )

    const created = logLines(logs, 'security event created')
    t.equal(created.length, 5)
    t.match(created[0], { level: 30, eventId: String, severity: Number })
    const raised = logLines(logs, 'alert created automatically')
    t.equal(raised.length, 3)
    t.match(raised[0], { level: 40, alertId: String, eventId: String })
    t.equal(
      await knex('audit_log')
        .where({ action: 'event.create', actor_user_id: org.admin.id })
        .count({ n: '*' })
        .then(([r]) => Number(r.n)),
      5,
    )
    t.same(
      (await knex('audit_log').where({ action: 'alert.create' }).select('target_id')).map((r) => r.target_id).sort(),
      alerts.map((a) => a.id).sort(),
    )
    const history = await knex('alert_history').whereIn(
      'alert_id',
      alerts.map((a) => a.id),
    )
    t.same(
      history.map((h) => [h.change, h.to_value]),
      [
        ['created', 'open'],
        ['created', 'open'],
        ['created', 'open'],
      ],
    )
  },
)

t.test('one event, NDJSON streams, all-bad batches', async (t) => {
  const { app } = await buildTestApp(t, { runWorkers: false })
  const org = await orgWithRoles(app, 'SOC')
  const one = await postEvents(app, bearer(org.admin.token), event({ severity: 'High' }))
  t.equal(one.statusCode, 201, one.body)
  t.equal(one.json().results[0].status, 'created')
  t.type(one.json().results[0].alertId, 'string')
  const ndjson = [
    JSON.stringify(event({ severity: 2 })),
    '',
    '{"source": broken',
    JSON.stringify(event({ severity: 4 })),
  ].join('\n')
  const nd = await postEvents(app, bearer(org.admin.token), ndjson, 'application/x-ndjson')
  t.equal(nd.statusCode, 200, nd.body)
  t.match(nd.json(), { created: 2, rejected: 1, alerts: 1 })
  t.same(nd.json().results[1], { index: 1, status: 'rejected', reason: 'line 3: not a JSON value' })
  const bad = await postEvents(app, bearer(org.admin.token), [event({ severity: 9 })])
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().error.code, 'CRISP_EVENTS_ALL_REJECTED')
  t.match(bad.json().error.details, [{ index: 0, status: 'rejected', reason: /^severity/ }])
  const empty = await postEvents(app, bearer(org.admin.token), [])
  t.equal(empty.statusCode, 400)
})

t.test('concurrent batches raise exactly one alert per High/Critical event', async (t) => {
  const { app, knex } = await buildTestApp(t, { runWorkers: false })
  const org = await orgWithRoles(app, 'Busy SOC')
  const batches = Array.from({ length: 8 }, (_, b) =>
    Array.from({ length: 25 }, (_, i) => event({ severity: ((b + i) % 4) + 1, source: `sensor-${b}` })),
  )
  const replies = await Promise.all(batches.map((batch) => postEvents(app, bearer(org.admin.token), batch)))
  t.same(
    replies.map((r) => r.statusCode),
    batches.map(() => 201),
  )
  const high = batches.flat().filter((e) => (e.severity as number) >= 3).length
  const [{ n }] = await knex('alerts').where({ organization_id: org.orgId }).count({ n: '*' })
  t.equal(Number(n), high)
  const [{ m }] = await knex('alerts as a')
    .join('security_events as e', 'e.id', 'a.event_id')
    .where('e.severity', '<', 3)
    .count({ m: '*' })
  t.equal(Number(m), 0)
})

t.test('the threshold is per organization', async (t) => {
  const { app, knex } = await buildTestApp(t, { runWorkers: false })
  const eager = await orgWithRoles(app, 'Eager')
  const calm = await orgWithRoles(app, 'Calm')
  const set = await app.inject({
    method: 'PATCH',
    url: '/api/v1/alert-settings',
    headers: bearer(eager.admin.token),
    payload: { alertThreshold: 2, matchSeverity: 4 },
  })
  t.equal(set.statusCode, 200, set.body)
  t.match(set.json(), { alertThreshold: 2, matchSeverity: 4 })
  const reset = await app.inject({
    method: 'PATCH',
    url: '/api/v1/alert-settings',
    headers: bearer(eager.admin.token),
    payload: { matchSeverity: null },
  })
  t.match(reset.json(), { alertThreshold: 2, matchSeverity: null }, 'null switches the severity raise off')
  const byPublisher = await app.inject({
    method: 'PATCH',
    url: '/api/v1/alert-settings',
    headers: bearer(calm.publisher.token),
    payload: { alertThreshold: 1 },
  })
  t.equal(byPublisher.statusCode, 403)
  await postEvents(app, bearer(eager.admin.token), [event({ severity: 2 }), event({ severity: 1 })])
  await postEvents(app, bearer(calm.admin.token), [event({ severity: 2 }), event({ severity: 1 })])
  t.equal(
    await knex('alerts')
      .where({ organization_id: eager.orgId })
      .count({ n: '*' })
      .then(([r]) => Number(r.n)),
    1,
  )
  t.equal(
    await knex('alerts')
      .where({ organization_id: calm.orgId })
      .count({ n: '*' })
      .then(([r]) => Number(r.n)),
    0,
  )
  t.ok(
    await knex('audit_log').where({ action: 'alert_settings.update', target_id: eager.orgId }).first(),
    'the change is audited',
  )
  const read = await app.inject({ url: '/api/v1/alert-settings', headers: bearer(calm.viewer.token) })
  t.match(read.json(), { organizationId: calm.orgId, alertThreshold: 3, matchSeverity: null, shareSightings: false })
})
