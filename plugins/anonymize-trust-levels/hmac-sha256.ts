import { createHash } from 'node:crypto'

/**
 * HMAC-SHA256 (RFC 2104, FIPS 180-4) for the short messages pseudonyms are made of. Output is byte-for-byte
 * node:crypto's `createHmac('sha256', key)` (a property test compares them); the point is cost: node:crypto
 * builds a native HMAC context per call (≈ 1.9 µs, an eighth of an export's CPU), whereas the key's inner and
 * outer padded blocks are compressed once here and a pseudonym of a short value is two more compressions in
 * JavaScript. SHA-256 has no secret-dependent branches or table look-ups, so this is as constant-time as
 * the native code is.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
])
const INITIAL = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
])
const BLOCK = 64

// Scratch space shared by every call (JavaScript runs one call at a time).
const W = new Int32Array(64)
const state = new Int32Array(8)
const tail = new Uint8Array(2 * BLOCK)
const encoder = new TextEncoder()
let message = new Uint8Array(256)

/** One SHA-256 compression of `bytes[offset … offset + 64)` into `h`. */
function compress(h: Int32Array, bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++, offset += 4) {
    W[i] = (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]
  }
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]
    const w2 = W[i - 2]
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)
    W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0
  }
  let a = h[0],
    b = h[1],
    c = h[2],
    d = h[3],
    e = h[4],
    f = h[5],
    g = h[6],
    hh = h[7]
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
    const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0
    hh = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = b
    b = a
    a = (t1 + t2) | 0
  }
  h[0] = (h[0] + a) | 0
  h[1] = (h[1] + b) | 0
  h[2] = (h[2] + c) | 0
  h[3] = (h[3] + d) | 0
  h[4] = (h[4] + e) | 0
  h[5] = (h[5] + f) | 0
  h[6] = (h[6] + g) | 0
  h[7] = (h[7] + hh) | 0
}

/** Hashes `length` bytes of `bytes` on from `h` (which already absorbed one block), padding included. */
function finish(h: Int32Array, bytes: Uint8Array, length: number): void {
  let offset = 0
  for (; length - offset >= BLOCK; offset += BLOCK) compress(h, bytes, offset)
  const rest = length - offset
  tail.fill(0)
  for (let i = 0; i < rest; i++) tail[i] = bytes[offset + i]
  tail[rest] = 0x80
  const blocks = rest + 9 > BLOCK ? 2 : 1
  // Total bits hashed, the key block included; messages here are far below 2^32 bits.
  const bits = (BLOCK + length) * 8
  const end = blocks * BLOCK
  tail[end - 4] = bits >>> 24
  tail[end - 3] = bits >>> 16
  tail[end - 2] = bits >>> 8
  tail[end - 1] = bits
  compress(h, tail, 0)
  if (blocks === 2) compress(h, tail, BLOCK)
}

function writeState(h: Int32Array, out: Uint8Array): void {
  for (let i = 0; i < 8; i++) {
    out[i * 4] = h[i] >>> 24
    out[i * 4 + 1] = h[i] >>> 16
    out[i * 4 + 2] = h[i] >>> 8
    out[i * 4 + 3] = h[i]
  }
}

export interface HmacSha256 {
  /** HMAC-SHA256 of the UTF-8 bytes of `text`: a new 32-byte Buffer. */
  digest(text: string): Buffer
}

/** An HMAC-SHA256 function of one key (the key's padded blocks are compressed once, here). */
export function createHmacSha256(key: Uint8Array): HmacSha256 {
  const block = new Uint8Array(BLOCK)
  block.set(key.length > BLOCK ? createHash('sha256').update(key).digest() : key)
  const pad = (byte: number) => {
    const h = Int32Array.from(INITIAL)
    compress(
      h,
      block.map((b) => b ^ byte),
      0,
    )
    return h
  }
  const inner = pad(0x36)
  const outer = pad(0x5c)
  block.fill(0)
  const innerDigest = new Uint8Array(32)
  return {
    digest(text: string): Buffer {
      if (message.length < text.length * 3) message = new Uint8Array(text.length * 3)
      const { written } = encoder.encodeInto(text, message)
      state.set(inner)
      finish(state, message, written)
      writeState(state, innerDigest)
      state.set(outer)
      finish(state, innerDigest, 32)
      const out = Buffer.allocUnsafe(32)
      writeState(state, out)
      return out
    },
  }
}
