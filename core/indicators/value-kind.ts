/**
 * What an analyst's value is (IPv4/IPv6 address or CIDR network, domain, URL, e-mail address, MD5/SHA-1/
 * SHA-256/SHA-512 hash, file name) and its canonical form. Pure: every refusal says what is wrong, so the
 * API can answer a precise 400 before anything is built.
 */
import { isIPv4, isIPv6 } from 'node:net'
import { domainToASCII } from 'node:url'
import { VALUE_KINDS, type ObservableKind } from '../plugin-api/index.js'
import { parseCidr } from '../plugin-api/ip-address.js'

/** The kinds a value may be published as (the observable kinds exporters read back). */
export const INDICATOR_KINDS = VALUE_KINDS satisfies readonly ObservableKind[]
export type IndicatorKind = (typeof INDICATOR_KINDS)[number]

export type KindCheck = { ok: true; kind: IndicatorKind; value: string } | { ok: false; reason: string }

export const MAX_VALUE_LENGTH = 2048
const HASH_KINDS = ['md5', 'sha1', 'sha256', 'sha512'] as const
const HASH_LENGTHS: Readonly<Record<(typeof HASH_KINDS)[number], number>> = {
  md5: 32,
  sha1: 40,
  sha256: 64,
  sha512: 128,
}
const HASH_BY_LENGTH = new Map(HASH_KINDS.map((kind) => [HASH_LENGTHS[kind], kind]))
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/
// The local part ajv's `email` format (the store's validator) accepts: a dot-atom.
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/i
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i
/**
 * Endings read as a file name rather than a top-level domain when no kind is given. `.zip` is both; real
 * country domains (`.pl`, `.sh`, `.py`, `.so`, `.ps`) are left out: give `kind: "file-name"` for those.
 */
const FILE_EXTENSIONS = new Set(
  'exe dll scr bat cmd ps1 vbs vbe js jse wsf hta msi lnk jar apk dmg iso img pdf doc docx docm xls xlsx xlsm ppt pptx rtf rar 7z gz tgz tar bz2 xz cab elf bin dat tmp txt csv htm html zip'.split(
    ' ',
  ),
)

const fail = (reason: string): KindCheck => ({ ok: false, reason })
const ok = (kind: IndicatorKind, value: string): KindCheck => ({ ok: true, kind, value })

/** An ASCII domain (IDNs in their `xn--` form), lowercase, without a trailing dot; null when `text` is none. */
function asciiDomain(text: string): string | null {
  if (!text || text.length > 253 || /[\s/\\@:]/.test(text)) return null
  const ascii = domainToASCII(text.replace(/\.$/, '')).toLowerCase()
  if (!ascii || ascii.length > 253) return null
  const labels = ascii.split('.')
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !TLD.test(labels[labels.length - 1])) return null
  return ascii
}

function checkIp(version: 4 | 6, text: string): KindCheck {
  const kind = version === 4 ? 'ipv4-addr' : 'ipv6-addr'
  const [address, prefix, extra] = text.split('/')
  const isAddress = version === 4 ? isIPv4 : isIPv6
  if (extra !== undefined || !isAddress(address)) return fail(`not an IPv${version} address or CIDR network`)
  if (version === 6 && address.includes('%'))
    return fail('an IPv6 zone (%…) names a local interface, not a network address')
  if (version === 6 && address.includes('.'))
    return fail('write the IPv6 address in hexadecimal groups (no dotted IPv4 part)')
  if (prefix === undefined) return ok(kind, version === 6 ? address.toLowerCase() : address)
  const bits = version === 4 ? 32 : 128
  if (!/^(?:0|[1-9][0-9]{0,2})$/.test(prefix) || Number(prefix) > bits)
    return fail(`the prefix length must be a number from 0 to ${bits} without leading zeros`)
  const network = parseCidr(text)
  const host = parseCidr(address)
  if (typeof network === 'string' || typeof host === 'string') return fail(`not an IPv${version} CIDR network`)
  if (network.base !== host.base) {
    const hint = version === 4 ? `: the network is ${ipv4Text(network.base)}/${prefix}` : ''
    return fail(`the address has bits set beyond its /${prefix} prefix${hint}`)
  }
  return ok(kind, version === 6 ? text.toLowerCase() : text)
}

const ipv4Text = (n: bigint) => [24n, 16n, 8n, 0n].map((shift) => String((n >> shift) & 255n)).join('.')

/**
 * Percent-encodes what RFC 3986 forbids in a URI (STIX `url` values are URIs): spaces, quotes, `\`, non-ASCII,
 * a `%` that starts no escape, and `[` `]` outside the authority (where they only enclose an IPv6 address).
 */
