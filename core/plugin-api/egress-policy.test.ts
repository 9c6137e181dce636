import t from 'tap'
import { allowListProblems, createEgressPolicy } from './egress-policy.js'

const strict = createEgressPolicy({ allowPrivate: [] })

t.test('refused by default, whatever the spelling', async (t) => {
  const refused: [string, RegExp][] = [
    ['127.0.0.1', /loopback/],
    ['127.255.0.9', /loopback/],
    ['10.0.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['169.254.169.254', /cloud metadata/],
    ['169.254.1.1', /link-local/],
    ['100.100.100.200', /cloud metadata/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['0.0.0.0', /this network/],
    ['0.1.2.3', /this network/],
    ['224.0.0.251', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['198.18.0.1', /benchmarking/],
    ['::1', /loopback/],
    ['0:0:0:0:0:0:0:1', /loopback/],
    ['::', /unspecified/],
    ['::ffff:127.0.0.1', /loopback address \(in IPv6 form\)/],
    ['::ffff:7f00:1', /loopback address \(in IPv6 form\)/],
    ['0:0:0:0:0:ffff:a00:1', /private address \(in IPv6 form\)/],
    ['64:ff9b::a9fe:a9fe', /cloud metadata address \(in IPv6 form\)/],
    ['fc00::1', /unique-local/],
    ['fd12:3456::1', /unique-local/],
    ['fd00:ec2::254', /cloud metadata/],
    ['fe80::1%eth0', /link-local/],
    ['ff02::1', /multicast/],
    ['2001:db8::1', /documentation/],
    ['2002:7f00:1::1', /6to4/],
    ['::7f00:1', /not a global unicast/],
    ['not-an-ip', /not an IP address/],
  ]
  for (const [address, reason] of refused) t.match(strict.refusal(address), reason, address)
})

t.test('globally reachable addresses are allowed', async (t) => {
  for (const address of [
    '8.8.8.8',
    '1.1.1.1',
    '100.128.0.1',
    '172.32.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ]) {
    t.equal(strict.refusal(address), null, address)
  }
})

t.test('the allow-list admits exactly its ranges, in every spelling', async (t) => {
  const policy = createEgressPolicy({ allowPrivate: ['127.0.0.1/32', '10.20.0.0/16', 'fd00::/8'] })
  for (const address of ['127.0.0.1', '::ffff:127.0.0.1', '10.20.9.9', 'fd00::5'])
    t.equal(policy.refusal(address), null, address)
  for (const address of ['127.0.0.2', '::1', '10.21.0.1', '169.254.169.254', 'fc00::1'])
    t.not(policy.refusal(address), null, address)
})

t.test('URLs: literal hosts are judged before connecting, names are left to the connection', async (t) => {
  t.match(
    strict.urlProblem(new URL('http://127.0.0.1:8080/x')),
    /^127\.0\.0\.1 is a loopback address; .*CRISP_FEED_ALLOW_PRIVATE/,
  )
  t.match(strict.urlProblem(new URL('http://[::ffff:127.0.0.1]/')), /^::ffff:7f00:1 is a loopback address/)
  t.match(
    strict.urlProblem(new URL('http://2130706433/')),
    /^127\.0\.0\.1 is a loopback/,
    'decimal IPv4, normalised by the URL parser',
  )
  t.match(strict.urlProblem(new URL('http://[::1]/')), /^::1 is a loopback/)
  t.match(strict.urlProblem(new URL('file:///etc/passwd')), /only http and https/)
  t.equal(strict.urlProblem(new URL('https://feeds.example/list.txt')), null)
  t.equal(strict.urlProblem(new URL('https://8.8.8.8/list.txt')), null)
})

t.test('allow-list entries are validated one by one, naming the bad ones', async (t) => {
  t.same(allowListProblems(['127.0.0.1/32', '10.20.0.0/16', '192.168.1.7', '::1/128', '10.20.0.5/16']), [])
  t.same(allowListProblems(['10.0.0.0/33', 'localhost', '1.2.3.4/x', '::1/129']), [
    '"10.0.0.0/33": the prefix must be a number from 0 to 32',
    '"localhost": not an IP address or CIDR range (address/prefix)',
    '"1.2.3.4/x": the prefix must be a number from 0 to 32',
    '"::1/129": the prefix must be a number from 0 to 128',
  ])
})
