import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import type { StixObject } from '../../core/plugin-api/index.js'
import { getDefaultValidator } from '../../core/stix/validator.js'
import { ctx, LEVELS_BELOW_NONE, strategyFor } from './test-support.js'
import { SHARED } from '../../test/paths.js'

/** Real data: every object of the OASIS examples and of MITRE ATT&CK for ICS, at every level, still validates. */
const DATASETS = join(SHARED, 'datasets')

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return jsonFiles(path)
    return path.endsWith('.json') ? [path] : []
  })
}

/** STIX objects of a file; the `interop/` folder also holds JSON schemas, which are not objects. */
function objectsOf(path: string): StixObject[] {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
  const objects = doc.type === 'bundle' ? (doc.objects as StixObject[]) : [doc as StixObject]
  return objects.filter((o) => typeof o.type === 'string' && typeof o.id === 'string')
}

const files = [...jsonFiles(join(DATASETS, 'oasis-examples')), join(DATASETS, 'mitre-attack/ics-attack-18.1.json')]
const validator = getDefaultValidator()
const strategy = strategyFor({ scope: 'recipient' })

for (const file of files) {
  t.test(file.slice(DATASETS.length + 1), async (t) => {
    const objects = objectsOf(file)
    let checked = 0
    let refused = 0
    for (const obj of objects) {
      // The store refuses what the validator refuses (one OASIS example writes its UUID in upper case): such an
      // object never reaches the strategy.
      if (!validator.validate(obj).ok) {
        refused += 1
        continue
      }
      for (const level of LEVELS_BELOW_NONE) {
        const out = strategy.anonymize(obj, ctx(level))
        if (out === null) continue
        const result = validator.validate(out)
        checked += 1
        if (!result.ok) t.fail(`${obj.id} at ${level}`, { errors: result.errors })
      }
    }
    t.ok(refused <= 1, `${refused} input objects refused by the store's validator`)
    t.ok(checked >= objects.length - refused, `${checked} anonymized objects validated`)
  })
}
