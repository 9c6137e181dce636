import t from 'tap'
import { TLP_MARKING_IDS } from '../../core/store/index.js'
import { ANONYMIZATION_EXTENSION_ID } from '../../plugins/anonymize-trust-levels/extension.js'
import { matchEvents } from '../../core/events/match/match-events.js'
import { buildTestApp } from '../helper.js'
import { createCollection, indicator, trust } from '../taxii/fixtures.js'
import { bearer, event, matched, orgWithRoles, postEvents } from './fixtures.js'

const marked = (tlp: keyof typeof TLP_MARKING_IDS, pattern: string, name: string) =>
  indicator({ name, pattern, object_marking_refs: [TLP_MARKING_IDS[tlp]] })

t.test(
  'events match what the organization receives through the egress pipeline, never the stored values',
  async (t) => {
    const { app, knex } = await buildTestApp(t)
    const producer = await orgWithRoles(app, 'Producer')
    const partner = await orgWithRoles(app, 'Partner (medium trust)')
    const stranger = await orgWithRoles(app, 'Stranger')
    await trust(knex, producer.orgId, partner.orgId, 'Medium trust')
    const cid = await createCollection(knex, producer.orgId, 'public', 'Intel')
    const indicators = {
      network: marked('green', "[ipv4-addr:value = '198.51.100.23']", 'C2 address'),
      domain: marked('green', "[domain-name:value = 'evil.example.com']", 'Phishing domain'),
      red: marked('red', "[ipv4-addr:value = '203.0.113.50']", 'Red address'),
      amber: marked('amber', "[file:hashes.'SHA-256' = '" + 'ef'.repeat(32) + "']", 'Amber hash'),
    }
    const pub = await app.inject({
      method: 'POST',
      url: `/api/v1/collections/${cid}/bundles`,
      headers: bearer(producer.publisher.token),
      payload: {
        type: 'bundle',
        id: 'bundle--6a0c7a9e-2b8f-4c1d-9e3a-7f6b5c4d3e2f',
        objects: Object.values(indicators),
      },
    })
    t.equal(pub.statusCode, 200, pub.body)
    const set = await app.inject({
      method: 'PATCH',
      url: '/api/v1/alert-settings',
      headers: bearer(partner.admin.token),
      payload: { matchSeverity: 4 },
    })
    t.equal(set.statusCode, 200)

    const observables = [
      { type: 'ipv4-addr', value: '198.51.7.9' }, // inside the /16 the partner received, not the stored address
      { type: 'domain-name', value: 'evil.example.com' }, // the stored value, received only as a pseudonym
      { type: 'ipv4-addr', value: '203.0.113.50' }, // TLP RED: never leaves the producer
      { type: 'sha256', value: 'ef'.repeat(32) }, // AMBER: only with trust
    ]
    const sent = await postEvents(app, bearer(partner.admin.token), [
      event({ severity: 3, observables }),
      event({ severity: 1, observables: [{ type: 'ipv4-addr', value: '198.51.200.1' }] }),
      event({ severity: 2, observables: [{ type: 'url', value: 'https://nothing.example/x' }] }),
    ])
    const strangerSent = await postEvents(app, bearer(stranger.admin.token), [
      event({ severity: 3, observables: [...observables, { type: 'ipv4-addr', value: '198.51.100.23' }] }),
    ])
    const [high, low, quiet] = sent.json().results
    const strangerEvent = strangerSent.json().results[0]
    await matched(knex, [high.id, low.id, quiet.id, strangerEvent.id])

    const alert = (
      await app.inject({ url: `/api/v1/alerts/${high.alertId}`, headers: bearer(partner.viewer.token) })
    ).json()
    t.same(
      alert.matches
        .map((m: { observable: { value: string }; matchedValue: string; stixId: string }) => [
          m.observable.value,
          m.matchedValue,
          m.stixId,
        ])
        .sort(),
      [
        ['198.51.7.9', '198.51.0.0/16', indicators.network.id],
        ['ef'.repeat(32), 'ef'.repeat(32), indicators.amber.id],
      ].sort(),
      'the /16 and the AMBER hash match; the pseudonymized domain and the RED address do not',
    )
    const network = alert.matches.find((m: { stixId: string }) => m.stixId === indicators.network.id)
    t.equal(
      network.object.pattern,
      "[ipv4-addr:value ISSUBSET '198.51.0.0/16']",
      'the indicator is listed as the partner received it',
    )
    t.equal(network.object.extensions[ANONYMIZATION_EXTENSION_ID].level, 'medium')
    t.notOk(JSON.stringify(alert).includes('198.51.100.23'), 'the stored address appears nowhere on the alert')
    t.match(alert, { matchCount: 2, severity: 4 }, 'matches counted; severity raised to the configured level')
    t.match(
      alert.history.map((h: { change: string }) => h.change),
      ['created', 'match', 'severity'],
    )

    const lowEvent = (
      await app.inject({ url: `/api/v1/events/${low.id}`, headers: bearer(partner.viewer.token) })
    ).json()
    t.type(lowEvent.alertId, 'string', 'a Low event that matches shared intelligence gets an alert')
    t.equal(lowEvent.matches[0].matchedValue, '198.51.0.0/16')
    const quietEvent = (
      await app.inject({ url: `/api/v1/events/${quiet.id}`, headers: bearer(partner.viewer.token) })
    ).json()
    t.same([quietEvent.alertId, quietEvent.matches], [null, []], 'no match, below the threshold: no alert')
    const onlyMatched = (
      await app.inject({ url: '/api/v1/alerts?matched=true', headers: bearer(partner.viewer.token) })
    ).json()
    t.equal(onlyMatched.count, 2)

    const strangerAlert = (
      await app.inject({ url: `/api/v1/alerts/${strangerEvent.alertId}`, headers: bearer(stranger.viewer.token) })
    ).json()
    t.same(
      strangerAlert.matches,
      [],
      'without trust nothing matches: not the exact stored address (received as a keyed pseudonym), not AMBER, not RED',
    )

    // A retried or duplicated job changes nothing, even when two run the whole pass again at the same time.
    const before = await knex('alerts').orderBy('id').select('id', 'match_count', 'severity')
    const matchesBefore = await knex('event_matches').count({ n: '*' })
    await matchEvents(
      { knex, registry: app.registry, log: app.log, jobs: app.jobs },
      { organizationId: partner.orgId, eventIds: [high.id, low.id, quiet.id] },
    )
    await knex('security_events').whereIn('id', [high.id, low.id, quiet.id]).update({ matched_at: null })
    const again = { organizationId: partner.orgId, eventIds: [high.id, low.id, quiet.id] }
    const deps = { knex, registry: app.registry, log: app.log, jobs: app.jobs }
    await Promise.all([matchEvents(deps, again), matchEvents(deps, again)])
    t.same(
      await knex('alerts').orderBy('id').select('id', 'match_count', 'severity'),
      before,
      'no new alert, counts unchanged',
    )
    t.same(await knex('event_matches').count({ n: '*' }), matchesBefore)
  },
)
