/**
 * Contract suite every anonymization-strategy plugin (built-in or third-party) runs against itself:
 *
 *   import { runAnonymizationStrategyContract } from '../../test/contract/anonymization-strategy.js'
 *   t.test('contract', (t) => runAnonymizationStrategyContract(t, { definition }))
 *
 * It checks the definition's shape, then anonymizes sample objects at every level: the output is valid STIX
 * 2.1 (or null, meaning withheld), deterministic, the input is never mutated, and `none` changes nothing.
 */
import { isDeepStrictEqual } from 'node:util'
import type { Test } from 'tap'
import type { TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import {
  ANONYMIZATION_LEVELS,
  PLUGIN_API_VERSION,
  PLUGIN_ID_PATTERN,
  type AnonymizationStrategy,
  type PluginContext,
  type StixObject,
} from '../../core/plugin-api/index.js'
import { getDefaultValidator } from '../../core/stix/validator.js'

const T = '2016-04-06T20:03:48.000Z'
const sdo = (type: string, uuid: string, extra: Record<string, unknown>): StixObject => ({
  type,
  spec_version: '2.1',
  id: `${type}--${uuid}`,
  created: T,
  modified: T,
  ...extra,
})
const sco = (type: string, uuid: string, extra: Record<string, unknown>): StixObject => ({
  type,
  spec_version: '2.1',
  id: `${type}--${uuid}`,
  ...extra,
})
const IP = 'ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd'
const PRODUCER = 'identity--f431f809-377b-45e0-aa1c-6a4751cae5ff'
const TLP_GREEN = 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da'

/** One object of each shape that carries values a strategy must handle; all valid STIX 2.1. */
export const CONTRACT_SAMPLE_OBJECTS: readonly StixObject[] = [
  sdo('identity', 'f431f809-377b-45e0-aa1c-6a4751cae5ff', {
    name: 'ACME Bank',
    identity_class: 'organization',
    contact_information: 'soc@acme-bank.example',
  }),
  sdo('indicator', '8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f', {
    created_by_ref: PRODUCER,
    name: 'C2 at 198.51.100.7',
    description: 'Beacons to http://evil.example.com/gate.php',
    pattern:
      "[ipv4-addr:value = '198.51.100.7'] OR [domain-name:value = 'evil.example.com'] OR [file:hashes.'SHA-256' = 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c']",
    pattern_type: 'stix',
    valid_from: T,
    object_marking_refs: [TLP_GREEN],
    labels: ['c2'],
    x_acme_case: 'INC-4711 on 10.1.2.3',
    external_references: [
      { source_name: 'acme-tickets', external_id: 'INC-4711', url: 'https://tickets.acme-bank.example/4711' },
    ],
  }),
  sco('ipv4-addr', 'ff26c055-6336-5bc5-b98d-13d6226742dd', { value: '198.51.100.3' }),
  sco('ipv6-addr', '1e61d36c-a16c-53b7-a80f-2a00161c96b1', { value: '2001:db8:85a3::8a2e:370:7334' }),
  sco('domain-name', '3c10e93f-798e-5a26-a0c1-08156efab7f5', { value: 'mail.victim.example' }),
  sco('url', 'c1477287-23ac-5971-a010-5c287877fa60', { value: 'https://evil.example.com/research/index.html?id=42' }),
  sco('email-addr', '2d77a846-6264-5d51-b586-e43822ea1ea3', {
    value: 'john.doe@victim.example',
    display_name: 'John Doe',
  }),
  sco('file', 'e277603e-1060-5ad4-9937-c26c97f1ca68', {
    name: 'invoice.exe',
    hashes: { MD5: 'd41d8cd98f00b204e9800998ecf8427e' },
  }),
  sco('user-account', '0d5b424b-93b8-5cd8-ac36-306e1789d63c', {
    user_id: '1001',
    account_login: 'jdoe',
    account_type: 'unix',
  }),
  sdo('observed-data', 'b67d30ff-02ac-498a-92f9-32f845f448cf', {
    first_observed: T,
    last_observed: T,
    number_observed: 3,
    object_refs: [IP],
    created_by_ref: PRODUCER,
  }),
  sdo('sighting', 'ee20065d-2555-424f-ad9e-0f8fd3f6c7d3', {
    sighting_of_ref: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
    where_sighted_refs: [PRODUCER],
    observed_data_refs: ['observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf'],
  }),
  sdo('report', '84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3', {
    name: 'Phishing wave against john.doe@victim.example',
    description: 'From 203.0.113.9 and evil.example.com.',
    published: T,
    report_types: ['campaign'],
    object_refs: [IP, 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'],
  }),
  sdo('note', '0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061', {
    content: 'Victim host 192.0.2.44 reached evil.example.com',
    object_refs: [IP],
  }),
  sdo('relationship', '44298a74-ba52-4f0c-87a3-1824e67d7fad', {
    relationship_type: 'indicates',
    source_ref: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
    target_ref: 'malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b',
  }),
]

export interface AnonymizationStrategyDefinitionLike {
  kind: string
  id: string
  apiVersion: number
  version: string
  description: string
  configSchema: TSchema
  create(ctx: PluginContext<never>): AnonymizationStrategy | Promise<AnonymizationStrategy>
}

export interface AnonymizationStrategyContractOptions {
  definition: AnonymizationStrategyDefinitionLike
  /** Configuration for `create`; schema defaults are applied first. */
  config?: Record<string, unknown>
  /** Extra objects to anonymize besides the built-in samples (all valid STIX 2.1). */
  samples?: readonly StixObject[]
}

const CONTRACT_KEY = 'contract-test-anonymization-key-0123456789'
const unavailable = () => Promise.reject(new Error('anonymization strategies get no identity services'))
const noServices = {
  identity: { verifyAccessToken: unavailable, verifyPassword: unavailable, verifyApiKey: unavailable },
}

/** Applies schema defaults, checks the config like the registry does at boot, then creates the strategy. */
export async function createAnonymizationStrategy(
  definition: AnonymizationStrategyDefinitionLike,
  config: Record<string, unknown> = {},
  anonymizationKey = CONTRACT_KEY,
): Promise<AnonymizationStrategy> {
  const withDefaults = Value.Default(definition.configSchema, Value.Clone(config))
  if (!Value.Check(definition.configSchema, withDefaults)) {
    const errors = [...Value.Errors(definition.configSchema, withDefaults)].map((e) => `${e.path}: ${e.message}`)
    throw new Error(`invalid ${definition.id} config: ${errors.join('; ')}`)
  }
  const silent = { debug() {}, info() {}, warn() {}, error() {} }
  const ctx = { config: withDefaults, log: silent, secrets: { anonymizationKey }, services: noServices }
  // The definition's config type is not known here; the schema check above is what makes this cast sound.
  return definition.create(ctx as unknown as PluginContext<never>)
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) deepFreeze(item)
    Object.freeze(value)
  }
  return value
}