function encodeUrl(url: string): string {
  const encoded = url
    .replace(/%(?![0-9a-f]{2})/gi, '%25')
    .replace(/[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/gu, (c) => encodeURIComponent(c))
  const authorityStart = encoded.indexOf('//') + 2
  const rest = encoded.slice(authorityStart).search(/[/?#]/)
  if (rest < 0) return encoded
  const cut = authorityStart + rest
  return encoded.slice(0, cut) + encoded.slice(cut).replace(/[[\]]/g, (c) => encodeURIComponent(c))
}

function checkUrl(text: string): KindCheck {
  if (!URL_SCHEME.test(text)) return fail('a URL starts with its scheme, such as https://')
  if (!URL.canParse(text) || !new URL(text).hostname) return fail('not a URL with a host')
  const value = encodeUrl(text)
  return value.length > MAX_VALUE_LENGTH
    ? fail(`a URL has at most ${MAX_VALUE_LENGTH} characters once percent-encoded`)
    : ok('url', value)
}

function checkEmail(text: string): KindCheck {
  const at = text.lastIndexOf('@')
  if (at < 1) return fail('an e-mail address is local-part@domain')
  const local = text.slice(0, at)
  const domain = asciiDomain(text.slice(at + 1))
  if (local.length > 64 || !LOCAL_PART.test(local))
    return fail(
      "the local part (before @) must be at most 64 characters of letters, digits and !#$%&'*+/=?^_`{|}~.- (dots not doubled)",
    )
  if (!domain) return fail('the part after @ is not a domain name')
  const value = `${local}@${domain}`
  return value.length > 254 ? fail('an e-mail address has at most 254 characters') : ok('email-addr', value)
}

function checkHash(kind: keyof typeof HASH_LENGTHS, text: string): KindCheck {
  const length = HASH_LENGTHS[kind]
  return new RegExp(`^[0-9a-f]{${length}}$`, 'i').test(text)
    ? ok(kind, text.toLowerCase())
    : fail(`a ${kind.toUpperCase()} hash is ${length} hexadecimal digits`)
}

function checkFileName(text: string): KindCheck {
  if ([...text].length > 255) return fail('a file name has at most 255 characters')
  if (text.includes('/')) return fail('a file name has no "/" (give the name, not a path)')
  return ok('file-name', text)
}

/** Why `text` can be no value at all, or null. */
function screen(text: string): string | null {
  if (!text) return 'the value is empty'
  if (text.length > MAX_VALUE_LENGTH) return `the value has more than ${MAX_VALUE_LENGTH} characters`
  // Control characters and lone UTF-16 surrogates cannot be stored (PostgreSQL refuses them in jsonb) nor shown.
  if (/[\p{Cc}\p{Cs}]/u.test(text)) return 'the value contains a control character or an unpaired surrogate'
  return null
}

/** Checks `raw` (trimmed) as a value of `kind` and returns its canonical form, or why it is not one. */
export function checkValue(kind: IndicatorKind, raw: string): KindCheck {
  const text = raw.trim()
  const refusal = screen(text)
  if (refusal) return fail(refusal)
  switch (kind) {
    case 'ipv4-addr':
      return checkIp(4, text)
    case 'ipv6-addr':
      return checkIp(6, text)
    case 'url':
      return checkUrl(text)
    case 'email-addr':
      return checkEmail(text)
    case 'domain-name': {
      const domain = asciiDomain(text)
      return domain
        ? ok('domain-name', domain)
        : fail('not a domain name (labels of letters, digits and hyphens, at least two, 253 characters at most)')
    }
    case 'file-name':
      return checkFileName(text)
    default:
      return checkHash(kind, text)
  }
}

/** The kind `raw` most likely is, and its canonical form; a refusal when it looks like none of them. */
export function detectValueKind(raw: string): KindCheck {
  const text = raw.trim()
  const refusal = screen(text)
  if (refusal) return fail(refusal)
  const address = text.split('/')[0]
  if (isIPv4(address)) return checkValue('ipv4-addr', text)
  if (isIPv6(address.replace(/%.*$/, ''))) return checkValue('ipv6-addr', text)
  if (URL_SCHEME.test(text)) return checkValue('url', text)
  if (text.includes('@') && !/\s/.test(text)) return checkValue('email-addr', text)
  const hash = /^[0-9a-f]+$/i.test(text) ? HASH_BY_LENGTH.get(text.length) : undefined
  if (hash) return checkValue(hash, text)
  const extension = /\.([A-Za-z0-9]{1,16})$/.exec(text)?.[1]?.toLowerCase()
  if (extension && FILE_EXTENSIONS.has(extension)) return checkValue('file-name', text)
  const domain = checkValue('domain-name', text)
  if (domain.ok) return domain
  if (extension && !text.includes('/')) return checkValue('file-name', text)
  return fail('cannot tell what kind of value this is: give `kind` (one of ' + INDICATOR_KINDS.join(', ') + ')')
}
