import t from 'tap'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Knex } from 'knex'
import { webhookSignature } from '../../core/alerts/webhook-post.js'
import { buildTestApp, type TestLike } from '../helper.js'
import { bearer, event, orgWithRoles, postEvents } from './fixtures.js'

interface Received {
  headers: http.IncomingHttpHeaders
  body: string
}

/** A receiver that answers each request with the next status of `statuses` (then 200). */
async function receiver(t: TestLike, statuses: number[]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = []
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      received.push({ headers: req.headers, body })
      res.statusCode = statuses.shift() ?? 200
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/crisp`, received }
}

async function until(knex: Knex, done: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await done()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

t.test('new High/Critical alerts are posted, HMAC-signed, retried by pg-boss, and logged', async (t) => {
  const { app, knex } = await buildTestApp(t, { env: { CRISP_FEED_ALLOW_PRIVATE: '127.0.0.1/32' } })
  const org = await orgWithRoles(app, 'Hooked')
  const hook = await receiver(t, [503])
  const set = await app.inject({
    method: 'PUT',
    url: '/api/v1/alert-settings/webhook',
    headers: bearer(org.admin.token),
    payload: { url: hook.url },
  })
  t.equal(set.statusCode, 200, set.body)
  const { secret } = set.json()
  t.match(secret, /^whsec_/)
  t.equal(
    (await app.inject({ url: '/api/v1/alert-settings', headers: bearer(org.admin.token) })).json().webhookUrl,
    hook.url,
  )
  await app.inject({
    method: 'PATCH',
    url: '/api/v1/alert-settings',
    headers: bearer(org.admin.token),
    payload: { alertThreshold: 2 },
  })

  const sent = await postEvents(app, bearer(org.admin.token), [
    event({ severity: 4 }),
    event({ severity: 2 }),
    event({ severity: 1 }),
  ])
  const [critical, medium] = sent.json().results
  t.type(medium.alertId, 'string', 'a Medium alert exists (threshold 2)…')
  await until(
    knex,
    async () => (await knex('webhook_deliveries').where({ status: 'delivered' })).length === 1,
    'the delivery',
  )
  t.equal(hook.received.length, 2, 'the first attempt got 503, the retry succeeded')
  const deliveries = await knex('webhook_deliveries')
  t.same(
    deliveries.map((d) => d.alert_id),
    [critical.alertId],
    '…but only the Critical alert is posted',
  )
  for (const r of hook.received) {
    const timestamp = r.headers['x-crisp-timestamp'] as string
    t.equal(
      r.headers['x-crisp-signature'],
      webhookSignature(secret, timestamp, r.body),
      'the signature verifies with the secret',
    )
    t.equal(r.headers['x-crisp-delivery'], deliveries[0].id)
  }
  const payload = JSON.parse(hook.received[1].body)
  t.match(payload, {
    type: 'alert.created',
    alert: { id: critical.alertId, severity: 4, severityName: 'Critical', status: 'open' },
    event: { id: critical.id },
  })
  t.not(
    webhookSignature('another secret', hook.received[1].headers['x-crisp-timestamp'] as string, hook.received[1].body),
    hook.received[1].headers['x-crisp-signature'],
  )

  const log = await app.inject({ url: '/api/v1/alert-settings/webhook/deliveries', headers: bearer(org.admin.token) })
  t.equal(log.statusCode, 200, log.body)
  t.match(log.json().items, [
    {
      alertId: critical.alertId,
      status: 'delivered',
      attempts: 2,
      responseStatus: 200,
      lastError: null,
      deliveredAt: String,
    },
  ])
  t.equal(
    (await app.inject({ url: '/api/v1/alert-settings/webhook/deliveries', headers: bearer(org.publisher.token) }))
      .statusCode,
    403,
  )
  t.ok(await knex('audit_log').where({ action: 'alert_webhook.update', target_id: org.orgId }).first())
})

t.test('the webhook obeys the egress policy: a private address is refused and the refusal logged', async (t) => {
  const { app, knex } = await buildTestApp(t)
  const org = await orgWithRoles(app, 'Careless')
  const hook = await receiver(t, [])
  t.equal(
    (
      await app.inject({
        method: 'PUT',
        url: '/api/v1/alert-settings/webhook',
        headers: bearer(org.admin.token),
        payload: { url: 'ftp://example.com/x' },
      })
    ).statusCode,
    400,
  )
  await app.inject({
    method: 'PUT',
    url: '/api/v1/alert-settings/webhook',
    headers: bearer(org.admin.token),
    payload: { url: hook.url },
  })
  await postEvents(app, bearer(org.admin.token), [event({ severity: 3 })])
  await until(
    knex,
    async () => Boolean(await knex('webhook_deliveries').where('attempts', '>', 0).first()),
    'an attempt',
  )
  const [delivery] = await knex('webhook_deliveries')
  t.equal(delivery.status, 'retrying')
  t.match(delivery.last_error, /loopback/)
  t.equal(hook.received.length, 0, 'nothing reached the private address')
})
