/**
 * Fresh canary values from a seeded PRNG. Each carries a token, so values of one object never collide and a
 * value found in an output names the one place it was planted. Shapes are realistic: the strategy must
 * recognise them the way it recognises real data.
 */
import type { CanaryKind } from './canaries.js'

/** mulberry32: small, fast, good enough to spread canaries. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = ['update', 'secure', 'login', 'cdn', 'mail', 'portal', 'files', 'sync', 'invoice', 'billing']
const TLDS = ['com', 'net', 'org', 'info', 'ru', 'io', 'biz', 'xyz', 'co.uk']
const IDN_WORDS = ['bücher', 'café', 'zürich', 'müller']
const FIRST = ['Marta', 'John', 'Aiko', 'Pedro', 'Fatima', 'Ivan', 'Chloe', 'Kwame']
const EXTS = ['exe', 'dll', 'docm', 'zip', 'ps1', 'js', 'pdf']
const HEX = '0123456789abcdef'
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'
const LETTERS = 'abcdefghijklmnopqrstuvwxyz'

export interface CanaryValue {
  kind: CanaryKind
  value: string
  /** Compound values: their own canary parts (an e-mail's domain, a URL's host). */
  parts: { kind: CanaryKind; value: string }[]
}

export class CanaryValues {
  readonly #r: () => number
  #n = 0
  constructor(seed: number) {
    this.#r = prng(seed)
  }
  #int(min: number, max: number): number {
    return min + Math.floor(this.#r() * (max - min + 1))
  }
  #pick<T>(xs: readonly T[]): T {
    return xs[this.#int(0, xs.length - 1)]
  }
  #chars(alphabet: string, n: number): string {
    let s = ''
    for (let i = 0; i < n; i++) s += alphabet[this.#int(0, alphabet.length - 1)]
    return s
  }
  /** A per-object counter plus random letters: distinct within an object, distinctive across objects. */
  #token(alphabet = ALNUM): string {
    this.#n++
    return `${this.#chars(alphabet, 4)}${alphabet === LETTERS ? LETTERS[this.#n % 26] : this.#n.toString(36)}`
  }

  ipv4(): string {
    let a = this.#int(11, 223)
    if (a === 127) a = 128
    // The last octet has three digits: the canary can never be a prefix of a network the strategy writes.
    return `${a}.${this.#int(0, 255)}.${this.#int(0, 255)}.${this.#int(100, 254)}`
  }
  /** In canonical (RFC 5952) text, so a kept address is found whatever the strategy's formatting. */
  ipv6(): string {
    const group = () => this.#int(0x100, 0xffff).toString(16)
    const groups = [this.#int(0x2001, 0x3fff).toString(16), ...Array.from({ length: 7 }, group)]
    // A third of them compressed: `2a01:4f8:1c2::9a:77` (one run of three zero groups).
    return this.#r() < 0.33 ? `${groups.slice(0, 3).join(':')}::${groups.slice(6).join(':')}` : groups.join(':')
  }
  domain(): string {
    const sub = this.#r() < 0.3 ? `${this.#pick(WORDS)}.` : ''
    // Some internationalized (Unicode) names, as registrants write them.
    const word = this.#r() < 0.1 ? this.#pick(IDN_WORDS) : this.#pick(WORDS)
    return `${sub}${word}-c4n4ry${this.#token()}.${this.#pick(TLDS)}`
  }
  email(): CanaryValue {
    const domain = this.domain()
    const tag = this.#r() < 0.2 ? `+${this.#pick(WORDS)}` : ''
    const value = `${this.#pick(FIRST).toLowerCase()}.c4n4ry${this.#token()}${tag}@${domain}`
    return { kind: 'email', value, parts: [{ kind: 'domain', value: domain }] }
  }
  url(): CanaryValue {
    const r = this.#r()
    const part: CanaryValue['parts'][number] =
      r < 0.15
        ? { kind: 'ipv4', value: this.ipv4() }
        : r < 0.25
          ? { kind: 'ipv6', value: this.ipv6() }
          : { kind: 'domain', value: this.domain() }
    const host = part.kind === 'ipv6' ? `[${part.value}]` : part.value
    const credentials = this.#r() < 0.1 ? `${this.#pick(FIRST).toLowerCase()}:${this.#chars(ALNUM, 8)}@` : ''
    const port = this.#r() < 0.2 ? `:${this.#int(1025, 65000)}` : ''
    const scheme = this.#pick(['http', 'https', 'https', 'ftp'])
    const value = `${scheme}://${credentials}${host}${port}/${this.#pick(WORDS)}/c4n4ry${this.#token()}.php?id=${this.#int(1, 9999)}`
    return { kind: 'url', value, parts: [part] }
  }
  hash(length: 32 | 40 | 64 | 128 = this.#pick([32, 40, 64, 128] as const)): string {
    return this.#chars(HEX, length)
  }
  ssdeep(): string {
    return `96:${this.#chars(ALNUM, 20)}c4n4ry${this.#token()}:${this.#chars(ALNUM, 12)}`
  }
  tlsh(): string {
    return `t1${this.#chars(HEX.toUpperCase(), 68)}`
  }
  fileName(): string {
    const word = this.#pick(WORDS)
    const token = this.#token()
    switch (this.#int(0, 3)) {
      case 0:
        return `${word}-c4n4ry${token}.${this.#pick(EXTS)}`
      case 1:
        return `${word[0].toUpperCase()}${word.slice(1)}C4nary${token}.${this.#pick(EXTS)}`
      case 2:
        return `${word}_c4n4ry${token}.pdf.${this.#pick(EXTS)}`
      default:
        return `${word}_c4n4ry${token}.${this.#pick(EXTS)}`
    }
  }
  path(): string {
    const token = this.#token()
    return this.#r() < 0.5
      ? `C:\\Users\\Public\\c4n4ry${token}\\${this.#pick(WORDS)}`
      : `/tmp/.c4n4ry${token}/${this.#pick(WORDS)}`
  }
  person(): string {
    const last = this.#token(LETTERS)
    return `${this.#pick(FIRST)} C4nary${last}`
  }
  /** A value of `kind` (file: a name or a path; hash: any length). */
  of(kind: Exclude<CanaryKind, 'sco-id'>): CanaryValue {
    switch (kind) {
      case 'email':
        return this.email()
      case 'url':
        return this.url()
      case 'ipv4':
        return { kind, value: this.ipv4(), parts: [] }
      case 'ipv6': {
        // Some as IPv4-mapped addresses (`::ffff:203.0.113.7`): the IPv4 inside is a canary too.
        if (this.#r() > 0.1) return { kind, value: this.ipv6(), parts: [] }
        const v4 = this.ipv4()
        return { kind, value: `::ffff:${v4}`, parts: [{ kind: 'ipv4', value: v4 }] }
      }
      case 'domain':
        return { kind, value: this.domain(), parts: [] }
      case 'hash':
        return { kind, value: this.hash(), parts: [] }
      case 'file':
        return { kind, value: this.#r() < 0.7 ? this.fileName() : this.path(), parts: [] }
      case 'person':
        return { kind, value: this.person(), parts: [] }
    }
  }
  /** Random hex, base64 … for constrained positions that carry no canary. */
  hex(bytes: number): string {
    return this.#chars(HEX, bytes * 2)
  }
  uuid(version: 4 | 5 = 4): string {
    const h = this.#chars(HEX, 32).split('')
    h[12] = String(version)
    h[16] = '89ab'[this.#int(0, 3)]
    const s = h.join('')
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`
  }
  word(): string {
    return this.#pick(WORDS)
  }
  int(min: number, max: number): number {
    return this.#int(min, max)
  }
}
