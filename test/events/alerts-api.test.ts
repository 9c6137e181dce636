import t from 'tap'
import { buildTestApp } from '../helper.js'
import { bearer, event, logLines, orgWithRoles, postEvents } from './fixtures.js'

type Alert = { id: string; severity: number; status: string; source: string; createdAt: string; matchCount: number }

t.test('list: filters, sorting and numbered pages (count, next, previous) agree with a reference', async (t) => {
  const { app, knex } = await buildTestApp(t, { runWorkers: false })
  const org = await orgWithRoles(app, 'Analysts')
  const sources = ['firewall', 'edr', 'proxy']
  const batch = Array.from({ length: 37 }, (_, i) => event({ severity: 3 + (i % 2), source: sources[i % 3] }))
  t.equal((await postEvents(app, bearer(org.admin.token), batch)).statusCode, 201)
  // Spread creation times so the time range and sorting are meaningful, and acknowledge a few.
  const rows = await knex('alerts').where({ organization_id: org.orgId }).orderBy('seq')
  for (const [i, a] of rows.entries()) {
    await knex('alerts')
      .where({ id: a.id })
      .update({
        created_at: new Date(Date.UTC(2026, 10, 1, 0, i)),
        status: i % 5 === 0 ? 'acknowledged' : 'open',
        match_count: i % 7 === 0 ? 1 : 0,
      })
  }
  const all: Alert[] = (await knex('alerts').where({ organization_id: org.orgId }).orderBy('seq')).map((a) => ({
    id: a.id,
    severity: a.severity,
    status: a.status,
    source: a.source,
    createdAt: a.created_at.toISOString(),
    matchCount: a.match_count,
  }))
  const h = bearer(org.viewer.token)
  async function walk(query: string): Promise<{ ids: string[]; counts: number[]; pages: number }> {
    let url: string | null = `/api/v1/alerts?${query}`
    const ids: string[] = []
    const counts: number[] = []
    let pages = 0
    let previous: string | null = null
    while (url) {
      const res: { statusCode: number; body: string; json<T>(): T } = await app.inject({ url, headers: h })
      t.equal(res.statusCode, 200, res.body)
      const body: { previous: string | null; next: string | null; count: number; items: Alert[] } = res.json()
      if (pages > 0) t.ok(body.previous, 'a later page links back')
      else t.equal(body.previous, null, 'the first page has no previous')
      if (previous) {
        const back = await app.inject({ url: body.previous as string, headers: h })
        t.same(
          back.json().items.map((a: Alert) => a.id),
          JSON.parse(previous),
          'previous returns the page before',
        )
      }
      previous = JSON.stringify(body.items.map((a: Alert) => a.id))
      ids.push(...body.items.map((a: Alert) => a.id))
      counts.push(body.count)
      url = body.next
      pages++
    }
    return { ids, counts, pages }
  }
  const byCreatedDesc = [...all].sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  const plain = await walk('')
  t.same(
    plain.ids,
    byCreatedDesc.map((a) => a.id),
    'default: newest first',
  )
  t.equal(plain.pages, 4, '10 a page by default')
  t.same([...new Set(plain.counts)], [37])

  const cases: [string, (a: Alert) => boolean, (a: Alert, b: Alert) => number][] = [
    ['status=acknowledged', (a) => a.status === 'acknowledged', (a, b) => b.createdAt.localeCompare(a.createdAt)],
    [
      'severity=4&sort=created_at&pageSize=4',
      (a) => a.severity === 4,
      (a, b) => a.createdAt.localeCompare(b.createdAt),
    ],
    [
      'source=edr&status=open&status=acknowledged',
      (a) => a.source === 'edr',
      (a, b) => b.createdAt.localeCompare(a.createdAt),
    ],
    [
      'from=2026-11-01T00:10:00Z&to=2026-11-01T00:20:00Z&pageSize=3',
      (a) => a.createdAt >= '2026-11-01T00:10' && a.createdAt < '2026-11-01T00:20',
      (a, b) => b.createdAt.localeCompare(a.createdAt),
    ],
    ['matched=true', (a) => a.matchCount > 0, (a, b) => b.createdAt.localeCompare(a.createdAt)],
    [
      'matched=false&sort=-severity&pageSize=7',
      (a) => a.matchCount === 0,
      (a, b) => b.severity - a.severity || all.indexOf(b) - all.indexOf(a),
    ],
  ]
  for (const [query, keep, order] of cases) {
    const expected = all.filter(keep).sort(order)
    const got = await walk(query)
    t.same(
      got.ids,
      expected.map((a) => a.id),
      query,
    )
    t.same([...new Set(got.counts)], [expected.length], `${query}: count`)
  }
  const next = (await app.inject({ url: '/api/v1/alerts?severity=3&pageSize=5', headers: h })).json().next
  t.match(next, /^\/api\/v1\/alerts\?severity=3&pageSize=5&page=2$/, 'links repeat the filters')
  t.equal((await app.inject({ url: '/api/v1/alerts?status=closed', headers: h })).statusCode, 400)
  t.equal((await app.inject({ url: '/api/v1/alerts?pageSize=101', headers: h })).statusCode, 400)
  t.equal(
    (await app.inject({ url: '/api/v1/alerts?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z', headers: h }))
      .statusCode,
    400,
  )
})

