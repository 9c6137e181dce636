/**
 * `POST /api/v1/indicators` (issue 16, item 2): one value → a valid STIX indicator and its observable, stored
 * through the same checks as a published bundle (RBAC, collection write access, validation, TLP), audited,
 * and read back through the egress pipeline.
 */
import path from 'node:path'
import t from 'tap'
import { parsePattern, patternValues, TLP_MARKING_IDS } from '../../core/plugin-api/index.js'
import { createStixValidator } from '../../core/stix/validator.js'
import { buildTestApp, SHARED } from '../helper.js'
import { basic, createCollection, orgWithUsers, trust } from '../taxii/fixtures.js'

const oasis = createStixValidator({ schemaDir: path.join(SHARED, 'stix2-json-schemas', 'schemas') })

t.test('an analyst publishes an indicator from a value; bad input gets a precise 4xx', async (t) => {
  const { app, knex } = await buildTestApp(t)
  const producer = await orgWithUsers(app, 'Producer')
  const partner = await orgWithUsers(app, 'Partner')
  await trust(knex, producer.orgId, partner.orgId, 'High trust')
  const cid = await createCollection(knex, producer.orgId, 'public', 'Analyst intel')
  const partnerPrivate = await createCollection(knex, partner.orgId, 'private', 'Partner only')
  const post = (user: typeof producer.viewer | null, payload: Record<string, unknown>) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/indicators',
      headers: user ? { authorization: basic(user) } : {},
      payload,
    })
  const get = (user: typeof producer.viewer, id: string) =>
    app.inject({ url: `/api/v1/objects/${id}`, headers: { authorization: basic(user) } })

  await t.test('an address: kind detected, 201 with the ids, both objects stored, valid and readable', async (t) => {
    const res = await post(producer.publisher, {
      collectionId: cid,
      value: '198.51.100.7',
      labels: ['c2'],
      confidence: 70,
    })
    t.equal(res.statusCode, 201, res.body)
    const body = res.json()
    t.match(body, {
      collectionId: cid,
      kind: 'ipv4-addr',
      value: '198.51.100.7',
      pattern: "[ipv4-addr:value = '198.51.100.7']",
      indicator: { type: 'indicator', status: 'new' },
      observable: { type: 'ipv4-addr', status: 'new' },
    })
    const indicator = (await get(producer.viewer, body.indicator.id)).json()
    t.match(indicator, {
      id: body.indicator.id,
      type: 'indicator',
      pattern: body.pattern,
      labels: ['c2'],
      confidence: 70,
      pattern_type: 'stix',
    })
    t.same(oasis.validate(indicator), { ok: true }, 'the stored indicator validates against the OASIS schemas')
    const observable = (await get(producer.viewer, body.observable.id)).json()
    t.match(observable, { type: 'ipv4-addr', value: '198.51.100.7' })
    t.same(oasis.validate(observable), { ok: true })
    const audit = await knex('audit_log').where({ action: 'indicator.create', target_id: body.indicator.id }).first()
    t.match(audit, {
      actor_org_id: producer.orgId,
      actor_user_id: producer.publisher.id,
      target_type: 'stix-object',
      details: { collectionId: cid, kind: 'ipv4-addr', observableId: body.observable.id },
    })
  })

  await t.test('a hostile file name with quotes and backslashes, TLP and validity', async (t) => {
    const value = "inv'oice\\\\'] OR [file:name = 'x.exe"
    const res = await post(producer.publisher, {
      collectionId: cid,
      value,
      kind: 'file-name',
      tlp: 'amber',
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2026-06-01T00:00:00Z',
    })
    t.equal(res.statusCode, 201, res.body)
    const indicator = (await get(producer.viewer, res.json().indicator.id)).json()
    t.doesNotThrow(() => parsePattern(indicator.pattern))
    t.same(
      patternValues(indicator.pattern),
      [{ kind: 'file-name', value }],
      'the pattern asserts the whole name, nothing injected',
    )
    t.same(indicator.object_marking_refs, [TLP_MARKING_IDS.amber])
    t.match(indicator, { valid_from: '2026-01-01T00:00:00Z', valid_until: '2026-06-01T00:00:00Z' })
    t.same(oasis.validate(indicator), { ok: true })
    t.same(
      (await get(producer.viewer, res.json().observable.id)).json().object_marking_refs,
      [TLP_MARKING_IDS.amber],
      'the observable carries the TLP too',
    )
  })

  await t.test('the TLP applies on the way out: RED stays home', async (t) => {
    const red = await post(producer.publisher, { collectionId: cid, value: 'red-only.example', tlp: 'red' })
    t.equal(red.statusCode, 201)
    const green = await post(producer.publisher, { collectionId: cid, value: 'green.example', tlp: 'green' })
    t.equal(
      (await get(partner.viewer, red.json().indicator.id)).statusCode,
      404,
      'the partner never gets the RED indicator',
    )
    t.equal((await get(partner.viewer, red.json().observable.id)).statusCode, 404, 'nor its observable')
    t.equal((await get(partner.viewer, green.json().indicator.id)).statusCode, 200, 'GREEN reaches the trusted partner')
  })

  await t.test(
    'the same value again is idempotent for the observable; another TLP for it is a 409 that stores nothing',
    async (t) => {
      const again = await post(producer.publisher, { collectionId: cid, value: 'RED-only.example.', tlp: 'red' })
      t.equal(again.statusCode, 201)
      t.match(again.json(), {
        value: 'red-only.example',
        observable: { status: 'unchanged' },
        indicator: { status: 'new' },
      })
      const before = await knex('stix_objects').count({ n: '*' }).first()
      const conflict = await post(producer.publisher, { collectionId: cid, value: 'red-only.example', tlp: 'clear' })
      t.equal(conflict.statusCode, 409)
      t.equal(conflict.json().error.code, 'CRISP_INDICATOR_OBSERVABLE_CONFLICT')
      t.same(await knex('stix_objects').count({ n: '*' }).first(), before, 'neither object was stored')
    },
  )

  await t.test('bad values and fields: 400 with a code and a message naming the problem', async (t) => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ value: 'just some words' }, 'CRISP_INDICATOR_UNKNOWN_KIND', /cannot tell what kind/],
      [{ value: '198.51.100.7/24' }, 'CRISP_INDICATOR_UNKNOWN_KIND', /network is 198\.51\.100\.0\/24/],
      [{ value: '198.51.100.7', kind: 'ipv6-addr' }, 'CRISP_INDICATOR_INVALID_VALUE', /not a valid ipv6-addr/],
      [
        { value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', kind: 'md5' },
        'CRISP_INDICATOR_INVALID_VALUE',
        /32 hexadecimal/,
      ],
      [{ value: 'evil.example\u0000' }, 'CRISP_INDICATOR_UNKNOWN_KIND', /control character/],
      [
        { value: 'evil.example', validUntil: '2020-01-01T00:00:00Z', validFrom: '2021-01-01T00:00:00Z' },
        'CRISP_INDICATOR_INVALID_TIME',
        /later than validFrom/,
      ],
      [
        { value: 'evil.example', validFrom: 'yesterday' },
        'CRISP_INDICATOR_INVALID_TIME',
        /validFrom: must be an RFC 3339/,
      ],
    ]
    for (const [fields, code, message] of cases) {
      const res = await post(producer.publisher, { collectionId: cid, ...fields })
      t.equal(res.statusCode, 400, JSON.stringify(fields).slice(0, 80))
      t.equal(res.json().error.code, code)
      t.match(res.json().error.message, message)
    }
    for (const fields of [
      { value: 'x'.repeat(2049) },
      { value: 'evil.example', kind: 'ip' },
      { value: 'evil.example', tlp: 'white' },
      { value: 'evil.example', confidence: 101 },
      { value: 'evil.example', extra: 1 },
      { value: '' },
    ]) {
      const res = await post(producer.publisher, { collectionId: cid, ...fields })
      t.equal(res.statusCode, 400, `schema refuses ${JSON.stringify(fields).slice(0, 60)}`)
      t.ok(res.json().error.code, 'with a code')
    }
    t.equal((await post(producer.publisher, { value: 'evil.example' })).statusCode, 400, 'collectionId is required')
  })

  await t.test('RBAC and collection access as for bundles', async (t) => {
    t.equal((await post(null, { collectionId: cid, value: 'evil.example' })).statusCode, 401)
    t.equal(
      (await post(producer.viewer, { collectionId: cid, value: 'evil.example' })).statusCode,
      403,
      'a viewer may not publish',
    )
    t.equal(
      (await post(partner.publisher, { collectionId: cid, value: 'evil.example' })).statusCode,
      403,
      "another organization's collection: visible, not writable",
    )
    t.equal(
      (await post(producer.publisher, { collectionId: partnerPrivate, value: 'evil.example' })).statusCode,
      404,
      'a private collection of another organization does not exist for the caller',
    )
    t.equal(
      (await post(producer.publisher, { collectionId: '00000000-0000-4000-8000-000000000000', value: 'evil.example' }))
        .statusCode,
      404,
    )
  })

  await t.test('the route is in the OpenAPI document', async (t) => {
    const doc = (await app.inject('/docs/json')).json()
    const op = doc.paths['/api/v1/indicators']?.post
    t.ok(op, 'POST /api/v1/indicators documented')
    t.ok(op?.requestBody?.content?.['application/json']?.schema?.properties?.value, 'with its body schema')
    t.ok(op?.responses?.['201'], 'and its 201 answer')
  })
})
