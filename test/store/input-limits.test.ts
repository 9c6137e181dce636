import t from 'tap'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { STIX_INPUT_LIMITS } from '../../core/stix/input-limits.js'
import { loginAs, SHARED } from '../helper.js'
import { buildTaxiiApp, createCollection, indicator, orgWithUsers } from '../taxii/fixtures.js'

// Each hostile object is refused alone, with a message naming it, the place and the limit; the valid objects of
// the same bundle are stored. Before: the bundle failed whole with a 500 (DB check, NUL, surrogate, RangeError)
// or, for deep objects under JSON.stringify's reach, was stored and broke every later read.

const { app, knex } = await buildTaxiiApp(t)
const org = await orgWithUsers(app, 'Publisher org')
const collectionId = await createCollection(knex, org.orgId)
const token = await loginAs(app, org.publisher)

/** Posts a bundle of the objects; strings are objects already serialised (JSON.stringify cannot nest 100,000 deep). */
function post(objects: unknown[]) {
  const texts = objects.map((o) => (typeof o === 'string' ? o : JSON.stringify(o)))
  const payload = `{"type":"bundle","id":"bundle--4a5d3b2c-8f0a-4bd8-9e9f-2f4f4a4b4c4d","objects":[${texts.join(',')}]}`
  return app.inject({
    method: 'POST',
    url: `/api/v1/collections/${collectionId}/bundles`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload,
  })
}

function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 'x' }
  for (let i = 1; i < levels; i++) value = { x_deeper: value }
  return value
}

t.test(
  'the OASIS infrastructure example: nine objects stored, the upper-case UUID refused with its reason',
  async (t) => {
    const bundle = JSON.parse(
      readFileSync(path.join(SHARED, 'datasets', 'oasis-examples', 'infrastructure.json'), 'utf8'),
    )
    const res = await post(bundle.objects)
    t.equal(res.statusCode, 200, res.body)
    const { counts, results } = res.json()
    t.same(counts, { new: 9, 'new-version': 0, unchanged: 0, rejected: 1 })
    const refused = results.find((r: { status: string }) => r.status === 'rejected')
    t.equal(refused.id, 'relationship--81f12913-1372-4c96-85ec-E9034ac98aba')
    t.match(
      refused.message,
      'relationship--81f12913-1372-4c96-85ec-E9034ac98aba: /id: must write its UUID in lower case',
    )
    t.equal(Number((await knex('stix_objects').count({ n: '*' }).first())?.n), 9)
  },
)

t.test('depth, NUL, lone surrogates, long strings, wide objects: one refusal each, the rest stored', async (t) => {
  const ok = indicator()
  // An object of exactly 64 levels (the indicator is level 1) is within the limit.
  const deepest = indicator({ x_nested: nested(STIX_INPUT_LIMITS.maxDepth - 1) })
  const tooDeep = indicator({ x_nested: nested(STIX_INPUT_LIMITS.maxDepth) })
  const veryDeep = indicator()
  const veryDeepText = JSON.stringify(veryDeep).replace(
    /}$/,
    `,"x_nested":${'{"x_deeper":'.repeat(99_999)}{"leaf":"x"}${'}'.repeat(99_999)}}`,
  )
  const nul = indicator({ description: 'before\u0000after' })
  const nulKey = indicator({ x_dict: { 'a\u0000b': 1 } })
  const surrogate = indicator({ labels: ['ok', 'broken \ud800 pair'] })
  const surrogateKey = indicator({ x_dict: { '\udc00': 1 } })
  const longString = indicator({ description: 'x'.repeat(STIX_INPUT_LIMITS.maxStringLength + 1) })
  const wide = indicator({
    x_dict: Object.fromEntries(Array.from({ length: STIX_INPUT_LIMITS.maxProperties + 1 }, (_, i) => [`k${i}`, i])),
  })
  const nulId = { ...indicator(), id: 'indicator--\u0000' }
  const res = await post([
    ok,
    deepest,
    tooDeep,
    veryDeepText,
    nul,
    nulKey,
    surrogate,
    surrogateKey,
    longString,
    wide,
    nulId,
  ])
  t.equal(res.statusCode, 200, res.body.slice(0, 500))
  const results = res.json().results as { id?: string; status: string; message?: string }[]
  t.same(
    results.map((r) => r.status),
    ['new', 'new', ...Array(9).fill('rejected')],
  )
  const messages = results.slice(2).map((r) => r.message as string)
  // The pointer to the 65th level is long: it is cut at 200 characters.
  t.ok(messages[0].startsWith(`${tooDeep.id}: /x_nested/x_deeper/x_deeper/`), messages[0])
  t.ok(messages[0].endsWith('…: is nested deeper than 64 levels'), messages[0])
  t.ok(messages[1].startsWith(`${veryDeep.id}: /x_nested/x_deeper/`), messages[1])
  t.ok(messages[1].endsWith('…: is nested deeper than 64 levels'), messages[1])
  t.equal(messages[2], `${nul.id}: /description: the string contains a NUL character (U+0000), which cannot be stored`)
  t.equal(
    messages[3],
    `${nulKey.id}: /x_dict/a\\u0000b: the property name contains a NUL character (U+0000), which cannot be stored`,
  )
  t.equal(
    messages[4],
    `${surrogate.id}: /labels/1: the string contains a lone surrogate (U+D800), which is not valid Unicode`,
  )
  t.equal(
    messages[5],
    `${surrogateKey.id}: /x_dict/\\udc00: the property name contains a lone surrogate (U+DC00), which is not valid Unicode`,
  )
  t.equal(
    messages[6],
    `${longString.id}: /description: the string is ${STIX_INPUT_LIMITS.maxStringLength + 1} characters long; at most ${STIX_INPUT_LIMITS.maxStringLength} are accepted`,
  )
  t.equal(
    messages[7],
    `${wide.id}: /x_dict: has ${STIX_INPUT_LIMITS.maxProperties + 1} properties; at most ${STIX_INPUT_LIMITS.maxProperties} are accepted`,
  )
  t.equal(results[10].id, undefined, 'an id that cannot be echoed is not')
  t.match(messages[8], /^object 10: \/id: the string contains a NUL character/)
  t.same(
    (
      await knex('stix_objects')
        .whereIn('stix_id', [ok.id, deepest.id] as string[])
        .pluck('stix_id')
    ).sort(),
    [ok.id, deepest.id].sort(),
  )
})

