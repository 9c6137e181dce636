import { getDefaultValidator } from '../stix/validator.js'
import { toMicrosecondTimestamp } from '../stix/timestamps.js'
import { TLP_MARKING_IDS, tlpFromMarkings, type Tlp } from './tlp.js'

/** Version of objects that carry no `modified` nor `created` (SCOs): one fixed key per object. */
export const UNVERSIONED = '1970-01-01T00:00:00.000000Z'

/** One validated object, shaped as a `stix_objects` row. */
export interface PreparedObject {
  index: number
  id: string
  /** `modified`, else `created`, else {@link UNVERSIONED}; microsecond form. */
  version: string
  type: string
  specVersion: string
  tlp: Tlp | null
  revoked: boolean
  labels: string[]
  created: string | null
  name: string | null
  /** The document as stored: the object as given, plus the default TLP marking when it had none. */
  document: Record<string, unknown>
}

export type Preparation = { ok: true; object: PreparedObject } | { ok: false; index: number; id?: string; message: string }

/** Validates one object (OASIS schema + pattern grammar) and derives its row; messages name the id and the path. */
export function prepareObject(input: unknown, index: number, defaultTlp?: Tlp): Preparation {
  const id = typeof (input as { id?: unknown })?.id === 'string' ? ((input as { id: string }).id) : undefined
  const result = getDefaultValidator().validate(input)
  if (!result.ok) {
    const what = id ?? `object ${index}`
    return { ok: false, index, id, message: result.errors.map((e) => `${what}: ${e.path || '/'}: ${e.message}`).join('; ') }
  }
  const obj = input as Record<string, unknown>
  if (obj.type === 'bundle') return { ok: false, index, id, message: `${id}: /type: a bundle is not a STIX object` }
  let document = obj
  let tlp = tlpFromMarkings(obj.object_marking_refs)
  if (!tlp && defaultTlp && obj.type !== 'marking-definition') {
    const refs = Array.isArray(obj.object_marking_refs) ? obj.object_marking_refs : []
    document = { ...obj, object_marking_refs: [...refs, TLP_MARKING_IDS[defaultTlp]] }
    tlp = defaultTlp
  }
  const stamp = (obj.modified ?? obj.created) as string | undefined
  return {
    ok: true,
    object: {
      index,
      id: id as string,
      version: stamp ? toMicrosecondTimestamp(stamp) : UNVERSIONED,
      type: obj.type as string,
      specVersion: typeof obj.spec_version === 'string' ? obj.spec_version : '2.1',
      tlp,
      revoked: obj.revoked === true,
      labels: Array.isArray(obj.labels) ? obj.labels.filter((l): l is string => typeof l === 'string') : [],
      created: typeof obj.created === 'string' ? toMicrosecondTimestamp(obj.created) : null,
      name: typeof obj.name === 'string' ? obj.name : null,
      document,
    },
  }
}