export async function runAnonymizationStrategyContract(
  t: Test,
  options: AnonymizationStrategyContractOptions,
): Promise<void> {
  const { definition } = options
  t.test('definition shape', async (t) => {
    t.equal(definition.kind, 'anonymization-strategy')
    t.match(definition.id, PLUGIN_ID_PATTERN)
    t.equal(definition.apiVersion, PLUGIN_API_VERSION)
    t.match(definition.version, /^\d+\.\d+\.\d+/)
    t.ok(definition.description.length > 0, 'has a description')
    t.equal(typeof definition.create, 'function')
  })

  const strategy = await createAnonymizationStrategy(definition, options.config)
  const again = await createAnonymizationStrategy(definition, options.config)
  const validator = getDefaultValidator()
  const samples = [...CONTRACT_SAMPLE_OBJECTS, ...(options.samples ?? [])]
  const ctxFor = (level: (typeof ANONYMIZATION_LEVELS)[number]) => ({
    level,
    producerOrgId: 'org-producer',
    recipientOrgId: 'org-recipient',
  })

  t.test('samples are valid STIX to begin with', async (t) => {
    for (const obj of samples) t.ok(validator.validate(obj).ok, `${obj.type} sample validates`)
  })

  t.test('none returns an equal object', async (t) => {
    for (const obj of samples) t.same(strategy.anonymize(structuredClone(obj), ctxFor('none')), obj, obj.type)
  })

  for (const level of ANONYMIZATION_LEVELS) {
    t.test(`level ${level}: valid, deterministic, input untouched`, async (t) => {
      for (const obj of samples) {
        const frozen = deepFreeze(structuredClone(obj))
        let out: StixObject | null
        try {
          out = strategy.anonymize(frozen, ctxFor(level))
        } catch (error) {
          t.fail(`${obj.type} at ${level}: threw (mutated its frozen input?) ${String(error)}`)
          continue
        }
        t.ok(isDeepStrictEqual(frozen, obj), `${obj.type}: input not mutated`)
        t.same(strategy.anonymize(frozen, ctxFor(level)), out, `${obj.type}: same input, same output`)
        t.same(again.anonymize(frozen, ctxFor(level)), out, `${obj.type}: a second instance agrees`)
        if (out === null) continue
        const result = validator.validate(out)
        t.ok(result.ok, `${obj.type} at ${level} validates`, result.ok ? {} : { errors: result.errors, out })
      }
    })
  }
}
