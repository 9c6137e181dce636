/**
 * The observable (SCO) and the STIX pattern of one value of any {@link ObservableKind}: the kinds exporters
 * read back with `observableValues`, so what is built here round-trips through them.
 */
import { deterministicScoId } from '../stix/ids.js'
import type { ObservableKind } from './observable-values.js'
import { patternString, type Observable } from './stix-build.js'
import type { StixObject } from './types.js'

type HashKind = Extract<ObservableKind, 'md5' | 'sha1' | 'sha256' | 'sha512'>

/** The STIX hash algorithm name of each hash kind (the `hashes` key and the pattern path). */
export const HASH_ALGORITHMS: Readonly<Record<HashKind, string>> = {
  md5: 'MD5',
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha512: 'SHA-512',
}

function scoOf(
  type: string,
  properties: Record<string, unknown>,
  markingRefs: readonly string[] | undefined,
): StixObject {
  const sco: StixObject = { type, spec_version: '2.1', id: deterministicScoId(type, properties), ...properties }
  if (markingRefs?.length) sco.object_marking_refs = [...markingRefs]
  return sco
}

/** Options of {@link observableFor}. */
export interface ObservableOptions {
  /** Marking definitions the SCO carries (its TLP): a SCO reveals its value as much as the indicator does. */
  markingRefs?: readonly string[]
}

/**
 * The SCO (with its STIX §2.9 id) and a pattern matching it, for a value already checked to be of `kind`
 * (hashes in lowercase hex, addresses in canonical form): `ipv4-addr`/`ipv6-addr` value (a CIDR network is
 * matched with `ISSUBSET`, a single address with `=`), `domain-name`, `url`, `email-addr` value, a `file`
 * with one hash (`md5`, `sha1`, `sha256`, `sha512`) or with a name (`file-name`), an `autonomous-system` number
 * (`AS64496` or `64496`). String literals of the
 * pattern are escaped with {@link patternString}, so quotes and backslashes in a value are safe.
 */
export function observableFor(kind: ObservableKind, value: string, options: ObservableOptions = {}): Observable {
  const marks = options.markingRefs
  switch (kind) {
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'sha512': {
      const algorithm = HASH_ALGORITHMS[kind]
      const hash = value.toLowerCase()
      return {
        sco: scoOf('file', { hashes: { [algorithm]: hash } }, marks),
        pattern: `[file:hashes.'${algorithm}' = ${patternString(hash)}]`,
      }
    }
    case 'file-name':
      return { sco: scoOf('file', { name: value }, marks), pattern: `[file:name = ${patternString(value)}]` }
    case 'autonomous-system': {
      const number = Number(value.replace(/^AS/i, ''))
      return { sco: scoOf('autonomous-system', { number }, marks), pattern: `[autonomous-system:number = ${number}]` }
    }
    case 'ipv4-addr':
    case 'ipv6-addr': {
      const operator = value.includes('/') ? 'ISSUBSET' : '='
      return { sco: scoOf(kind, { value }, marks), pattern: `[${kind}:value ${operator} ${patternString(value)}]` }
    }
    default:
      return { sco: scoOf(kind, { value }, marks), pattern: `[${kind}:value = ${patternString(value)}]` }
  }
}

/**
 * The SCO and pattern of one value a feed source read, checked to be of `kind`: as {@link observableFor} builds
 * them, except that an address network (CIDR) is matched with `=`, as feed sources have always published it.
 */
export function buildObservable(kind: ObservableKind, value: string): Observable {
  if (kind === 'ipv4-addr' || kind === 'ipv6-addr')
    return { sco: scoOf(kind, { value }, undefined), pattern: `[${kind}:value = ${patternString(value)}]` }
  return observableFor(kind, value)
}

/** A file SCO with a name and a hash, and the pattern requiring both. */
export function buildNamedFile(name: string, kind: HashKind, hash: string): Observable {
  const algorithm = HASH_ALGORITHMS[kind]
  const lower = hash.toLowerCase()
  return {
    sco: scoOf('file', { hashes: { [algorithm]: lower }, name }, undefined),
    pattern: `[file:name = ${patternString(name)} AND file:hashes.'${algorithm}' = '${lower}']`,
  }
}
