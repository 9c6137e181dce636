import { Type } from '@sinclair/typebox'

// Response shapes for validation-free documentation: handlers send pre-serialized TAXII JSON.

export const ErrorSchema = Type.Object({
  title: Type.String(),
  description: Type.Optional(Type.String()),
  error_code: Type.Optional(Type.String()),
  http_status: Type.Optional(Type.String()),
})

export const DiscoverySchema = Type.Object({
  title: Type.String(),
  description: Type.Optional(Type.String()),
  default: Type.Optional(Type.String()),
  api_roots: Type.Optional(Type.Array(Type.String())),
})

export const ApiRootSchema = Type.Object({
  title: Type.String(),
  description: Type.Optional(Type.String()),
  versions: Type.Array(Type.String()),
  max_content_length: Type.Integer(),
})

export const CollectionSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.Optional(Type.String()),
  alias: Type.Optional(Type.String()),
  can_read: Type.Boolean(),
  can_write: Type.Boolean(),
  media_types: Type.Optional(Type.Array(Type.String())),
})

export const CollectionsSchema = Type.Object({ collections: Type.Optional(Type.Array(CollectionSchema)) })

export const EnvelopeSchema = Type.Object({
  more: Type.Optional(Type.Boolean()),
  next: Type.Optional(Type.String()),
  objects: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
})

export const ManifestSchema = Type.Object({
  more: Type.Optional(Type.Boolean()),
  next: Type.Optional(Type.String()),
  objects: Type.Optional(
    Type.Array(
      Type.Object({ id: Type.String(), date_added: Type.String(), version: Type.String(), media_type: Type.String() }),
    ),
  ),
})

export const VersionsSchema = Type.Object({
  more: Type.Optional(Type.Boolean()),
  next: Type.Optional(Type.String()),
  versions: Type.Optional(Type.Array(Type.String())),
})

export const CollectionParams = Type.Object({ collectionId: Type.String() })
export const ObjectParams = Type.Object({ collectionId: Type.String(), objectId: Type.String() })

/** Query parameters are parsed by params.ts (they contain brackets); declared here for the document. */
export const FilterQuery = Type.Object(
  {
    added_after: Type.Optional(Type.String()),
    limit: Type.Optional(Type.String()),
    next: Type.Optional(Type.String()),
    'match[id]': Type.Optional(Type.String()),
    'match[type]': Type.Optional(Type.String()),
    'match[version]': Type.Optional(Type.String()),
    'match[spec_version]': Type.Optional(Type.String()),
  },
  { additionalProperties: true },
)
