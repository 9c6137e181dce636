import { defineExporter, observableValues, Type } from '../../core/plugin-api/index.js'
import { isPseudonymHost, rulesFor, type RuleContext } from './rules.js'

const HASH_KINDS = new Set(['md5', 'sha1', 'sha256', 'sha512'])

/**
 * Suricata alert rules for the IP, domain and URL values of indicators, with sids numbered from a configured
 * start. File-hash indicators are counted and reported in a closing comment: Suricata only matches hashes
 * against list files, which a single rules file cannot carry. Domain and URL pseudonyms are counted there too, so a partner
 * sees that anonymization, not the exporter, left those values out.
 */
export const suricataExporter = defineExporter({
  id: 'suricata',
  apiVersion: 1,
  version: '1.0.0',
  description: 'Suricata alert rules for IP, domain (dns.query, tls.sni) and URL indicators',
  configSchema: Type.Object(
    {
      sidStart: Type.Integer({
        minimum: 1,
        maximum: 4294967295,
        default: 1000000,
        description: 'First sid; 1000000-1999999 is the range conventionally reserved for local rules',
      }),
      sidEnd: Type.Integer({
        minimum: 1,
        maximum: 4294967295,
        default: 1999999,
        description: 'Last sid that may be used; rules beyond it are not written',
      }),
      messagePrefix: Type.String({
        minLength: 1,
        maxLength: 64,
        default: 'CRISP',
        description: 'Start of every rule message',
      }),
    },
    { additionalProperties: false },
  ),
  create: ({ config }) => {
    if (config.sidEnd < config.sidStart) throw new Error('suricata: sidEnd must not be below sidStart')
    return {
      format: 'suricata',
      mediaType: 'text/plain; charset=utf-8',
      fileExtension: 'rules',
      async *write(objects) {
        yield `# Suricata rules exported by CRISP, ${new Date().toISOString()}\n`
        let sid = config.sidStart
        let hashes = 0
        let pseudonyms = 0
        let overflow = 0
        for await (const obj of objects) {
          if (obj.type !== 'indicator') continue
          let text = ''
          for (const value of observableValues(obj)) {
            if (HASH_KINDS.has(value.kind)) hashes++
            if (isPseudonymHost(value)) pseudonyms++
            const planned = rulesFor(value, (): RuleContext => ({
              prefix: config.messagePrefix,
              stixId: obj.id,
              sid: sid++,
            }))
            if (sid - 1 > config.sidEnd) {
              overflow += planned.length
              sid = config.sidEnd + 1
            } else text += planned.map((r) => `${r}\n`).join('')
          }
          if (text) yield text
        }
        if (hashes)
          yield `# ${hashes} file-hash value(s) not written: Suricata matches file hashes only against list files\n`
        if (pseudonyms) yield `# ${pseudonyms} pseudonymized value(s) not written: they name no real host\n`
        if (overflow)
          yield `# ${overflow} rule(s) not written: the sid range ${config.sidStart}-${config.sidEnd} is exhausted\n`
      },
    }
  },
})

export default suricataExporter
