import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SHARED } from '../../test/paths.js'

// The runtime validates with the copy in core/stix/schemas; it must stay identical to the official OASIS set.
t.test('the bundled schemas are byte-identical to the official OASIS STIX 2.1 schemas', async (t) => {
  const official = join(SHARED, 'stix2-json-schemas', 'schemas')
  const bundled = join(import.meta.dirname, 'schemas')
  const files = readdirSync(official, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'))
  t.ok(files.length > 50, 'official schema set found')
  for (const f of files) t.equal(readFileSync(join(bundled, f), 'utf8'), readFileSync(join(official, f), 'utf8'), f)
})
