import type { FeedItem, StixObject } from '../../core/plugin-api/index.js'
import { mapAttribute } from './attribute-map.js'
import type { MispConfig } from './config.js'
import { epochToTimestamp, type MispAttribute, type MispEvent, type MispTag } from './misp-types.js'
import { buildIndicator, compactStixObject, deterministicId } from '../../core/plugin-api/index.js'
import { tlpMarkingId } from '../../core/plugin-api/index.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i

/** MISP tags → STIX labels (non-TLP tags) and marking refs (TLP tags). */
function splitTags(tags: MispTag[] | undefined): { labels: string[]; markings: string[] } {
  const labels: string[] = []
  const markings: string[] = []
  for (const { name } of tags ?? []) {
    const marking = tlpMarkingId(name)
    if (marking) markings.push(marking)
    else if (name) labels.push(name)
  }
  return { labels, markings }
}

/** MISP uuids become STIX ids directly when they are valid UUIDs, as MISP's own STIX export does. */
function idFromUuid(type: string, uuid: string): string {
  return UUID.test(uuid) ? `${type}--${uuid.toLowerCase()}` : deterministicId(type, 'misp', uuid)
}

interface Context {
  event: MispEvent
  config: MispConfig
  eventMarkings: string[]
  eventCreated: string
}

/** One attribute → its objects (observables, and an indicator when to_ids), or a rejection. */
function attributeToItems(attr: MispAttribute, objectName: string | undefined, ctx: Context): FeedItem[] {
  const where = `event ${ctx.event.uuid} attribute ${attr.uuid}`
  if (attr.type === 'vulnerability') {
    const cve = String(attr.value).trim().toUpperCase()
    const created = epochToTimestamp(attr.timestamp, ctx.eventCreated)
    return [{ kind: 'object', object: vulnerability(cve, created, ctx.eventMarkings) }]
  }
  const mapped = mapAttribute(attr.type, attr.value)
  if (typeof mapped === 'string') return [{ kind: 'rejected', reason: `${where}: ${mapped}`, ref: attr.uuid }]

  const tags = splitTags(attr.Tag)
  const markings = tags.markings.length > 0 ? tags.markings : ctx.eventMarkings
  const objects: StixObject[] = mapped.scos.map((sco) => compactStixObject({ ...sco, object_marking_refs: markings }))
  if (attr.to_ids === true || attr.to_ids === '1') {
    const created = epochToTimestamp(attr.timestamp, ctx.eventCreated)
    objects.push(
      buildIndicator({
        id: idFromUuid('indicator', attr.uuid),
        pattern: mapped.pattern,
        name: `${attr.type}: ${attr.value}`,
        description: [objectName && `MISP object ${objectName}`, attr.comment].filter(Boolean).join('. ') || undefined,
        created,
        validFrom: epochToTimestamp(attr.first_seen ? Date.parse(attr.first_seen) / 1000 : undefined, created),
        indicatorTypes: ctx.config.indicatorTypes,
        labels: [...splitTags(ctx.event.Tag).labels, ...tags.labels],
        confidence: ctx.config.confidence,
        markingRefs: markings,
      }),
    )
  }
  return objects.map((object) => ({ kind: 'object', object }))
}

function vulnerability(cve: string, created: string, markings: string[]): StixObject {
  return compactStixObject({
    type: 'vulnerability',
    spec_version: '2.1',
    id: deterministicId('vulnerability', cve),
    created,
    modified: created,
    name: cve,
    external_references: /^CVE-\d{4}-\d+$/.test(cve) ? [{ source_name: 'cve', external_id: cve }] : undefined,
    object_marking_refs: markings,
  })
}

/**
 * A MISP event → its attributes' objects, then a report referring to all of them. An event none of whose
 * attributes converts yields only rejections (a report needs at least one object_ref).
 */
export function eventToItems(event: MispEvent, config: MispConfig): FeedItem[] {
  const eventCreated = epochToTimestamp(event.timestamp, new Date().toISOString())
  const { labels, markings } = splitTags(event.Tag)
  const ctx: Context = { event, config, eventMarkings: markings, eventCreated }
  const attributes: Array<[MispAttribute, string | undefined]> = [
    ...(event.Attribute ?? []).map((a): [MispAttribute, undefined] => [a, undefined]),
    ...(event.Object ?? []).flatMap((o) => (o.Attribute ?? []).map((a): [MispAttribute, string] => [a, o.name])),
  ]
  const items: FeedItem[] = []
  const seen = new Set<string>()
  for (const [attr, objectName] of attributes) {
    for (const item of attributeToItems(attr, objectName, ctx)) {
      if (item.kind === 'object') {
        if (seen.has(item.object.id)) continue
        seen.add(item.object.id)
      }
      items.push(item)
    }
  }
  if (seen.size === 0) return items
  const published = /^\d{4}-\d{2}-\d{2}$/.test(event.date) ? `${event.date}T00:00:00.000Z` : eventCreated
  const report = compactStixObject({
    type: 'report',
    spec_version: '2.1',
    id: idFromUuid('report', event.uuid),
    created: eventCreated,
    modified: eventCreated,
    name: event.info,
    description: event.Orgc?.name ? `MISP event published by ${event.Orgc.name}` : undefined,
    report_types: ['threat-report'],
    published,
    object_refs: [...seen],
    labels,
    object_marking_refs: markings,
    external_references: [{ source_name: 'misp', external_id: event.uuid }],
  })
  items.push({ kind: 'object', object: report })
  return items
}