t.test(
  'workflow: Open → Acknowledged → Resolved → Open (with a reason); assignee, notes, history, audit, logs',
  async (t) => {
    const { app, knex, logs } = await buildTestApp(t, { runWorkers: false })
    const org = await orgWithRoles(app, 'Responders')
    const other = await orgWithRoles(app, 'Elsewhere')
    const seeded = await postEvents(app, bearer(org.admin.token), [
      event({ severity: 3, observables: [{ type: 'domain-name', value: 'bad.example' }] }),
    ])
    const { id: eventId, alertId } = seeded.json().results[0]
    const patch = (payload: object, token = org.publisher.token) =>
      app.inject({ method: 'PATCH', url: `/api/v1/alerts/${alertId}`, headers: bearer(token), payload })

    t.equal(
      (await patch({ status: 'resolved' })).json().error.code,
      'CRISP_ALERT_INVALID_TRANSITION',
      'Open cannot jump to Resolved',
    )
    const ack = await patch({ status: 'acknowledged', assigneeId: org.publisher.id })
    t.equal(ack.statusCode, 200, ack.body)
    t.match(ack.json(), {
      status: 'acknowledged',
      assignee: { id: org.publisher.id, email: org.publisher.email },
      acknowledgedAt: String,
      resolvedAt: null,
    })
    t.equal(
      (await patch({ assigneeId: other.publisher.id })).json().error.code,
      'CRISP_ALERT_INVALID_ASSIGNEE',
      'no assignee from another organization',
    )
    t.equal((await patch({})).statusCode, 400)
    t.equal((await patch({ note: 'Blocked at the proxy' }, org.admin.token)).statusCode, 200)
    const resolved = await patch({ status: 'resolved', reason: 'false positive' })
    t.match(resolved.json(), { status: 'resolved', resolvedAt: String })
    t.equal((await patch({ status: 'resolved' })).statusCode, 409, 'already resolved')
    t.equal((await patch({ status: 'open' })).json().error.code, 'CRISP_ALERT_REASON_REQUIRED')
    const reopened = await patch({ status: 'open', reason: 'seen again', assigneeId: null })
    t.match(
      reopened.json(),
      { status: 'open', acknowledgedAt: null, resolvedAt: null, assignee: null },
      'reopened and unassigned',
    )

    const detail = (await app.inject({ url: `/api/v1/alerts/${alertId}`, headers: bearer(org.viewer.token) })).json()
    t.match(detail.event, {
      id: eventId,
      severity: 3,
      severityName: 'High',
      observables: [{ type: 'domain-name', value: 'bad.example' }],
    })
    t.match(detail.notes, [
      { body: 'Blocked at the proxy', authorId: org.admin.id, authorEmail: org.admin.email, createdAt: String },
    ])
    t.same(
      detail.history.map(
        (h: {
          change: string
          from: string | null
          to: string | null
          reason: string | null
          actorId: string | null
        }) => [h.change, h.from, h.to, h.reason, h.actorId],
      ),
      [
        ['created', null, 'open', 'severity', null],
        ['status', 'open', 'acknowledged', null, org.publisher.id],
        ['assignee', null, org.publisher.id, null, org.publisher.id],
        ['note', null, null, null, org.admin.id],
        ['status', 'acknowledged', 'resolved', 'false positive', org.publisher.id],
        ['status', 'resolved', 'open', 'seen again', org.publisher.id],
        ['assignee', org.publisher.id, null, 'seen again', org.publisher.id],
      ],
    )
    t.ok(
      detail.history.every((h: { at: string }) => !Number.isNaN(Date.parse(h.at))),
      'every change has its timestamp',
    )
    const audit = await knex('audit_log')
      .where({ target_id: alertId })
      .orderBy('id')
      .select('action', 'actor_user_id', 'details')
    t.same(
      audit.map((a) => a.action),
      [
        'alert.create',
        'alert.status',
        'alert.assignee',
        'alert.note',
        'alert.status',
        'alert.status',
        'alert.assignee',
      ],
    )
    t.match(audit[1].details, { before: 'open', after: 'acknowledged' })
    const lines = logLines(logs, 'alert status changed: acknowledged → resolved')
    t.match(lines, [{ level: 30, alertId, from: 'acknowledged', to: 'resolved', actor: org.publisher.id }])
    t.equal((await patch({ note: 'viewer note' }, org.viewer.token)).statusCode, 403, 'viewers read only')
  },
)
