import t from 'tap'
import { TLP_MARKING_IDS } from '../../core/store/index.js'
import { ANONYMIZATION_EXTENSION_ID } from '../../plugins/anonymize-trust-levels/extension.js'
import { getDefaultValidator } from '../../core/stix/validator.js'
import { buildTestApp } from '../helper.js'
import { basic, createCollection, indicator, TAXII, trust } from '../taxii/fixtures.js'
import { bearer, event, matched, orgWithRoles, postEvents } from './fixtures.js'

/** A STIX object as TAXII serves it, with the properties this test reads. */
interface Obj {
  type: string
  id: string
  name?: string
  extensions?: Record<string, { level?: string }>
  [key: string]: unknown
}

t.test(
  "a match is shared back as a sighting the producer reads through TAXII, anonymized at the reporter's trust in it",
  async (t) => {
    const { app, knex } = await buildTestApp(t)
    const producer = await orgWithRoles(app, 'Producer P')
    const reporter = await orgWithRoles(app, 'Reporter R')
    const bystander = await orgWithRoles(app, 'Bystander')
    await trust(knex, producer.orgId, reporter.orgId, 'High trust')
    await trust(knex, reporter.orgId, producer.orgId, 'Medium trust')
    const cid = await createCollection(knex, producer.orgId, 'trusted', 'P intel')
    const ind = indicator({
      name: 'C2',
      pattern: "[ipv4-addr:value = '198.51.100.23']",
      object_marking_refs: [TLP_MARKING_IDS.green],
    })
    const pub = await app.inject({
      method: 'POST',
      url: `/api/v1/collections/${cid}/bundles`,
      headers: bearer(producer.publisher.token),
      payload: { type: 'bundle', id: 'bundle--7a0c7a9e-2b8f-4c1d-9e3a-7f6b5c4d3e2f', objects: [ind] },
    })
    t.equal(pub.statusCode, 200, pub.body)

    // Sharing is off by default: a match shares nothing.
    const first = await postEvents(app, bearer(reporter.admin.token), [
      event({
        severity: 3,
        occurred_at: '2026-11-29T08:00:00Z',
        observables: [{ type: 'ipv4-addr', value: '198.51.100.0' }],
      }),
    ])
    await matched(knex, [first.json().results[0].id])
    t.equal((await knex('event_matches').whereNotNull('sighting_id')).length, 0, 'no sighting while the setting is off')
    t.equal((await knex('stix_objects').where({ type: 'sighting' })).length, 0)

    const on = await app.inject({
      method: 'PATCH',
      url: '/api/v1/alert-settings',
      headers: bearer(reporter.admin.token),
      payload: { shareSightings: true },
    })
    t.equal(on.statusCode, 200, on.body)
    const sent = await postEvents(app, bearer(reporter.admin.token), [
      event({
        severity: 4,
        occurred_at: '2026-11-30T09:15:00Z',
        observables: [{ type: 'ipv4-addr', value: '198.51.100.77' }],
      }),
    ])
    const { id: eventId, alertId } = sent.json().results[0]
    await matched(knex, [eventId])
    const alert = (
      await app.inject({ url: `/api/v1/alerts/${alertId}`, headers: bearer(reporter.viewer.token) })
    ).json()
    const sightingId = alert.matches[0].sightingId
    t.match(sightingId, /^sighting--/, 'the match names its sighting')
    const sightings = (await knex('alert_settings').where({ organization_id: reporter.orgId }).first())
      ?.sighting_collection_id

    const taxii = await app.inject({
      url: `/taxii2/api/collections/${sightings}/objects/`,
      headers: { accept: TAXII, authorization: basic(producer.viewer) },
    })
    t.equal(taxii.statusCode, 200, taxii.body)
    const objects: Obj[] = taxii.json().objects
    const sighting = objects.find((o) => o.type === 'sighting')
    const identity = objects.find((o) => o.type === 'identity')
    t.ok(sighting && identity, 'the producer receives the sighting and the reporter identity')
    const validator = getDefaultValidator()
    for (const o of objects) t.same(validator.validate(o), { ok: true }, `${o.type}: valid STIX 2.1 (OASIS schemas)`)
    t.match(sighting, {
      id: sightingId,
      sighting_of_ref: ind.id,
      count: 1,
      first_seen: '2026-11-30T09:15:00.000000Z',
      last_seen: '2026-11-30T09:15:00.000000Z',
      where_sighted_refs: [identity?.id],
    })
    t.equal(
      sighting?.extensions?.[ANONYMIZATION_EXTENSION_ID]?.level,
      'medium',
      "anonymized at the reporter's trust in the producer (medium)",
    )
    t.not(identity?.name, 'Reporter R', 'the reporter name is pseudonymized at medium')
    t.notOk(taxii.body.includes('198.51.100.77'), "the reporter's event address is not in the sighting")

    const outsider = await app.inject({
      url: `/taxii2/api/collections/${sightings}/objects/`,
      headers: { accept: TAXII, authorization: basic(bystander.viewer) },
    })
    t.equal(outsider.statusCode, 404, 'organizations the reporter does not trust never see its sightings')
    t.ok(await knex('audit_log').where({ action: 'sighting.share', target_id: sightingId }).first(), 'audited')
  },
)
