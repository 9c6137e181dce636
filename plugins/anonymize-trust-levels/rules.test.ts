import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { ruleOf } from './rules.js'

/** Every property name the OASIS STIX 2.1 schemas define, at any depth (extensions and nested types too). */
function schemaPropertyNames(dir: string, names = new Set<string>()): Set<string> {
  for (const entry of readdirSync(dir)) {
    const file = path.join(dir, entry)
    if (statSync(file).isDirectory()) schemaPropertyNames(file, names)
    else if (entry.endsWith('.json')) collect(JSON.parse(readFileSync(file, 'utf8')), names)
  }
  return names
}

function collect(node: unknown, names: Set<string>): void {
  if (node === null || typeof node !== 'object') return
  const properties = (node as { properties?: unknown }).properties
  if (properties !== null && typeof properties === 'object') for (const name of Object.keys(properties)) names.add(name)
  for (const child of Object.values(node)) collect(child, names)
}

t.test('the rule table names every property of the OASIS schemas', async (t) => {
  const schemas = new URL('../../core/stix/schemas', import.meta.url).pathname
  const names = schemaPropertyNames(schemas)
  t.ok(names.size > 300, `${names.size} property names read from the schemas`)
  const unclassified = [...names].filter((name) => ruleOf(name) === undefined).sort()
  t.same(unclassified, [], 'a new STIX property must get a rule in rules.ts, not the custom default')
})

t.test('names STIX does not define are custom', async (t) => {
  t.equal(ruleOf('x_contact'), undefined)
  t.equal(ruleOf('toxicity'), undefined, 'a top-level property of a property extension')
  t.equal(ruleOf('sample_refs'), 'ref')
})
