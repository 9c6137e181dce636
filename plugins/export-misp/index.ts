import { randomUUID } from 'node:crypto'
import { defineExporter, TLP_LEVELS, tlpOf, type TlpLevel } from '../../core/plugin-api/index.js'
import { attributesOf, tagsOf } from './attributes.js'
import { mispConfigSchema } from './config.js'

/**
 * One MISP event (the JSON `POST /events/add` and "Import from MISP JSON" accept), streamed: the event header
 * first, then each attribute as its object arrives. The event-level `Tag` list comes last (JSON objects are
 * unordered) so it can gather the labels seen and the most restrictive TLP level of the whole export.
 */
export const mispExporter = defineExporter({
  id: 'misp',
  apiVersion: 1,
  version: '1.0.0',
  description: 'MISP event JSON: indicator and observable values as attributes, labels and TLP as tags',
  configSchema: mispConfigSchema,
  create: ({ config }) => ({
    format: 'misp',
    mediaType: 'application/json',
    fileExtension: 'json',
    async *write(objects) {
      const now = Date.now()
      const header = {
        info: config.info,
        date: new Date(now).toISOString().slice(0, 10),
        threat_level_id: config.threatLevelId,
        analysis: config.analysis,
        distribution: config.distribution,
        uuid: randomUUID(),
        timestamp: String(Math.floor(now / 1000)),
        published: false,
      }
      yield `{"Event":${JSON.stringify(header).slice(0, -1)},"Attribute":[`
      const labels = new Set<string>()
      let tlp: TlpLevel | undefined
      let first = true
      for await (const obj of objects) {
        const attributes = attributesOf(obj, now)
        if (attributes.length === 0) continue
        const level = tlpOf(obj)
        if (level && (!tlp || TLP_LEVELS.indexOf(level) > TLP_LEVELS.indexOf(tlp))) tlp = level
        for (const tag of tagsOf(obj)) if (!tag.startsWith('tlp:') && labels.size < config.maxEventTags) labels.add(tag)
        const text = attributes.map((a) => JSON.stringify(a)).join(',')
        yield first ? text : `,${text}`
        first = false
      }
      const tags = [...labels, ...(tlp ? [`tlp:${tlp}`] : [])].map((name) => ({ name }))
      yield `],"Tag":${JSON.stringify(tags)}}}`
    },
  }),
})

export default mispExporter
