import t from 'tap'
import { checkValue, detectValueKind, type KindCheck } from './value-kind.js'

const detected = (raw: string) => {
  const r = detectValueKind(raw)
  return r.ok ? `${r.kind} ${r.value}` : `refused: ${r.reason}`
}
const refused = (r: KindCheck) => (r.ok ? `accepted as ${r.kind} ${r.value}` : r.reason)

t.test('each kind is detected and put in canonical form', async (t) => {
  t.equal(detected(' 198.51.100.7 '), 'ipv4-addr 198.51.100.7')
  t.equal(detected('198.51.100.0/24'), 'ipv4-addr 198.51.100.0/24')
  t.equal(detected('2001:DB8::1'), 'ipv6-addr 2001:db8::1')
  t.equal(detected('2001:db8::/32'), 'ipv6-addr 2001:db8::/32')
  t.equal(detected('Evil.Example.COM.'), 'domain-name evil.example.com')
  t.equal(detected('bücher.example'), 'domain-name xn--bcher-kva.example', 'IDNs in their ASCII form')
  t.equal(
    detected('https://evil.example/a b?q="x"\\y'),
    'url https://evil.example/a%20b?q=%22x%22%5Cy',
    'URLs percent-encoded where RFC 3986 requires',
  )
  t.equal(detected('https://evil.example/ünï'), 'url https://evil.example/%C3%BCn%C3%AF')
  t.equal(detected('https://evil.example/100%'), 'url https://evil.example/100%25', 'a stray % is encoded')
  t.equal(
    detected('http://[2001:db8::1]/x[0]'),
    'url http://[2001:db8::1]/x%5B0%5D',
    'brackets only around an IPv6 host',
  )
  t.equal(detected("o'brien@Mail.Example"), "email-addr o'brien@mail.example")
  t.equal(detected('D41D8CD98F00B204E9800998ECF8427E'), 'md5 d41d8cd98f00b204e9800998ecf8427e')
  t.equal(detected('da39a3ee5e6b4b0d3255bfef95601890afd80709'), 'sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709')
  t.equal(
    detected('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    'sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  )
  t.equal(detected('a'.repeat(128)), `sha512 ${'a'.repeat(128)}`)
  t.equal(detected('invoice.pdf.exe'), 'file-name invoice.pdf.exe', 'a known file extension makes a file name')
  t.equal(detected('my report.docm'), 'file-name my report.docm')
  t.equal(
    detected("it's a \\ trap.weird"),
    "file-name it's a \\ trap.weird",
    'not a domain, has an extension: a file name',
  )
  t.equal(detected('evil.pl'), 'domain-name evil.pl', 'a country domain stays a domain')
})

t.test('values of no kind are refused with a reason', async (t) => {
  t.match(detected(''), /empty/)
  t.match(detected('   '), /empty/)
  t.match(detected('just words'), /cannot tell what kind/)
  t.match(detected('deadbeef'), /cannot tell what kind/, 'hex of no hash length')
  t.match(detected('evil.example\u0000.com'), /control character/)
  t.match(detected('a\ud800.exe'), /unpaired surrogate/)
  t.match(detected('x'.repeat(5000)), /more than 2048/)
  t.match(detected('fe80::1%eth0'), /zone/)
  t.match(detected('::ffff:192.0.2.1'), /hexadecimal groups/)
})

t.test('CIDR edge cases', async (t) => {
  t.equal(detected('0.0.0.0/0'), 'ipv4-addr 0.0.0.0/0')
  t.equal(detected('198.51.100.7/32'), 'ipv4-addr 198.51.100.7/32')
  t.equal(detected('::/0'), 'ipv6-addr ::/0')
  t.equal(detected('2001:db8::1/128'), 'ipv6-addr 2001:db8::1/128')
  t.match(detected('198.51.100.7/24'), /bits set beyond its \/24 prefix: the network is 198\.51\.100\.0\/24/)
  t.match(detected('2001:db8::1/32'), /bits set beyond its \/32 prefix/)
  t.match(detected('198.51.100.0/33'), /from 0 to 32/)
  t.match(detected('2001:db8::/129'), /from 0 to 128/)
  t.match(detected('198.51.100.0/08'), /leading zeros/)
  t.match(detected('198.51.100.0/'), /from 0 to 32/)
  t.match(detected('198.51.100.0/-1'), /from 0 to 32/)
  t.match(detected('198.51.100.0/24/8'), /not an IPv4/)
  t.match(detected('198.051.100.0/24'), /cannot tell|not/, 'leading zeros in an octet are no IPv4 address')
})

t.test('an explicit kind must match the value', async (t) => {
  t.match(refused(checkValue('ipv4-addr', '2001:db8::1')), /not an IPv4/)
  t.match(refused(checkValue('ipv6-addr', '198.51.100.7')), /not an IPv6/)
  t.match(
    refused(checkValue('md5', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')),
    /MD5 hash is 32 hexadecimal digits/,
  )
  t.match(refused(checkValue('sha256', 'zz'.repeat(32))), /SHA256 hash is 64/)
  t.match(refused(checkValue('domain-name', 'https://evil.example/')), /not a domain name/)
  t.match(refused(checkValue('domain-name', "evil'.example")), /not a domain name/)
  t.match(refused(checkValue('domain-name', 'localhost')), /at least two/)
  t.match(
    refused(checkValue('domain-name', `${'a'.repeat(64)}.example`)),
    /not a domain name/,
    'a label over 63 characters',
  )
  t.match(refused(checkValue('url', 'evil.example/path')), /scheme/)
  t.match(refused(checkValue('url', 'https://')), /host|scheme/)
  t.match(refused(checkValue('email-addr', 'not-an-address')), /local-part@domain/)
  t.match(refused(checkValue('email-addr', '"quoted"@evil.example')), /local part/)
  t.match(refused(checkValue('email-addr', 'a..b@evil.example')), /local part/)
  t.match(refused(checkValue('email-addr', 'alice@evil')), /not a domain name/)
  t.match(refused(checkValue('file-name', '/etc/passwd')), /no "\/"/)
  t.match(refused(checkValue('file-name', 'é'.repeat(256))), /at most 255/)
  t.equal(
    refused(checkValue('file-name', 'evil.example')),
    'accepted as file-name evil.example',
    'a name that looks like a domain, when the kind says so',
  )
  t.equal(
    refused(checkValue('domain-name', 'evil.zip')),
    'accepted as domain-name evil.zip',
    'a .zip domain, when the kind says so',
  )
  t.equal(
    refused(checkValue('file-name', '\u202Eexe.txt')),
    'accepted as file-name \u202Eexe.txt',
    'a right-to-left override is a real malware trick: kept',
  )
})
