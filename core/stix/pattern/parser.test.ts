import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { isValidPattern, listComparisons, parsePattern, PatternSyntaxError } from './index.js'
import { SHARED } from '../../../test/paths.js'

/** Examples from the STIX 2.1 specification (§9 Patterning and the indicator examples). */
const SPEC_EXAMPLES = [
  "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
  "[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\\\.exe$']",
  "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:mime_type = 'application/x-pdf']",
  "[file:hashes.'SHA-256' = 'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] AND [file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
  "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f'] FOLLOWEDBY [windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar'] WITHIN 300 SECONDS",
  "[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1008' AND user-account:account_login = 'Paul']",
  "[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES '\\\\xd4\\\\xc3\\\\xb2\\\\xa1\\\\x02\\\\x00\\\\x04\\\\x00']",
  "[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\\\Windows\\\\System32']",
  "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
  "[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
  "[(file:name = 'pdf.exe' OR file:size = '371712') AND file:created = t'2014-01-13T07:03:17Z']",
  "[x-usb-device:usbdrive.serial_number = '575833344E30373800000000']",
  "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']",
  "[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] REPEATS 5 TIMES WITHIN 1800 SECONDS",
  "[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32']",
  "[x509-certificate:issuer = 'CN=WEBMAIL'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'",
  "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
  "[ipv4-addr:value NOT ISSUPERSET '198.51.100.0/24']",
  "[file:name LIKE 'foo%.dll']",
  "[network-traffic:dst_port IN (80, 443, 8080)] OR [network-traffic:protocols[0] = 'tcp']",
  "[network-traffic:extensions.'tcp-ext'.src_flags_hex = h'00000002']",
  "[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']",
  "[NOT EXISTS file:hashes.'SHA-256'] AND [EXISTS windows-registry-key:values]",
  '([file:size >= -1.5] OR [file:size <= +10]) AND [file:is_encrypted = true] WITHIN 2.5 SECONDS',
  "[file:name == 'a' AND file:name <> 'b'] // trailing comment",
  "[file:name /* inline */ = 'a']",
]

function datasetPatterns(): string[] {
  const files = [
    join(SHARED, 'datasets/mitre-attack/ics-attack-18.1.json'),
    ...readdirSync(join(SHARED, 'datasets/oasis-examples'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(SHARED, 'datasets/oasis-examples', f)),
  ]
  return files.flatMap((file) => {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { objects?: Record<string, unknown>[] }
    const objects = Array.isArray(doc.objects) ? doc.objects : [doc as Record<string, unknown>]
    return objects.filter((o) => o.type === 'indicator' && o.pattern_type === 'stix').map((o) => o.pattern as string)
  })
}

t.test('parses every STIX 2.1 specification example', async (t) => {
  for (const pattern of SPEC_EXAMPLES) t.doesNotThrow(() => parsePattern(pattern), pattern)
})

t.test('parses every indicator pattern of the datasets', async (t) => {
  const patterns = datasetPatterns()
  t.ok(patterns.length >= 5, `found ${patterns.length} patterns`)
  for (const pattern of patterns) t.ok(isValidPattern(pattern), pattern)
})

t.test('builds the tree with the grammar precedences', async (t) => {
  const ast = parsePattern('[a:b = 1] FOLLOWEDBY [a:b = 2] OR [a:b = 3] AND [a:b = 4] WITHIN 5 SECONDS')
  t.match(ast, {
    kind: 'observation-binary',
    operator: 'FOLLOWEDBY',
    right: { operator: 'OR', right: { operator: 'AND', right: { kind: 'qualified', qualifier: { seconds: 5 } } } },
  })
  const cmp = parsePattern('[a:b = 1 OR a:c = 2 AND a:d = 3]')
  t.match(cmp, { expression: { operator: 'OR', right: { operator: 'AND' } } })
})

t.test('decodes paths, escapes and literals', async (t) => {
  const [hash, escaped, list] = listComparisons(
    parsePattern("[file:hashes.'SHA-256' = 'x' AND file:name = 'it\\'s a \\\\ path' AND x:list[-1][*] IN ()]"),
  )
  t.strictSame(hash.path, {
    objectType: 'file',
    steps: [
      { kind: 'key', name: 'hashes' },
      { kind: 'key', name: 'SHA-256' },
    ],
  })
  t.strictSame(escaped.value, { kind: 'string', value: "it's a \\ path" })
  t.strictSame(list.path.steps.slice(1), [
    { kind: 'index', index: -1 },
    { kind: 'index', index: '*' },
  ])
  t.strictSame(list.value, { kind: 'set', values: [] })
  const literals = listComparisons(
    parsePattern("[a:b IN (1, -2, 0.5, true, h'ff', b'AA==', t'2020-01-01T00:00:00.123Z', 'x')]"),
  )[0]
  t.strictSame(literals.value, {
    kind: 'set',
    values: [
      { kind: 'int', value: 1 },
      { kind: 'int', value: -2 },
      { kind: 'float', value: 0.5 },
      { kind: 'bool', value: true },
      { kind: 'hex', value: 'ff' },
      { kind: 'binary', value: 'AA==' },
      { kind: 'timestamp', value: '2020-01-01T00:00:00.123Z' },
      { kind: 'string', value: 'x' },
    ],
  })
})

/** [pattern, expected position, expected message fragment] */
const BAD_PATTERNS: [string, number, string][] = [
  ['', 0, "expected '[' or '(' at 0"],
  ['   ', 3, "expected '[' or '(' at 3"],
  ['[ipv4-addr:value = ]', 19, 'expected a literal value at 19'],
  ["[ipv4-addr:value = '1.2.3.4'", 28, "expected ']' at 28"],
  ["[ipv4-addr:value = '1.2.3.4']]", 29, 'at 29'],
  ["([ipv4-addr:value = '1.2.3.4']", 30, "expected ')' at 30"],
  ["[ipv4-addr:value '1.2.3.4']", 17, 'expected a comparison operator at 17'],
  ['[a:b = 1] [a:b = 2]', 10, 'at 10'],
  ["[a:b = t'2016-13-01T00:00:00Z']", 7, 'invalid timestamp literal at 7'],
  ["[a:b = 1] START t'2016-01-01T00:00:00' STOP t'2016-01-02T00:00:00Z'", 16, 'invalid timestamp literal at 16'],
  ["[a:b = 'unterminated]", 7, 'unterminated string literal at 7'],
  ["[a:b = 'bad \\n escape']", 12, 'invalid escape sequence'],
  ['[a:b LIKE 5]', 10, 'expected a string literal at 10'],
  ['[a:b > true]', 7, 'expected an orderable literal at 7'],
  ['[a:b-c = 1]', 3, 'expected a property name at 3'],
  ['[a:b = 1] REPEATS 1.5 TIMES', 18, 'expected a positive integer at 18'],
  ['[a:b = 1] WITHIN 5', 18, 'expected SECONDS at 18'],
  ["[a:b = h'abc']", 7, 'invalid hex literal at 7'],
  ['[a:b = 1] AND', 13, "expected '[' or '(' at 13"],
  ['[a:b = 1] /* open', 10, 'unterminated comment at 10'],
  ['[a:b = #]', 7, "unexpected character '#' at 7"],
]

t.test('rejects malformed patterns with the position of the problem', async (t) => {
  for (const [pattern, position, message] of BAD_PATTERNS) {
    const error = t.throws(() => parsePattern(pattern), PatternSyntaxError, pattern) as PatternSyntaxError
    t.equal(error.position, position, `${pattern} position`)
    t.match(error.message, message, `${pattern} message`)
    t.notOk(isValidPattern(pattern))
  }
})
