/** Finding canaries in outputs, and saying where: the JSON path of the string (or key), else the line. */
import { mustHide, searchable, type Level, type Planted } from './canaries.js'
import type { Output } from './egress.js'

export interface Leak {
  level: Level
  channel: string
  canary: Planted
  /** Where in the output: `$.path.to.string`, `$.path{key}` for a key, or `line N: …`. */
  where: string
}

/** Every string and key of a JSON document with its path, in searchable form. */
function strings(value: unknown, path: string, out: { path: string; text: string }[]): void {
  if (typeof value === 'string') out.push({ path, text: searchable(value) })
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${path}[${i}]`, out))
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push({ path: `${path}{${JSON.stringify(k)}}`, text: searchable(k) })
      strings(v, /^[\w-]+$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`, out)
    }
  }
}

function parseJsonish(text: string): unknown[] | undefined {
  try {
    return [JSON.parse(text)]
  } catch {
    try {
      return text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    } catch {
      return undefined
    }
  }
}

/** An output prepared for saying where a canary sits: its strings by JSON path, else its lines. */
function locator(text: string): (needle: string) => string {
  const docs = parseJsonish(text)
  const entries: { path: string; text: string }[] = []
  if (docs) docs.forEach((doc, i) => strings(doc, docs.length > 1 ? `$${i}` : '$', entries))
  else
    text
      .split('\n')
      .forEach((line, n) => entries.push({ path: `line ${n + 1}: ${line.slice(0, 160)}`, text: searchable(line) }))
  return (needle) => entries.find((e) => e.text.includes(needle))?.path ?? 'across the text (after normalization)'
}

const ANCHOR = 6
const BASE = 131
const TOP = Array.from({ length: ANCHOR - 1 }).reduce<number>((p) => Math.imul(p, BASE) >>> 0, 1)

function anchorHash(text: string, from: number): number {
  let h = 0
  for (let k = 0; k < ANCHOR; k++) h = (Math.imul(h, BASE) + text.charCodeAt(from + k)) >>> 0
  return h
}

/**
 * Finds which canaries occur in a text. A few are searched one by one; many (a batch of objects, or the
 * thousands of the e2e layer against outputs of hundreds of kilobytes) in one pass with a rolling hash of
 * their first characters.
 */
function scanner(watched: readonly Planted[]): (text: string) => Planted[] {
  if (watched.length < 64 || watched.some((c) => c.needle.length < ANCHOR))
    return (text) => watched.filter((c) => text.includes(c.needle))
  const byAnchor = new Map<number, Planted[]>()
  for (const c of watched) {
    const h = anchorHash(c.needle, 0)
    byAnchor.set(h, [...(byAnchor.get(h) ?? []), c])
  }
  return (text) => {
    const found = new Set<Planted>()
    if (text.length < ANCHOR) return []
    let h = anchorHash(text, 0)
    for (let i = 0; ; i++) {
      const candidates = byAnchor.get(h)
      if (candidates) for (const c of candidates) if (text.startsWith(c.needle, i)) found.add(c)
      if (i + ANCHOR >= text.length) break
      h = (Math.imul((h - Math.imul(text.charCodeAt(i), TOP)) >>> 0, BASE) + text.charCodeAt(i + ANCHOR)) >>> 0
    }
    return [...found]
  }
}

/** Canaries that must be hidden at `level` and appear in an output (the parts of a leaked whole are implied). */
export function findLeaks(outputs: readonly Output[], planted: readonly Planted[], level: Level): Leak[] {
  const scan = scanner(mustHide(planted, level))
  const leaks: Leak[] = []
  for (const output of outputs) {
    if (!output.text) continue
    const found = scan(searchable(output.text))
    if (!found.length) continue
    let where: ((needle: string) => string) | undefined
    const at = (needle: string) => (where ??= locator(output.text))(needle)
    const wholes = new Set(found.map((c) => c.needle))
    for (const canary of found) {
      if (canary.whole && wholes.has(canary.whole)) continue
      // Said lazily: most leaks are only counted, and finding the path parses the whole output.
      let path: string | undefined
      leaks.push({
        level,
        channel: output.channel,
        canary,
        get where() {
          return (path ??= at(canary.needle))
        },
      })
    }
  }
  return leaks
}

/** The position with list indices dropped: `note.authors[]`, `indicator.external_references[].source_name`. */
export const generalPosition = (position: string) => position.replace(/\[\d+\]/g, '[]')

/** One line about a leak. */
export function describeLeak(leak: Leak): string {
  const c = leak.canary
  const kind = c.partOf ? `${c.kind} (of a planted ${c.partOf})` : c.kind
  return `${leak.level}: ${kind} "${c.value}" planted ${c.spelling} at ${c.position} → ${leak.channel} at ${leak.where}`
}
