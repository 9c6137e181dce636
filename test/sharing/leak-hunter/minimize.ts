/** Strips a leaking object to what still makes it leak: the shortest way to read a failure. */
import type { StixObject } from '../../../core/plugin-api/index.js'
import type { Egress } from './egress.js'
import type { LeakError } from './hunt.js'
import { findLeaks } from './leaks.js'

const KEEP = new Set(['type', 'id', 'spec_version', 'created', 'modified', 'pattern_type'])

type Json = Record<string | number, unknown>
const shallowCopy = (v: unknown): Json => (Array.isArray(v) ? ([...v] as unknown as Json) : { ...(v as Json) })

/** Every single deletion (a property, a list item) at any depth, as functions from the object to a copy without it. */
function removals(value: unknown, depth = 0): ((v: unknown) => unknown)[] {
  if (!value || typeof value !== 'object') return []
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value)
  const out: ((v: unknown) => unknown)[] = []
  for (const k of keys) {
    if (depth === 0 && KEEP.has(String(k))) continue
    out.push((v) => {
      if (Array.isArray(v)) return v.filter((_, i) => i !== k)
      const copy = shallowCopy(v)
      delete copy[k]
      return copy
    })
    for (const inner of removals((value as Json)[k], depth + 1)) {
      out.push((v) => {
        const copy = shallowCopy(v)
        copy[k] = inner(copy[k])
        return copy
      })
    }
  }
  return out
}

/** Deletes properties and list items while the same canary still leaks at the same level on the same channel. */
export async function minimize(egress: Egress, error: LeakError): Promise<Record<string, unknown>> {
  const { leak, gen } = error
  let current = gen.object
  const stillLeaks = async (candidate: Record<string, unknown>) => {
    const { outputs } = await egress.outputs([candidate as StixObject], leak.level)
    return (
      findLeaks(
        outputs.filter((o) => o.channel === leak.channel),
        [leak.canary],
        leak.level,
      ).length > 0
    )
  }
  for (let pass = 0; pass < 200; pass++) {
    let progressed = false
    for (const remove of removals(current)) {
      const candidate = remove(current) as Record<string, unknown>
      if (await stillLeaks(candidate)) {
        current = candidate
        progressed = true
        break
      }
    }
    if (!progressed) break
  }
  return current
}