t.test('an object larger than the size limit is refused alone', async (t) => {
  const third = Math.ceil(STIX_INPUT_LIMITS.maxObjectBytes / 3)
  const big = indicator({ description: 'a'.repeat(third), x_one: 'b'.repeat(third), x_two: 'c'.repeat(third) })
  const ok = indicator()
  const res = await post([big, ok])
  t.equal(res.statusCode, 200)
  const [refused, stored] = res.json().results
  t.match(
    refused.message,
    new RegExp(
      `^${big.id}: /: the object is \\d+ bytes of JSON; at most ${STIX_INPUT_LIMITS.maxObjectBytes} are accepted$`,
    ),
  )
  t.equal(stored.status, 'new')
})

// Before the fix each of these held the event loop for minutes to hours: the file's timeout is the guard.
t.test('hostile values for backtracking schema patterns and pattern parsing answer at once', async (t) => {
  const res = await post([
    { ...indicator(), type: `${'a'.repeat(60)}!` },
    {
      type: 'software',
      spec_version: '2.1',
      id: 'software--3a41e552-999b-4ad3-bedc-332b6d9ff80c',
      name: 'x',
      languages: [`en${'-abcde'.repeat(20_000)}!`],
    },
    {
      type: 'ipv6-addr',
      spec_version: '2.1',
      id: 'ipv6-addr--1e4ffad7-0b88-41d4-ba4d-77d27490b956',
      value: `::1%${'s'.repeat(100_000)}\n`,
    },
    indicator({ pattern: `${'('.repeat(5000)}[ipv4-addr:value = '198.51.100.1']${')'.repeat(5000)}` }),
    indicator({ pattern: `[${Array(2000).fill("ipv4-addr:value = '198.51.100.1'").join(' OR ')}]` }),
    { ...indicator(), extensions: { [`${'a'.repeat(60)}!`]: { extension_type: 'property-extension' } } },
  ])
  t.equal(res.statusCode, 200, res.body.slice(0, 300))
  const messages = res.json().results.map((r: { status: string; message: string }) => `${r.status} ${r.message}`)
  t.match(messages[0], /^rejected .*\/type: must match pattern/)
  t.match(messages[1], /^rejected software--.*\/languages\/0: must match pattern/)
  t.match(messages[2], /^rejected ipv6-addr--.*\/value: must match pattern/)
  t.match(messages[3], /^rejected indicator--.*\/pattern: invalid STIX pattern: parentheses nested deeper than 100/)
  t.match(
    messages[4],
    /^rejected indicator--.*\/pattern: invalid STIX pattern: more than 1000 chained or nested expressions/,
  )
  t.match(messages[5], /^rejected indicator--.*\/extensions/)
})
