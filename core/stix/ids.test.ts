import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { canonicalJson } from './canonical-json.js'
import {
  deterministicScoId,
  ID_CONTRIBUTING_PROPERTIES,
  isStixIdentifier,
  parseStixIdentifier,
  SCO_ID_NAMESPACE,
  uuidv5,
} from './ids.js'
import { SHARED } from '../../test/paths.js'

/** Independent UUIDv5 derivation (RFC 4122 §4.3 steps on a BigInt) to cross-check uuidv5(). */
function uuidv5ViaBigInt(namespace: string, name: string): string {
  const digest = createHash('sha1')
    .update(Buffer.concat([Buffer.from(namespace.replace(/-/g, ''), 'hex'), Buffer.from(name, 'utf8')]))
    .digest('hex')
  let n = BigInt(`0x${digest.slice(0, 32)}`)
  n = (n & ~(0xfn << 76n)) | (5n << 76n) // version in bits 76..79
  n = (n & ~(0x3n << 62n)) | (0x2n << 62n) // RFC 4122 variant in bits 62..63
  const hex = n.toString(16).padStart(32, '0')
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-')
}

t.test('uuidv5 matches published and independently derived values', async (t) => {
  // Python documentation: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org').
  t.equal(uuidv5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org'), '886313e1-3b8a-5372-9b90-0c9aee199e5d')
  for (const name of ['{"value":"198.51.100.3"}', '', 'déjà vu ☃', 'x'.repeat(1000)]) {
    t.equal(uuidv5(SCO_ID_NAMESPACE, name), uuidv5ViaBigInt(SCO_ID_NAMESPACE, name), name.slice(0, 20))
  }
})

t.test('deterministic SCO ids follow STIX 2.1 §2.9', async (t) => {
  // Expected values computed with Python's uuid.uuid5(STIX namespace, canonical JSON). The spec's
  // own example id for 198.51.100.3 (ff26c055-...) is illustrative and not derivable.
  t.equal(deterministicScoId('ipv4-addr', { value: '198.51.100.3' }), 'ipv4-addr--63ef9660-61ac-5161-9b49-47d47af1527d')
  t.equal(
    deterministicScoId('domain-name', { value: 'example.com' }),
    'domain-name--ba42dbb3-fc5e-5797-91e5-dab4394d69bc',
  )
  t.equal(
    deterministicScoId('domain-name', { value: 'déjà.example' }),
    'domain-name--9e4c981f-2a91-5771-8908-e34dc32f9d67',
  )
  t.equal(
    deterministicScoId('ipv4-addr', { value: '198.51.100.3', resolves_to_refs: ['mac-addr--x'], defanged: true }),
    'ipv4-addr--63ef9660-61ac-5161-9b49-47d47af1527d',
    'non-contributing properties are ignored',
  )
  // One hash contributes, MD5 first (as python-stix2): {"hashes":{"MD5":"bb"},"name":"foo.exe"}.
  const file = deterministicScoId('file', { name: 'foo.exe', hashes: { 'SHA-256': 'aa', MD5: 'bb' }, size: 3 })
  t.equal(file, 'file--f2e9637f-c9ca-530c-8229-78e3de805e84')
  t.equal(
    deterministicScoId('file', { hashes: { MD5: 'bb' }, name: 'foo.exe' }),
    file,
    'key order and other hashes do not matter',
  )
  t.equal(
    deterministicScoId('network-traffic', { protocols: ['tcp'], dst_port: 443, src_ref: 'ipv4-addr--1' }),
    `network-traffic--${uuidv5(SCO_ID_NAMESPACE, '{"dst_port":443,"protocols":["tcp"],"src_ref":"ipv4-addr--1"}')}`,
  )
})

t.test('types without contributing properties get random UUIDv4 ids', async (t) => {
  const a = deterministicScoId('process', { pid: 1 })
  const b = deterministicScoId('process', { pid: 1 })
  t.not(a, b)
  t.match(a, /^process--[0-9a-f]{8}-[0-9a-f]{4}-4/)
  t.match(deterministicScoId('x-custom-sco', { value: 'v' }), /^x-custom-sco--[0-9a-f]{8}-[0-9a-f]{4}-4/)
  t.match(deterministicScoId('ipv4-addr', {}), /^ipv4-addr--[0-9a-f]{8}-[0-9a-f]{4}-4/)
})

t.test('UUIDv5 SCO ids in the OASIS examples are reproduced', async (t) => {
  const dir = join(SHARED, 'datasets/oasis-examples')
  const scos = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')).objects ?? []) as Record<string, unknown>[])
    .filter((o) => typeof o.type === 'string' && o.type in ID_CONTRIBUTING_PROPERTIES)
  t.ok(scos.length > 0, 'the examples contain SCOs')
  const deterministic = scos.filter((o) => /--[0-9a-f]{8}-[0-9a-f]{4}-5/.test(String(o.id)))
  for (const sco of deterministic) t.equal(deterministicScoId(sco.type as string, sco), sco.id)
  // At the time of writing the examples' SCOs (ipv4-addr, domain-name) carry random UUIDv4 ids.
  t.comment(`${deterministic.length} of ${scos.length} SCO ids are UUIDv5 and were checked`)
})

t.test('identifiers', async (t) => {
  t.ok(isStixIdentifier('indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'))
  t.ok(isStixIdentifier('x-mitre-tactic--69da72d2-f550-41c5-ab9e-e8255707f28a'))
  t.notOk(isStixIdentifier('indicator--8e2e2d2b-17d4-4cbf-938f'), 'truncated uuid')
  t.notOk(isStixIdentifier('Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'), 'upper-case type')
  t.notOk(isStixIdentifier('indicator-8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'), 'single dash')
  t.notOk(isStixIdentifier(42))
  t.strictSame(parseStixIdentifier('ipv4-addr--63ef9660-61ac-5161-9b49-47d47af1527d'), {
    type: 'ipv4-addr',
    uuid: '63ef9660-61ac-5161-9b49-47d47af1527d',
  })
  t.equal(parseStixIdentifier('nope'), null)
})

t.test('canonical JSON sorts keys at every depth and drops whitespace', async (t) => {
  t.equal(canonicalJson({ b: [3, { z: 1, a: 'é' }], a: null, c: undefined }), '{"a":null,"b":[3,{"a":"é","z":1}]}')
  t.equal(canonicalJson({ '\u00e9': 1, z: 2, Z: 3 }), '{"Z":3,"z":2,"é":1}', 'UTF-16 code unit order')
})
