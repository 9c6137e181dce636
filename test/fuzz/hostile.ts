/**
 * Hostile values for the HTTP fuzz suite: strings, numbers and structures a careless or malicious client sends.
 * `Raw` marks JSON text spliced into a body as is (nesting deeper than JSON.stringify should build).
 */

/** JSON text put into a serialized body verbatim. */
export class Raw {
  constructor(readonly text: string) {}
}

const MB = 1024 * 1024
export const HUGE_STRING = 'A'.repeat(MB)

/** Arrays or objects nested `depth` levels deep, as JSON text. */
export const deepArrays = (depth: number) => new Raw('['.repeat(depth) + ']'.repeat(depth))
export const deepObjects = (depth: number) => new Raw('{"a":'.repeat(depth) + '1' + '}'.repeat(depth))

/** An object with `n` properties, as JSON text. */
export const manyKeys = (n: number) => new Raw(`{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`)

export const SQL_ISH = [
  "' OR 1=1 --",
  '%',
  '_',
  '\\',
  '%_\\%',
  "'; DROP TABLE users; --",
  '" OR ""="',
  '1; SELECT pg_sleep(10)',
  '$1',
  '?',
]
export const PATH_ISH = [
  '../../etc/passwd',
  '%2e%2e/',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%00',
  '..\\..\\windows\\win.ini',
  'file:///etc/passwd',
  '/dev/zero',
  '\\\\host\\share',
]
export const UNICODE_ODDITIES = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ufeff',
  '\u202eevil',
  '🦊'.repeat(100),
  'e\u0301',
  '\uffff',
  '\u2028\u2029',
  'ǅ',
  'İ',
  '\u00a0',
  '\t\r\n',
]

/** Every kind of hostile JSON value, deep ones included. */
export const HOSTILE_VALUES: unknown[] = [
  ...SQL_ISH,
  ...PATH_ISH,
  ...UNICODE_ODDITIES,
  '',
  ' ',
  HUGE_STRING,
  'x'.repeat(70_000),
  '{{7*7}}',
  '${jndi:ldap://127.0.0.1/a}',
  '<script>alert(1)</script>',
  'http://169.254.169.254/latest/meta-data/',
  'true',
  'null',
  '1e999',
  'indicator--81F12913-1372-4C96-85EC-E9034AC98ABA',
  '00000000-0000-0000-0000-000000000000',
  '2024-13-45T25:61:61Z',
  -1,
  0,
  1.5,
  -0.000001,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53 + 2,
  1e308,
  -1e308,
  true,
  false,
  null,
  [],
  {},
  [null],
  ['a', 1, {}],
  { __proto__: { polluted: true } },
  JSON.parse('{"__proto__":{"polluted":true}}'),
  { constructor: { prototype: { polluted: true } } },
  Array.from({ length: 10_000 }, (_, i) => i),
  deepArrays(1000),
  deepObjects(1000),
  deepArrays(5000),
  deepObjects(3000),
  manyKeys(50_000),
]

/** JSON with `Raw` values spliced in. */
export function serialize(value: unknown): string {
  const raws: string[] = []
  const text = JSON.stringify(value, (_key, v) => {
    if (v instanceof Raw) {
      raws.push(v.text)
      return `\u0001RAW${raws.length - 1}\u0001`
    }
    return v
  })
  if (text === undefined) return ''
  return raws.length ? text.replace(/"\\u0001RAW(\d+)\\u0001"/g, (_m, i) => raws[Number(i)]) : text
}

/** Whole bodies that are not (valid) JSON, or JSON in forms parsers trip over. */
export function rawBodies(valid: string): (string | Buffer)[] {
  const mid = Math.floor(valid.length / 2)
  return [
    '',
    ' ',
    'null',
    '"just a string"',
    '42',
    '[]',
    '{',
    '{"a":}',
    valid.slice(0, mid),
    `${valid}garbage`,
    `\ufeff${valid}`,
    Buffer.concat([
      Buffer.from(valid.slice(0, mid)),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
      Buffer.from(valid.slice(mid)),
    ]),
    Buffer.from([0xed, 0xa0, 0x80]),
    Buffer.from([0x80, 0x81, 0x82]),
    '['.repeat(100_000) + ']'.repeat(100_000),
    '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000),
    `{"a":"${HUGE_STRING}"}`,
    '{"a":1,"a":2}',
    '{"__proto__":{"x":1}}',
    '{"constructor":{"prototype":{"x":1}}}',
    'a=1&b=2',
    '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n',
    '<xml/>',
    '\u0000',
  ]
}

export const CONTENT_TYPES: (string | undefined)[] = [
  'application/json',
  'application/json; charset=utf-8',
  'application/taxii+json;version=2.1',
  'application/taxii+json',
  'application/taxii+json;version=2.0',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'application/x-ndjson',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  '',
  'garbage',
  'application/json;;;=',
  '*/*',
  undefined,
]

export const ACCEPTS: (string | undefined)[] = [
  undefined,
  '*/*',
  'application/json',
  'application/taxii+json;version=2.1',
  'application/taxii+json',
  'application/taxii+json;version=2.0',
  'text/html',
  'text/csv',
  '',
  'garbage;;q=x',
  'application/*;q=0.1, text/*',
  'application/taxii+json;version=2.1;q=0',
]

/** Path segment values, already percent-encoded where they need it. */
export const HOSTILE_SEGMENTS = [
  'x',
  '0',
  '-1',
  'null',
  '%00',
  'a%00b',
  '%2e%2e',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2f',
  "'%20OR%201=1--",
  '%25',
  '_',
  '%5C',
  '%ff',
  '%ED%A0%80',
  '%E0%A4%A',
  '%F0%9F%A6%8A',
  'a'.repeat(299),
  'a'.repeat(400),
  'a'.repeat(5000),
  '81F12913-1372-4C96-85EC-E9034AC98ABA',
  '00000000-0000-0000-0000-000000000000',
  'indicator--81f12913-1372-4c96-85ec-E9034ac98aba',
  `x-${'a'.repeat(240)}--4a5d3b2c-8f0a-4bd8-9e9f-2f4f4a4b4c4d`,
  'indicator--',
  '--',
  '%20',
  '%0d%0aSet-Cookie:%20x=1',
]

/** Query-string fragments, already encoded: repeated keys, arrays, odd encodings. */
export const HOSTILE_QUERY = [
  'a=1&a=2',
  'x[]=1&x[]=2',
  'x[a]=1',
  '%00=1',
  'a=%00',
  '=',
  '&&&',
  'a',
  'a=%ff',
  'a=%ED%A0%80',
  'a=%',
  'limit=-1',
  'limit=99999999999999999999',
  'limit=1e3',
  'limit=abc',
  'cursor=%00',
  'cursor=../../',
  'added_after=yesterday',
  `q=${'a'.repeat(100_000)}`,
  'sort=id;DROP',
  '__proto__[x]=1',
  Array.from({ length: 5000 }, (_, i) => `k${i}=${i}`).join('&'),
  'limit=1&limit=2',
  'limit[]=1',
  'limit[a]=1',
]
