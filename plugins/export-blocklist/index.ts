import { defineExporter, observableValues, Type } from '../../core/plugin-api/index.js'
import { createDeduper } from './dedupe.js'
import { BLOCKLIST_KINDS, blocklistEntry, type BlocklistKind } from './kinds.js'

const kindSchema = (options: { description: string; default?: BlocklistKind }) =>
  Type.Union(
    BLOCKLIST_KINDS.map((k) => Type.Literal(k)),
    options,
  )

/**
 * A plain-text blocklist, one value per line, as firewalls and DNS resolvers ingest them. Values come from
 * indicators only (an observable alone says nothing about maliciousness); each line is a valid value of the
 * chosen kind, written once.
 */
export const blocklistExporter = defineExporter({
  id: 'blocklist',
  apiVersion: 1,
  version: '1.0.0',
  description: 'Plain-text blocklist of one kind (ip, cidr, domain, url, sha256, md5), one value per line',
  configSchema: Type.Object(
    {
      kind: kindSchema({ default: 'ip', description: 'Kind of value listed when the request does not choose one' }),
      maxRemembered: Type.Integer({
        minimum: 1,
        default: 500000,
        description:
          'Distinct values remembered for de-duplication (about 100 bytes each); beyond it values may repeat',
      }),
    },
    { additionalProperties: false },
  ),
  create: ({ config }) => ({
    format: 'blocklist',
    mediaType: 'text/plain; charset=utf-8',
    fileExtension: 'txt',
    optionsSchema: Type.Object({
      kind: Type.Optional(kindSchema({ description: 'Kind of value to list: ip, cidr, domain, url, sha256 or md5' })),
    }),
    async *write(objects, ctx) {
      const kind = (ctx.options.kind as BlocklistKind | undefined) ?? config.kind
      const deduper = createDeduper(config.maxRemembered)
      for await (const obj of objects) {
        if (obj.type !== 'indicator') continue
        let lines = ''
        for (const value of observableValues(obj)) {
          const entry = blocklistEntry(kind, value)
          if (entry !== null && deduper.firstTime(entry)) lines += `${entry}\n`
        }
        if (lines) yield lines
      }
    },
  }),
})

export default blocklistExporter
