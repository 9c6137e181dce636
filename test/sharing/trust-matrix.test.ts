import t from 'tap'
import { TLP_MARKING_IDS } from '../../core/store/index.js'
import { ANONYMIZATION_EXTENSION_ID } from '../../plugins/anonymize-trust-levels/extension.js'
import { getDefaultValidator } from '../../core/stix/validator.js'
import { buildTestApp, loginAs } from '../helper.js'
import { basic, createCollection, indicator, orgWithUsers, TAXII, trust } from '../taxii/fixtures.js'

type Obj = { type: string; object_marking_refs?: string[]; extensions?: Record<string, { level?: string }> }
const TLP_BY_ID = Object.fromEntries(Object.entries(TLP_MARKING_IDS).map(([k, v]) => [v, k]))
const ADDRESS = '203.0.113.77'

/** What a reader received: "<type> <tlp>" → the anonymization level stated on the object ("as is" without one). */
function levels(objects: Obj[]): Record<string, string> {
  return Object.fromEntries(
    objects
      .filter((o) => o.type !== 'marking-definition' && o.type !== 'identity' && o.type !== 'extension-definition')
      .map((o) => [
        `${o.type} ${TLP_BY_ID[o.object_marking_refs?.[0] ?? ''] ?? '?'}`,
        o.extensions?.[ANONYMIZATION_EXTENSION_ID]?.level ?? 'as is',
      ]),
  )
}

// The real default strategy (trust-levels) on every way out: REST, TAXII, and each exporter.
t.test(
  'each organization receives exactly its trust level on every way out; RED and AMBER+STRICT never leave',
  async (t) => {
    const { app } = await buildTestApp(t, {
      plugins: { plugins: [{ from: './test/fixtures/exporter-ndjson/index.ts' }] },
    })
    const producer = await orgWithUsers(app, 'Producer')
    const high = await orgWithUsers(app, 'Highly trusted')
    const medium = await orgWithUsers(app, 'Somewhat trusted')
    const stranger = await orgWithUsers(app, 'Stranger')
    await trust(app.knex, producer.orgId, high.orgId, 'High trust')
    await trust(app.knex, producer.orgId, medium.orgId, 'Medium trust')
    const cid = await createCollection(app.knex, producer.orgId, 'public', 'Shared intel')
    const marked = (tlp: keyof typeof TLP_MARKING_IDS) =>
      indicator({
        name: `C2 ${ADDRESS}`,
        pattern: `[ipv4-addr:value = '${ADDRESS}']`,
        object_marking_refs: [TLP_MARKING_IDS[tlp]],
      })
    const sco = {
      type: 'ipv4-addr',
      spec_version: '2.1',
      id: 'ipv4-addr--2c6e5a1e-1f69-5a7e-9d4b-6b1f0e2d3c4a',
      value: ADDRESS,
      object_marking_refs: [TLP_MARKING_IDS.clear],
    }
    const bundle = {
      type: 'bundle',
      id: 'bundle--5d0c7a9e-2b8f-4c1d-9e3a-7f6b5c4d3e2f',
      objects: [marked('red'), marked('amber+strict'), marked('amber'), marked('green'), sco],
    }
    const pub = await app.inject({
      method: 'POST',
      url: `/api/v1/collections/${cid}/bundles`,
      headers: { authorization: basic(producer.publisher) },
      payload: bundle,
    })
    t.equal(pub.statusCode, 200, pub.body)

    const expected: [string, typeof producer, Record<string, string>][] = [
      [
        'producer',
        producer,
        {
          'indicator red': 'as is',
          'indicator amber+strict': 'as is',
          'indicator amber': 'as is',
          'indicator green': 'as is',
          'ipv4-addr clear': 'as is',
        },
      ],
      ['high trust', high, { 'indicator amber': 'low', 'indicator green': 'low', 'ipv4-addr clear': 'low' }],
      [
        'medium trust',
        medium,
        { 'indicator amber': 'medium', 'indicator green': 'medium', 'ipv4-addr clear': 'medium' },
      ],
      ['no trust', stranger, { 'indicator green': 'full', 'ipv4-addr clear': 'full' }],
    ]
    const validator = getDefaultValidator()
    for (const [label, org, want] of expected) {
      const token = await loginAs(app, org.viewer)
      const bearer = { authorization: `Bearer ${token}` }
      const rest = await app.inject({ url: `/api/v1/objects?collection=${cid}`, headers: bearer })
      const taxii = await app.inject({
        url: `/taxii2/api/collections/${cid}/objects/`,
        headers: { accept: TAXII, authorization: basic(org.viewer) },
      })
      const stix = await app.inject({ url: `/api/v1/exports/stix-bundle?collection=${cid}`, headers: bearer })
      const ndjson = await app.inject({ url: `/api/v1/exports/ndjson?collection=${cid}`, headers: bearer })
      const channels: [string, Obj[], string][] = [
        ['REST', rest.json().items.map((i: { object: Obj }) => i.object), rest.body],
        ['TAXII', taxii.json().objects ?? [], taxii.body],
        ['STIX bundle export', stix.json().objects, stix.body],
        [
          'third-party ndjson export',
          ndjson.body
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l)),
          ndjson.body,
        ],
      ]
      for (const [channel, objects, body] of channels) {
        t.same(levels(objects), want, `${label} via ${channel}`)
        for (const o of objects) t.same(validator.validate(o), { ok: true }, `${label} via ${channel}: valid STIX`)
        if (label === 'medium trust' || label === 'no trust')
          t.notOk(body.includes(ADDRESS), `${label} via ${channel}: the address never appears`)
      }
      const csv = await app.inject({ url: `/api/v1/exports/csv?collection=${cid}`, headers: bearer })
      t.equal(csv.statusCode, 200)
      const expectValue = { producer: ADDRESS, 'high trust': '203.0.113.0/24', 'medium trust': '203.0.0.0/16' }[label]
      if (expectValue) t.ok(csv.body.includes(expectValue), `${label} via CSV export: ${expectValue}`)
      if (label !== 'producer')
        t.notOk(csv.body.includes(`${ADDRESS},`), `${label} via CSV export: never the exact address`)
    }
  },
)
