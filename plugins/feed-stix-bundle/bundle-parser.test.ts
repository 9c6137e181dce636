import { deepStrictEqual } from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import fc from 'fast-check'
import t from 'tap'
import type { FeedItem } from '../../core/plugin-api/index.js'
import { parseObjectText } from '../../test/contract/feed-source.js'
import { bundleEntryToItem, parseBundleStream } from './bundle-parser.js'

/**
 * Runs the parser over `chunks`; resolves to its items, or to the error it threw. An entry given as text is
 * parsed as it comes, as the core parses one it does not find stored (its parse must give `JSON.parse` of the
 * text: checked here); the texts are collected in `texts`.
 */
async function run(chunks: Array<Uint8Array | string>): Promise<{ items: FeedItem[]; texts: string[]; error?: Error }> {
  const items: FeedItem[] = []
  const texts: string[] = []
  const source = (async function* () {
    yield* chunks
  })()
  try {
    for await (const item of parseBundleStream(source, new AbortController().signal, 'test')) {
      if (item.kind === 'object-text') {
        texts.push(item.text)
        items.push(parseObjectText(item))
      } else items.push(item)
    }
    return { items, texts }
  } catch (error) {
    return { items, texts, error: error as Error }
  }
}

/** Splits `whole` at the given fractions of its length (sorted, deduplicated, no empty pieces). */
function split<T extends Uint8Array | string>(whole: T, cuts: number[]): T[] {
  const at = [...new Set(cuts.map((f) => Math.floor(f * whole.length)))].filter((p) => p > 0 && p < whole.length)
  at.sort((a, b) => a - b)
  const pieces: T[] = []
  let from = 0
  for (const p of [...at, whole.length]) {
    pieces.push(whole.slice(from, p) as T)
    from = p
  }
  return pieces
}

/** What the parser must yield for a document, by JSON.parse of the whole; null when it must throw. */
function expected(text: string): FeedItem[] | null {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return null
  const bundle = doc as Record<string, unknown>
  if (bundle.type !== 'bundle') return null
  const objects = bundle.objects
  const entries = Array.isArray(objects)
    ? objects
    : typeof objects === 'object' && objects !== null
      ? Object.values(objects)
      : []
  return entries.map((value, i) => bundleEntryToItem(value, i))
}

// Strings that stress the scanner: quotes, backslashes, brackets, separators, control characters, multi-byte
// UTF-8, surrogate pairs (and lone surrogates, which JSON.stringify escapes).
const nasty = fc.string({
  unit: fc.oneof(
    fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\n', '\t', '\u0000', '\u001f', '/', 'é', '€'),
    fc.constantFrom('\u2028', '\uFEFF', '😀', '\u{10FFFF}', '\uD800', '\uDFFF', '\\"', '\\\\', '"}]'),
    fc.string({ unit: 'binary', maxLength: 3 }),
  ),
  maxLength: 24,
})
const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(nasty, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(nasty, tie('json'), { maxKeys: 4 }),
  ),
}))
const stixLike = fc.record({ type: nasty, id: nasty, extra: json, [`"]}x`]: json }, { requiredKeys: ['type', 'id'] })
const entry = fc.oneof({ weight: 4, arbitrary: stixLike }, { weight: 1, arbitrary: json })
const bundle = fc.record({
  before: fc.dictionary(
    nasty.filter((k) => k !== 'objects' && k !== 'type'),
    json,
    { maxKeys: 2 },
  ),
  objects: fc.array(entry, { maxLength: 12 }),
  typeFirst: fc.boolean(),
  indent: fc.constantFrom<undefined | number | string>(undefined, 1, 2, '\t', ' \n\r'.slice(0, 1)),
})

function serialise(b: {
  before: Record<string, unknown>
  objects: unknown[]
  typeFirst: boolean
  indent?: number | string
}) {
  const doc = b.typeFirst
    ? { type: 'bundle', id: 'bundle--x', ...b.before, objects: b.objects }
    : { ...b.before, objects: b.objects, spec_version: '2.1', type: 'bundle' }
  // Keys that happen to equal "type" or "objects" in `before` are filtered out, so JSON.stringify never
  // writes a key twice.
  return JSON.stringify(doc, null, b.indent)
}

