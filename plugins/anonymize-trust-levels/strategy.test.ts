import t from 'tap'
import type { StixObject } from '../../core/plugin-api/index.js'
import { getDefaultValidator } from '../../core/stix/validator.js'
import { anonymizationExtensionDefinition, ANONYMIZATION_EXTENSION_ID } from './extension.js'
import { ctx, indicator, sco, strategyFor } from './test-support.js'

const strategy = strategyFor()
const T = '2016-04-06T20:03:48.000Z'
const PRODUCER = 'identity--f431f809-377b-45e0-aa1c-6a4751cae5ff'
const ip = { ...sco('ipv4-addr', { value: '198.51.100.3' }), id: 'ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd' }
const observed: StixObject = {
  type: 'observed-data',
  spec_version: '2.1',
  id: 'observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf',
  created: T,
  modified: T,
  first_observed: T,
  last_observed: T,
  number_observed: 1,
  object_refs: [ip.id],
  created_by_ref: PRODUCER,
}

t.test('an SCO and the objects referencing it agree on its keyed id', async (t) => {
  for (const level of ['low', 'medium', 'high', 'full'] as const) {
    const outIp = strategy.anonymize(ip, ctx(level)) as StixObject
    const outObserved = strategy.anonymize(observed, ctx(level)) as StixObject
    t.not(outIp.id, ip.id, `${level}: the value-derived id is replaced`)
    t.same(outObserved.object_refs, [outIp.id], `${level}: the reference follows`)
  }
})

t.test('at high the producer is one anonymous identity everywhere', async (t) => {
  const identity = {
    type: 'identity',
    spec_version: '2.1',
    id: PRODUCER,
    created: T,
    modified: T,
    name: 'ACME Bank',
    identity_class: 'organization',
  }
  const outIdentity = strategy.anonymize(identity, ctx('high')) as StixObject
  const outObserved = strategy.anonymize(observed, ctx('high')) as StixObject
  t.equal(outIdentity.name, 'Anonymous')
  t.equal(outObserved.created_by_ref, outIdentity.id)
  t.same(strategy.anonymize(identity, ctx('medium'))?.id, PRODUCER, 'below high the identity keeps its id')
})

t.test('equality on an address that became a network turns into ISSUBSET', async (t) => {
  const out = strategy.anonymize(
    indicator("[ipv4-addr:value = '198.51.100.7' AND ipv4-addr:value != '203.0.113.1']"),
    ctx('medium'),
  )
  t.equal(out?.pattern, "[ipv4-addr:value ISSUBSET '198.51.0.0/16' AND ipv4-addr:value NOT ISSUBSET '203.0.0.0/16']")
})

t.test('what cannot be anonymized is withheld', async (t) => {
  t.equal(strategy.anonymize(indicator('[ipv4-addr:value = '), ctx('medium')), null, 'an unparsable pattern')
  t.equal(
    strategy.anonymize(indicator('rule x { condition: true }', { pattern_type: 'yara' }), ctx('medium')),
    null,
    'a YARA rule',
  )
  t.not(
    strategy.anonymize(indicator('rule x { condition: true }', { pattern_type: 'yara' }), ctx('low')),
    null,
    'kept at low',
  )
})

t.test('every anonymized object carries the level extension; the definition validates', async (t) => {
  const out = strategy.anonymize(ip, ctx('full')) as StixObject
  t.same((out.extensions as Record<string, unknown>)[ANONYMIZATION_EXTENSION_ID], {
    extension_type: 'property-extension',
    level: 'full',
    strategy: 'trust-levels',
  })
  t.ok(getDefaultValidator().validate(anonymizationExtensionDefinition).ok)
})

t.test('the plugin refuses to start without a real key', async (t) => {
  const { default: definition } = await import('./index.js')
  const make = (anonymizationKey: string) =>
    definition.create({
      config: { pseudonymScope: 'platform', preserveLabels: false },
      log: console,
      secrets: { anonymizationKey },
    } as never)
  t.throws(() => make(''), /anonymization key/)
  t.ok(make('a-long-enough-anonymization-key!!'))
})
