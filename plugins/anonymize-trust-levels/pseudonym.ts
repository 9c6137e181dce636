import { createHmac } from 'node:crypto'
import { createHmacSha256, type HmacSha256 } from './hmac-sha256.js'
import { createBoundedMemo, type BoundedMemo } from './lru.js'

/**
 * Keyed pseudonyms: HMAC-SHA256 under a scope key, so the same value always gives the same pseudonym for one
 * recipient scope (recipients can correlate sightings) while nobody without the key can invert or test a guess.
 */
export interface Pseudonymizer {
  /** 16 lowercase base32 characters (80 bits): a valid DNS label, email local part and URL path segment. */
  label(kind: string, value: string): string
  /** `length` lowercase hex digits: pseudonymized hashes keep the length and charset the schemas require. */
  hex(kind: string, value: string, length: number): string
  /** A keyed string built by `format` from the 32 HMAC bytes (pseudonym addresses); memoized like the rest. */
  derive(kind: string, value: string, format: (bytes: Buffer) => string): string
  /** A UUID shaped like a version 5 UUID, keyed: used for SCO ids and the anonymous identity. */
  uuid(kind: string, value: string): string
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'
const LABEL_LENGTH = 16
const MEMO_ENTRIES = 100_000
const ID_MEMO_ENTRIES = 20_000
/** Characters of keys and values per memo: bounds its memory whatever the length of the values (≈ 1 byte each). */
const MEMO_CHARS = 4_000_000
const ID_MEMO_CHARS = 1_000_000
/** Values computed once so far wait here, not in the memo, until they come back (see `BoundedMemoOptions.recent`). */
const RECENT_ENTRIES = 2_048

interface Memos {
  values: BoundedMemo<string>
  ids: BoundedMemo<string>
}

const BASE32_CODES = Buffer.from(BASE32, 'latin1')

/**
 * The first `length` base32 characters of `bytes`. Built in a small buffer and decoded once: a flat string of
 * `length` bytes, where appending character by character left a chain of cons strings in the memo.
 */
function base32(bytes: Buffer, length: number): string {
  const out = Buffer.allocUnsafe(length)
  let n = 0
  let buffer = 0
  let bits = 0
  for (let i = 0; n < length; i += 1) {
    buffer = (buffer << 8) | bytes[i]
    bits += 8
    while (bits >= 5 && n < length) {
      bits -= 5
      out[n++] = BASE32_CODES[(buffer >>> bits) & 31]
    }
    buffer &= (1 << bits) - 1
  }
  return out.toString('latin1', 0, length)
}

/** HMAC-SHA256 of `kind \0 [counter \0] value` (see hmac-sha256.ts). */
function mac(key: HmacSha256, kind: string, value: string, counter = 0): Buffer {
  return key.digest(counter > 0 ? `${kind}\0${counter}\0${value}` : `${kind}\0${value}`)
}

const HEX_CODES = Buffer.from('0123456789abcdef', 'latin1')
const DASH = 0x2d

/** 8-4-4-4-12 hex of the first 16 bytes with the version 5 and RFC 4122 variant bits set; one flat string. */
export function formatUuidV5Shape(bytes: Buffer): string {
  const out = Buffer.allocUnsafe(36)
  let o = 0
  for (let i = 0; i < 16; i += 1) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out[o++] = DASH
    const b = i === 6 ? (bytes[i] & 0x0f) | 0x50 : i === 8 ? (bytes[i] & 0x3f) | 0x80 : bytes[i]
    out[o++] = HEX_CODES[b >>> 4]
    out[o++] = HEX_CODES[b & 15]
  }
  return out.toString('latin1', 0, 36)
}

function createPseudonymizer(key: HmacSha256, memos: Memos, scopeId: string): Pseudonymizer {
  const { values: memo, ids } = memos
  const cached = (tag: string, kind: string, value: string, compute: () => string) =>
    memo.get(`${scopeId}\0${tag}\0${kind}\0${value}`, compute)
  return {
    label: (kind, value) => cached('l', kind, value, () => base32(mac(key, kind, value), LABEL_LENGTH)),
    hex: (kind, value, length) =>
      cached(`h${length}`, kind, value, () => {
        let out = ''
        for (let counter = 0; out.length < length; counter += 1) out += mac(key, kind, value, counter).toString('hex')
        return out.slice(0, length)
      }),
    derive: (kind, value, format) => cached('d', kind, value, () => format(mac(key, kind, value))),
    // Ids are mostly unique (every SCO once): they get their own memo so they never evict value pseudonyms.
    uuid: (kind, value) => ids.get(`${scopeId}\0${kind}\0${value}`, () => formatUuidV5Shape(mac(key, kind, value))),
  }
}

export type PseudonymScope = 'platform' | 'recipient'

/** Hands out the pseudonymizer of a scope; scope keys are derived once and kept (bounded). */
export interface PseudonymKeyring {
  forRecipient(recipientOrgId: string): Pseudonymizer
}

/**
 * Derives scope keys from the platform's anonymization key. With `recipient` scope each recipient org gets
 * HMAC(key, "recipient/<org>") as its key, so two recipients' pseudonyms of one value are unlinkable.
 */
export function createPseudonymKeyring(options: { secret: string; scope: PseudonymScope }): PseudonymKeyring {
  const derive = (label: string) =>
    createHmacSha256(createHmac('sha256', options.secret).update(`crisp/trust-levels/v1/${label}`).digest())
  const memo: Memos = {
    values: createBoundedMemo<string>(MEMO_ENTRIES, { maxChars: MEMO_CHARS, recent: RECENT_ENTRIES }),
    ids: createBoundedMemo<string>(ID_MEMO_ENTRIES, { maxChars: ID_MEMO_CHARS, recent: RECENT_ENTRIES }),
  }
  if (options.scope === 'platform') {
    const shared = createPseudonymizer(derive('platform'), memo, 'platform')
    return { forRecipient: () => shared }
  }
  const perRecipient = createBoundedMemo<Pseudonymizer>(10_000)
  return {
    forRecipient: (org) =>
      perRecipient.get(org, () => createPseudonymizer(derive(`recipient/${org}`), memo, `r/${org}`)),
  }
}