t.test('random bundles in random chunks (bytes): exactly what JSON.parse of the whole gives', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      bundle,
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 }),
      async (b, cuts) => {
        const text = serialise(b)
        const bytes = Buffer.from(text, 'utf8')
        const result = await run(split(new Uint8Array(bytes), cuts))
        deepStrictEqual(result.error, undefined)
        deepStrictEqual(result.items, expected(text))
      },
    ),
    { numRuns: 500 },
  )
  t.pass('500 bundles')
})

t.test('random bundles in random chunks (strings), and one byte at a time', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      bundle,
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 }),
      async (b, cuts) => {
        const text = serialise(b)
        deepStrictEqual((await run(split(text, cuts))).items, expected(text))
        const bytes = Buffer.from(text, 'utf8')
        const single = await run(Array.from(bytes, (byte) => new Uint8Array([byte])))
        deepStrictEqual(single.error, undefined)
        deepStrictEqual(single.items, expected(text))
      },
    ),
    { numRuns: 150 },
  )
  t.pass('150 bundles')
})

t.test('a large chunk is scanned in 16 KiB slices, with multi-byte characters across slice borders', async (t) => {
  const objects = Array.from({ length: 3000 }, (_, i) => ({
    type: 'note',
    id: `note--${i}`,
    content: `é😀"\\${'€'.repeat(i % 7)}`,
  }))
  const text = JSON.stringify({ type: 'bundle', objects })
  const { items, error } = await run([Buffer.from(text)])
  t.equal(error, undefined)
  t.strictSame(items, expected(text))
})

t.test("each object carries its entry's exact text, whatever the layout and chunking", async (t) => {
  const entries = [
    '{"type":"note","id":"note--1","content":"a \\"quoted\\" }] text é😀"}',
    '{ "type" : "note",\n  "id": "note--2", "n": [1, {"x": null}] }',
    '{"type":"note","id":"note--3","content":"\\u00e9 escaped"}',
  ]
  const text = `{"type":"bundle", "objects": [ ${entries[0]},\n\t${entries[1]} ,${entries[2]}\n]}`
  for (const chunks of [[Buffer.from(text)], split(Buffer.from(text), [0.1, 0.35, 0.5, 0.77])]) {
    const { items, texts, error } = await run(chunks)
    t.equal(error, undefined)
    t.equal(items.length, 3)
    t.strictSame(texts, entries, 'the text from its first to its last character, escapes and spacing kept')
  }
  const compact = {
    type: 'bundle',
    objects: [
      { type: 'x', id: 'x--1', s: 'a"b' },
      { type: 'y', id: 'y--1' },
    ],
  }
  const { texts } = await run([JSON.stringify(compact)])
  t.strictSame(
    texts,
    compact.objects.map((o) => JSON.stringify(o)),
    'a compact bundle: the text is what JSON.stringify makes of the object',
  )
  const { items } = await run(['{"type":"bundle","objects":[7,{"type":"x"}]}'])
  t.strictSame(
    items.map((i) => i.kind),
    ['rejected', 'rejected'],
    'entries that are not objects become rejections',
  )
})

t.test('truncated at every position: an error, never fewer objects', async (t) => {
  const fixture = (await readFile(join(import.meta.dirname, 'fixtures', 'bundle.json'), 'utf8')).trimEnd()
  const crafted = JSON.stringify({
    type: 'bundle',
    id: 'bundle--1',
    objects: [
      { type: 'x', id: 'x--1', s: 'a"b\\"}]\\\\', u: '😀é\u2028' },
      7,
      'str"}',
      [1, [2]],
      { type: 't', id: 'i', n: -1.5e-7 },
    ],
    tail: { a: [true, false, null] },
  })
  for (const text of [fixture, crafted, JSON.stringify(JSON.parse(crafted), null, 2)]) {
    const bytes = Buffer.from(text, 'utf8')
    const whole = await run([bytes])
    t.equal(whole.error, undefined)
    t.strictSame(whole.items, expected(text))
    let failures = 0
    for (let end = 0; end < bytes.length; end++) {
      for (const chunks of [[bytes.subarray(0, end)], split(bytes.subarray(0, end), [0.3, 0.7])]) {
        const { error } = await run(chunks)
        if (error?.name === 'SourceDataError') failures++
        else t.fail(`no error when truncated at byte ${end}`)
      }
    }
    t.equal(failures, 2 * bytes.length, `every one of ${bytes.length} truncations fails`)
  }
})

