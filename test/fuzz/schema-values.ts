import fc from 'fast-check'

/** A JSON schema as `/docs/json` shows it (OpenAPI 3.0 flavour). */
export interface Schema {
  type?: string | string[]
  enum?: unknown[]
  const?: unknown
  anyOf?: Schema[]
  oneOf?: Schema[]
  allOf?: Schema[]
  nullable?: boolean
  format?: string
  pattern?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  minItems?: number
  maxItems?: number
  items?: Schema
  properties?: Record<string, Schema>
  required?: string[]
  additionalProperties?: boolean | Schema
  [key: string]: unknown
}

/** Real values a valid request should name: ids of rows that exist, so some requests get past the lookups. */
export interface ValuePools {
  uuids: string[]
  stixIds: string[]
  /** Export formats (exporter plugin ids). */
  formats: string[]
  /** Paging cursors in the server's own encodings, for real organizations and collections, at extreme positions. */
  cursors: string[]
}

/** A string parameter's likely form by its name, where the schema says only "string" (timestamps, ids, types). */
export function hinted(name: string, schema: Schema, pools: ValuePools): Schema {
  if (name === 'timeoutSeconds') return { ...schema, enum: [1, 2] }
  if (name === 'config' && schema.type === 'object') return { anyOf: FEED_CONFIGS.map((c) => ({ const: c })) }
  if (schema.type !== 'string' || schema.format || schema.enum || schema.pattern) return schema
  if (/(_after|_before|_from|_to|At|since|until|^from$|^to$)$/.test(name)) return { ...schema, format: 'date-time' }
  if (/^(collection|organization|user|feed)(Id|_id)?$/.test(name)) return { ...schema, format: 'uuid' }
  if (name === 'type' || name === 'match[type]')
    return { ...schema, enum: ['indicator', 'ipv4-addr', 'malware', 'indicator,malware'] }
  if (name === 'format' && pools.formats.length) return { ...schema, enum: pools.formats }
  if (name === 'cursor' || name === 'next') return { ...schema, enum: pools.cursors }
  if (name === 'source') return { ...schema, enum: FEED_SOURCES }
  if (name === 'match[version]')
    return { ...schema, enum: ['first', 'last', 'all', '2024-01-01T00:00:00.000Z', 'first,last'] }
  if (name === 'match[spec_version]') return { ...schema, enum: ['2.1', '2.0', '2.1,2.0'] }
  if (name === 'id' && pools.stixIds.length)
    return { ...schema, enum: [...pools.stixIds.slice(0, 5), pools.stixIds.slice(0, 3).join(',')] }
  if (name === 'match[id]')
    return {
      ...schema,
      enum: pools.stixIds.length ? pools.stixIds : ['indicator--4a5d3b2c-8f0a-4bd8-9e9f-2f4f4a4b4c4d'],
    }
  if (/url$/i.test(name)) return { ...schema, enum: URLS }
  return schema
}

/**
 * The one address feeds may reach: allow-listed in the fuzzed app (`FUZZ_APP_ENV`), nothing listens there, so a
 * dry run fails at once instead of waiting for a real server's timeout.
 */
export const FUZZ_FEED_URL = 'http://127.0.0.2:1/'
export const FUZZ_APP_ENV = { CRISP_FEED_ALLOW_PRIVATE: '127.0.0.2/32' }

/** Feed configurations: sources by URL and by local file, the file outside any allowed folder. */
const FEED_CONFIGS = [
  { url: FUZZ_FEED_URL },
  { url: FUZZ_FEED_URL, apiKey: 'k' },
  { apiKey: 'k' },
  { collectionUrl: `${FUZZ_FEED_URL}api/collections/x/` },
  { url: 'http://127.0.0.1:5432/' },
  { path: '../../etc/passwd' },
  { path: '/etc/shadow' },
  { url: 'http://169.254.169.254/latest/meta-data/', apiKey: "' OR 1=1 --" },
  { url: `${FUZZ_FEED_URL}taxii2/`, collectionId: 'x' },
]
/** Feed-source plugin ids of the built-in plugins. */
const FEED_SOURCES = ['stix-bundle', 'taxii21', 'csv', 'misp', 'otx']
/** Addresses a request may ask the platform to reach: public-looking, loopback, private, metadata, local files. */
const URLS = [
  FUZZ_FEED_URL,
  'http://127.0.0.1:5432/',
  'http://[::1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://169.254.169.254/latest/meta-data/',
  'http://10.0.0.1/',
  'file:///etc/passwd',
  'gopher://127.0.0.1:6379/_INFO',
  'http://0x7f000001/',
  'http://2130706433/',
]

