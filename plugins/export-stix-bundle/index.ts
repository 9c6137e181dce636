import { randomUUID } from 'node:crypto'
import { defineExporter, Type } from '../../core/plugin-api/index.js'

/** The bundle's envelope around each object's JSON text (`json`), written as the objects arrive. */
async function* bundle<T>(objects: AsyncIterable<T>, json: (object: T) => string, lineBreaks: boolean) {
  const separator = lineBreaks ? ',\n' : ','
  yield `{"type":"bundle","id":"bundle--${randomUUID()}","objects":[${lineBreaks ? '\n' : ''}`
  let first = true
  for await (const obj of objects) {
    yield first ? json(obj) : separator + json(obj)
    first = false
  }
  yield lineBreaks ? '\n]}\n' : ']}'
}

/**
 * A STIX 2.1 bundle, streamed: the envelope is written first, then each object as it arrives, so memory stays
 * flat whatever the size of the export. Objects are written exactly as the egress pipeline hands them over.
 */
export const stixBundleExporter = defineExporter({
  id: 'stix-bundle',
  apiVersion: 1,
  version: '1.0.0',
  description: 'STIX 2.1 bundle (application/stix+json;version=2.1), streamed',
  configSchema: Type.Object(
    {
      lineBreaks: Type.Boolean({
        default: false,
        description: 'Put each object on its own line (easier to diff and grep; still one JSON document)',
      }),
    },
    { additionalProperties: false },
  ),
  create: ({ config }) => ({
    format: 'stix-bundle',
    mediaType: 'application/stix+json;version=2.1',
    fileExtension: 'json',
    write(objects) {
      return bundle(objects, (obj) => JSON.stringify(obj), config.lineBreaks)
    },
    writeJson(texts) {
      return bundle(texts, (text) => text, config.lineBreaks)
    },
  }),
})

export default stixBundleExporter