t.test('random truncation of random bundles: an error', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      bundle,
      fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
      async (b, f, cuts) => {
        const bytes = Buffer.from(serialise(b), 'utf8')
        const { error } = await run(split(bytes.subarray(0, Math.floor(f * bytes.length)), cuts))
        deepStrictEqual(error?.name, 'SourceDataError')
      },
    ),
    { numRuns: 300 },
  )
  t.pass('300 truncations')
})

t.test(
  'one-character corruptions: an error exactly when JSON.parse of the whole fails, otherwise the same objects',
  async (t) => {
    const garbage = fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', ' ', 'x', '1', '-', 'n', '\u0001', 'é')
    await fc.assert(
      fc.asyncProperty(
        bundle,
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        fc.constantFrom('insert', 'delete', 'replace'),
        garbage,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
        async (b, f, how, c, cuts) => {
          const text = serialise(b)
          const p = Math.floor(f * text.length)
          const mutated = text.slice(0, p) + (how === 'delete' ? '' : c) + text.slice(how === 'insert' ? p : p + 1)
          // The parser reads bytes. A corruption that splits a surrogate pair leaves a lone surrogate, which UTF-8
          // cannot carry (it is encoded as U+FFFD): the oracle is JSON.parse of what the bytes say.
          const bytes = Buffer.from(mutated, 'utf8')
          const want = expected(bytes.toString('utf8'))
          const got = await run(split(bytes, cuts))
          if (want === null) deepStrictEqual(got.error?.name, 'SourceDataError')
          else {
            deepStrictEqual(got.error, undefined)
            deepStrictEqual(got.items, want)
          }
        },
      ),
      { numRuns: 1000 },
    )
    t.pass('1000 corruptions')
  },
)

t.test('errors outside the entries', async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    [
      'garbage between entries',
      '{"type":"bundle","objects":[{"type":"a","id":"b"} x {"type":"a","id":"c"}]}',
      /invalid JSON \(expected "," or "\]" after objects\[0\], found "x"/,
    ],
    ['missing comma', '{"type":"bundle","objects":[{"type":"a","id":"b"} {"type":"a","id":"c"}]}', /invalid JSON/],
    ['trailing comma', '{"type":"bundle","objects":[{"type":"a","id":"b"},]}', /invalid JSON in objects\[1\]/],
    ['unbalanced', '{"type":"bundle","objects":[{"type":"a","id":"b"}}', /invalid JSON/],
    ['unbalanced inside', '{"type":"bundle","objects":[{"type":"a","id":"b"]}', /invalid JSON in objects\[0\]/],
    ['an array document', '[{"type":"a","id":"b"}]', /invalid JSON \(expected the document to be a JSON object/],
    ['a string document', '"bundle"', /invalid JSON/],
    ['content after the document', '{"type":"bundle","objects":[]} {}', /nothing after the end/],
    ['missing colon', '{"type" "bundle","objects":[]}', /expected ":"/],
    ['bad key', '{type:"bundle","objects":[]}', /expected a key/],
    ['bad top-level value', '{"type":"bundle","id":bundle,"objects":[]}', /invalid JSON in the value of "id"/],
    ['no type', '{"id":"bundle--1","objects":[]}', /top-level "type" is undefined, not "bundle"/],
    ['another type', '{"type":"report","objects":[]}', /top-level "type" is "report", not "bundle"/],
    ['empty body', '', /ends before the document is complete/],
    [
      'truncated inside an entry',
      '{"type":"bundle","objects":[{"type":"a"',
      /ends before the document is complete \(inside objects\[0\]\)/,
    ],
  ]
  for (const [what, text, message] of cases) {
    const { error } = await run([Buffer.from(text)])
    t.match(error, { name: 'SourceDataError', message }, what)
  }
  const invalidUtf8 = await run([
    Buffer.from('{"type":"bundle","objects":[{"type":"a","id":"'),
    new Uint8Array([0xc3]),
    Buffer.from('"}]}'),
  ])
  t.match(invalidUtf8.error, { name: 'SourceDataError', message: /invalid JSON/ }, 'invalid UTF-8')
  const cutCharacter = await run([Buffer.from('{"type":"bundle","objects":[]}'), new Uint8Array([0xf0, 0x9f])])
  t.match(cutCharacter.error, { name: 'SourceDataError' }, 'the body ends inside a UTF-8 sequence')
})
