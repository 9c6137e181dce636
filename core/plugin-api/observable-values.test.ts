import t from 'tap'
import { observableValues, patternValues } from './observable-values.js'

t.test('networks are read from ISSUBSET and from = with a /n value, keeping the prefix length', async (t) => {
  t.same(patternValues("[ipv4-addr:value ISSUBSET '198.51.0.0/16'] AND [ipv6-addr:value ISSUBSET '2001:db8::/48']"), [
    { kind: 'ipv4-addr', value: '198.51.0.0/16', prefix: true },
    { kind: 'ipv6-addr', value: '2001:db8::/48', prefix: true },
  ])
  t.same(patternValues("[ipv4-addr:value = '203.0.113.0/24' OR ipv4-addr:value IN ('198.51.100.7/32', '192.0.2.1')]"), [
    { kind: 'ipv4-addr', value: '203.0.113.0/24', prefix: true },
    { kind: 'ipv4-addr', value: '198.51.100.7/32', prefix: true },
    { kind: 'ipv4-addr', value: '192.0.2.1', prefix: false },
  ])
})

t.test('ISSUBSET asserts no value when negated, on other kinds, or as ISSUPERSET', async (t) => {
  t.same(patternValues("[ipv4-addr:value NOT ISSUBSET '198.51.0.0/16']"), [])
  t.same(patternValues("[ipv4-addr:value ISSUPERSET '198.51.100.7']"), [])
  t.same(patternValues("[domain-name:value ISSUBSET 'evil.example']"), [])
})

t.test('domains, URLs and emails under .invalid are pseudonyms; other names are not', async (t) => {
  const flags = patternValues(
    "[domain-name:value = 'EQU73YQMLY47JMK3.Invalid.'] OR [url:value = 'http://3duqwzfvcyjnqh5g.invalid/equ73yqmly47jmk3']" +
      " OR [email-message:from_ref.value = 'w34mw2bes526cgh5@4fafqdafxu6zhpuc.invalid'] OR [domain-name:value = 'invalid.example']" +
      " OR [url:value = 'https://evil.example/invalid'] OR [email-addr:value = 'invalid@evil.example'] OR [url:value = 'not a url .invalid']",
  ).map((v) => 'pseudonym' in v && v.pseudonym)
  t.same(flags, [true, true, true, false, false, false, false])
})

t.test(
  'observables: an address SCO holding a network is a prefix, a domain SCO under .invalid a pseudonym',
  async (t) => {
    const sco = (type: string, value: string) => ({
      type,
      spec_version: '2.1',
      id: `${type}--00abedb4-aa42-553b-950e-1cd49fd8c65b`,
      value,
    })
    t.same(observableValues(sco('ipv4-addr', '192.0.0.0/16')), [
      { kind: 'ipv4-addr', value: '192.0.0.0/16', prefix: true },
    ])
    t.same(observableValues(sco('ipv6-addr', '2001:db8::1')), [
      { kind: 'ipv6-addr', value: '2001:db8::1', prefix: false },
    ])
    t.same(observableValues(sco('domain-name', 'tgcimcirygy3c6w2.invalid')), [
      { kind: 'domain-name', value: 'tgcimcirygy3c6w2.invalid', pseudonym: true },
    ])
  },
)