const ISO_DATE = fc
  .date({ min: new Date('2000-01-01'), max: new Date('2035-01-01'), noInvalidDate: true })
  .map((d) => d.toISOString())

function stringArb(schema: Schema, pools: ValuePools): fc.Arbitrary<string> {
  const real = (ids: string[]) => (ids.length ? [fc.constantFrom(...ids)] : [])
  switch (schema.format) {
    case 'uuid':
      return fc.oneof(...real(pools.uuids), ...real(pools.uuids), fc.uuid())
    case 'date-time':
      return ISO_DATE
    case 'email':
      return fc.emailAddress()
    case 'uri':
    case 'url':
      return fc.webUrl()
  }
  if (schema.pattern) {
    try {
      return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= (schema.maxLength ?? 300))
    } catch {
      // A pattern JavaScript does not read: fall through to a plain string.
    }
  }
  const minLength = schema.minLength ?? 0
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 40, 40))
  return fc.oneof(fc.string({ minLength, maxLength }), ...real(pools.stixIds).filter(() => maxLength >= 40))
}

function objectArb(schema: Schema, pools: ValuePools, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const props = schema.properties ?? {}
  const model = Object.fromEntries(
    Object.entries(props).map(([k, s]) => [k, valueArb(hinted(k, s, pools), pools, depth + 1)]),
  )
  const base = fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in props) })
  if (typeof schema.additionalProperties !== 'object' || Object.keys(props).length) return base
  const extra = fc.dictionary(
    fc.string({ minLength: 1, maxLength: 12 }),
    valueArb(schema.additionalProperties, pools, depth + 1),
    { maxKeys: 3 },
  )
  return fc.tuple(base, extra).map(([a, b]) => ({ ...b, ...a }))
}

/** Values the schema accepts (mostly: formats and patterns are approximated), for requests that pass validation. */
export function valueArb(schema: Schema | undefined, pools: ValuePools, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 5) return fc.constant(null)
  if (schema.enum?.length) return fc.constantFrom(...schema.enum)
  if (schema.const !== undefined) return fc.constant(schema.const)
  const alternatives = schema.anyOf ?? schema.oneOf
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => valueArb(s, pools, depth)))
  if (schema.allOf?.length) {
    const merged: Schema = { type: 'object', properties: {}, required: [] }
    for (const part of schema.allOf) {
      Object.assign(merged.properties!, part.properties)
      merged.required!.push(...(part.required ?? []))
    }
    return objectArb(merged, pools, depth)
  }
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []
  if (types.length > 1) return fc.oneof(...types.map((type) => valueArb({ ...schema, type }, pools, depth)))
  const inner = ((): fc.Arbitrary<unknown> => {
    switch (types[0]) {
      case 'string':
        return stringArb(schema, pools)
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000 })
      case 'number':
        return fc.double({
          min: schema.minimum ?? -1e6,
          max: schema.maximum ?? 1e6,
          noNaN: true,
          noDefaultInfinity: true,
        })
      case 'boolean':
        return fc.boolean()
      case 'null':
        return fc.constant(null)
      case 'array':
        return fc.array(valueArb(schema.items, pools, depth + 1), {
          minLength: schema.minItems ?? 0,
          maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)),
        })
      case 'object':
        return objectArb(schema, pools, depth)
      default:
        return schema.properties ? objectArb(schema, pools, depth) : fc.jsonValue({ maxDepth: 2 })
    }
  })()
  return schema.nullable ? fc.oneof(inner, fc.constant(null)) : inner
}
