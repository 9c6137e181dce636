import { isJsonObject } from './json-object.js'

/**
 * Bounds on one submitted STIX object, checked before it is validated, serialised or written. They keep every
 * later step (JSON.stringify, PostgreSQL's jsonb parser, the egress walkers) within a known depth and size, and
 * refuse what PostgreSQL cannot store at all. The largest real objects seen (MITRE ATT&CK collections) are
 * about 8 levels deep, 21 properties wide and 2 MB; these limits leave room for them.
 */
export const STIX_INPUT_LIMITS = {
  /** Levels of nested objects and arrays, the object itself being level 1. */
  maxDepth: 64,
  /** Characters (UTF-16 code units) of any one string or property name: room for a ~3 MB base64 artifact. */
  maxStringLength: 4 * 1024 * 1024,
  /** Properties of any one JSON object inside the STIX object (arrays may be longer). */
  maxProperties: 1000,
  /** UTF-8 bytes of the object's JSON text as stored. */
  maxObjectBytes: 8 * 1024 * 1024,
} as const

/** Where in the object (a JSON pointer, shortened for display) and what is wrong. */
export interface InputIssue {
  path: string
  message: string
}

// With the `u` flag a well-formed surrogate pair is one code point, so \p{Cs} only matches a lone surrogate.
const UNSTORABLE = /[\u0000\p{Cs}]/u

/** True when PostgreSQL cannot store the string (NUL) or it is not valid Unicode (a lone surrogate). */
export function hasUnstorableCharacter(s: string): boolean {
  return UNSTORABLE.test(s)
}

function stringProblem(s: string, what: string): string | undefined {
  if (s.length > STIX_INPUT_LIMITS.maxStringLength)
    return `${what} is ${s.length} characters long; at most ${STIX_INPUT_LIMITS.maxStringLength} are accepted`
  const bad = UNSTORABLE.exec(s)?.[0]
  if (bad === undefined) return undefined
  if (bad === '\u0000') return `${what} contains a NUL character (U+0000), which cannot be stored`
  return `${what} contains a lone surrogate (U+${bad.charCodeAt(0).toString(16).toUpperCase()}), which is not valid Unicode`
}

interface Frame {
  value: Record<string, unknown> | unknown[]
  depth: number
  key: string
  parent: Frame | null
}

const MAX_SEGMENT = 40
const MAX_PATH = 200

/** A JSON pointer segment made printable: escaped, control and surrogate characters as \uXXXX, long keys cut. */
function segment(key: string): string {
  const printable = key
    .replace(/~/g, '~0')
    .replace(/\//g, '~1')
    .replace(/[\u0000-\u001f\u007f\p{Cs}]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return printable.length > MAX_SEGMENT ? `${printable.slice(0, MAX_SEGMENT - 1)}…` : printable
}

/** The pointer of `key` inside the frame's value, or of the value itself; '' is the object. */
function pathOf(frame: Frame, key?: string): string {
  const keys = key === undefined ? [] : [key]
  for (let f: Frame | null = frame; f && f.parent; f = f.parent) keys.push(f.key)
  const path = keys
    .reverse()
    .map((k) => `/${segment(k)}`)
    .join('')
  return path.length > MAX_PATH ? `${path.slice(0, MAX_PATH - 1)}…` : path
}

/**
 * The first input limit the value breaks (see {@link STIX_INPUT_LIMITS}, size excepted: it needs the stored
 * text), or null. Iterative, and it stops at the first level beyond the limit, so an object nested a million
 * levels deep costs no more than one nested 65. Values that are not objects are left to the validator.
 */
export function findInputIssue(value: unknown): InputIssue | null {
  const root = asContainer(value)
  if (root === null) return null
  const stack: Frame[] = [{ value: root, depth: 1, key: '', parent: null }]
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const container = frame.value
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) {
        const issue = checkChild(frame, String(i), container[i], stack)
        if (issue) return issue
      }
      continue
    }
    const keys = Object.keys(container)
    if (keys.length > STIX_INPUT_LIMITS.maxProperties) {
      return {
        path: pathOf(frame),
        message: `has ${keys.length} properties; at most ${STIX_INPUT_LIMITS.maxProperties} are accepted`,
      }
    }
    for (const key of keys) {
      const keyProblem = stringProblem(key, 'the property name')
      if (keyProblem) return { path: pathOf(frame, key), message: keyProblem }
      const issue = checkChild(frame, key, container[key], stack)
      if (issue) return issue
    }
  }
  return null
}

/** The issue of one string or nested value of the frame's container; a nested container is pushed for later. */
function checkChild(frame: Frame, key: string, child: unknown, stack: Frame[]): InputIssue | null {
  if (typeof child === 'string') {
    const problem = stringProblem(child, 'the string')
    return problem ? { path: pathOf(frame, key), message: problem } : null
  }
  const container = asContainer(child)
  if (container === null) return null
  if (frame.depth >= STIX_INPUT_LIMITS.maxDepth) {
    return { path: pathOf(frame, key), message: `is nested deeper than ${STIX_INPUT_LIMITS.maxDepth} levels` }
  }
  stack.push({ value: container, depth: frame.depth + 1, key, parent: frame })
  return null
}

function asContainer(value: unknown): Record<string, unknown> | unknown[] | null {
  if (Array.isArray(value)) return value
  return isJsonObject(value) ? value : null
}
