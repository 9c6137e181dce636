import { existsSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { exportDir, sweepExpiredExports } from '../../core/exports/export-files.js'
import { QUEUES } from '../../core/jobs/queues.js'
import { getDefaultValidator } from '../../core/stix/validator.js'
import { streamSharedObjects } from '../../core/sharing/index.js'
import type { StixObject } from '../../core/plugin-api/index.js'
import { buildTestApp } from '../helper.js'
import { SAMPLE_PREFIXES } from './anonymized-samples.js'
import { parseCsv } from './rfc4180.js'
import { seedExportWorld } from './seed.js'

// The ndjson exporter is a third-party plugin, added by configuration only.
const { app } = await buildTestApp(t, { plugins: { plugins: [{ from: './test/fixtures/exporter-ndjson/index.ts' }] } })
const world = await seedExportWorld(app)
// The expiry test runs the maintenance sweep itself: no per-minute tick may run it in between.
await app.jobs.boss.unschedule(QUEUES.maintenance)
const auth = (token: string) => ({ authorization: `Bearer ${token}` })
const get = (url: string, token = world.tokens.reader) => app.inject({ method: 'GET', url, headers: auth(token) })

async function servedTo(orgId: string): Promise<StixObject[]> {
  const out: StixObject[] = []
  for await (const o of streamSharedObjects({
    knex: app.knex,
    registry: app.registry,
    principal: { orgId },
    filter: {},
  }))
    out.push(o)
  return out
}

t.test('an unknown format is 404 listing the available ones; no session is 401', async (t) => {
  const res = await get('/api/v1/exports/xml')
  t.equal(res.statusCode, 404)
  t.same(res.json().error.details.available, ['blocklist', 'csv', 'misp', 'ndjson', 'stix-bundle', 'suricata'])
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/exports/csv' })).statusCode, 401)
})

t.test('bad filters and options are 400 naming the parameter', async (t) => {
  for (const [query, parameter] of [
    ['added_after=yesterday', 'added_after'],
    ['collection=not-a-uuid', 'collection'],
    ['type=Bad_Type', 'type'],
    ['modified_from=2024-02-01T00:00:00Z&modified_to=2024-01-01T00:00:00Z', 'modified_to'],
  ]) {
    const res = await get(`/api/v1/exports/csv?${query}`)
    t.equal(res.statusCode, 400, query)
    t.equal(res.json().error.details?.parameter, parameter, query)
  }
  const res = await get('/api/v1/exports/blocklist?kind=email')
  t.equal(res.statusCode, 400)
  t.match(res.json().error.message, /^kind:/)
})

t.test('a STIX bundle, anonymized for the reader exactly as the egress pipeline serves it', async (t) => {
  const res = await get('/api/v1/exports/stix-bundle?type=indicator,ipv4-addr')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/stix+json;version=2.1')
  t.match(res.headers['content-disposition'], /^attachment; filename="crisp-export-stix-bundle-[\d-]+\.json"$/)
  const bundle = res.json()
  t.same(getDefaultValidator().validate(bundle), { ok: true })
  const expected = (await servedTo(world.reader.orgId)).filter((o) => ['indicator', 'ipv4-addr'].includes(o.type))
  t.same(bundle.objects, expected)
  t.notOk(JSON.stringify(bundle).includes("'198.51.100.7'"), 'the reader at medium trust never sees the exact address')
  const own = (await get('/api/v1/exports/stix-bundle?type=indicator', world.tokens.producer)).json()
  t.ok(JSON.stringify(own).includes("'198.51.100.7'"), 'the producer sees its own data unanonymized')
})

t.test('CSV parses back; the source collection is named; filters apply', async (t) => {
  const res = await get(`/api/v1/exports/csv?collection=${world.collectionId}&labels=phishing`)
  t.equal(res.statusCode, 200)
  const rows = parseCsv(res.body)
  t.equal(rows[0][0], 'value')
  t.ok(rows.length > 1)
  t.ok(rows.slice(1).every((r) => r[7] === 'Shared, "daily"' && r[2] === 'phishing'))
})

t.test('blocklist kind comes from the query', async (t) => {
  const res = await get('/api/v1/exports/blocklist?kind=cidr', world.tokens.producer)
  t.equal(res.statusCode, 200)
  t.same(res.body.trim().split('\n'), ['198.51.100.7/32', '203.0.113.0/24', '2001:db8::1/128'])
})

t.test('a partner trusted at medium gets its networks as prefixes, and pseudonyms only where labelled', async (t) => {
  const cidr = await get('/api/v1/exports/blocklist?kind=cidr')
  t.equal(cidr.statusCode, 200)
  t.same(cidr.body.trim().split('\n'), SAMPLE_PREFIXES.medium, 'every /16 and /48 the anonymized indicators name')
  t.equal((await get('/api/v1/exports/blocklist?kind=domain')).body, '', 'no pseudonym in a blocklist')
  t.notOk((await get('/api/v1/exports/suricata')).body.includes('.invalid'), 'nor in a rule')
  const rows = parseCsv((await get('/api/v1/exports/csv?type=indicator')).body).slice(1)
  t.same(
    new Set(rows.filter((r) => r[1] === 'ipv4-cidr' || r[1] === 'ipv6-cidr').map((r) => r[0])),
    new Set(SAMPLE_PREFIXES.medium),
  )
  const pseudonyms = rows.filter((r) => r[0].includes('.invalid'))
  t.ok(
    pseudonyms.length > 0 && pseudonyms.every((r) => r[1].startsWith('pseudonym-')),
    'the CSV names pseudonyms as such',
  )
})

t.test('a third-party exporter loaded from the plugins file', async (t) => {
  const res = await get('/api/v1/exports/ndjson')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/x-ndjson')
  t.same(
    res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
    await servedTo(world.reader.orgId),
  )
})

t.test(
  'an export job: progress, a signed expiring link, visible only to its user, file removed after expiry',
  async (t) => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/exports',
      headers: auth(world.tokens.reader),
      payload: { format: 'csv', filter: { type: 'indicator' } },
    })
    t.equal(created.statusCode, 202)
    const { id } = created.json()
    let job = created.json()
    for (let i = 0; i < 60 && !['succeeded', 'failed'].includes(job.status); i++) {
      await new Promise((r) => setTimeout(r, 250))
      job = (await get(`/api/v1/exports/jobs/${id}`)).json()
    }
    t.equal(job.status, 'succeeded', JSON.stringify(job))
    t.equal(job.objectsWritten, 6)
    t.equal(
      (await get(`/api/v1/exports/jobs/${id}`, world.tokens.readerColleague)).statusCode,
      404,
      'not even a colleague sees it',
    )
    const file = await app.inject({ method: 'GET', url: job.downloadUrl })
    t.equal(file.statusCode, 200, 'the link needs no session')
    const direct = await get('/api/v1/exports/csv?type=indicator')
    t.equal(file.body, direct.body, 'the same bytes as a direct download')
    t.equal(
      (await app.inject({ method: 'GET', url: job.downloadUrl.replace(/token=[^&]+/, 'token=not-the-token') }))
        .statusCode,
      403,
    )
    t.equal(
      (await app.inject({ method: 'GET', url: job.downloadUrl.replace(/expires=\d+/, 'expires=9999999999') }))
        .statusCode,
      403,
    )
    await app
      .knex('export_jobs')
      .where({ id })
      .update({ expires_at: new Date(Date.now() - 1000) })
    const expired = (await get(`/api/v1/exports/jobs/${id}`)).json()
    t.equal(expired.status, 'expired', 'expired from expires_at on, before any sweep')
    t.notOk(expired.downloadUrl, 'and no link')
    t.equal((await app.inject({ method: 'GET', url: job.downloadUrl })).statusCode, 403)

    // Reads change nothing: the row and the file stay until the maintenance sweep removes them.
    const filePath = path.join(exportDir(app.exportSettings.dataDir), `${id}.csv`)
    t.match(
      await app.knex('export_jobs').where({ id }).first(),
      { status: 'succeeded', file_name: `${id}.csv` },
      'the GETs left the row as it was',
    )
    t.ok(existsSync(filePath), 'and the file')
    t.equal(await sweepExpiredExports(app.knex, app.exportSettings.dataDir), 1, 'the sweep finds the expired job')
    t.match(await app.knex('export_jobs').where({ id }).first(), { status: 'expired', file_name: null })
    t.notOk(existsSync(filePath), 'the file is gone')
    t.equal((await get(`/api/v1/exports/jobs/${id}`)).json().status, 'expired', 'a GET after the sweep says the same')
  },
)
