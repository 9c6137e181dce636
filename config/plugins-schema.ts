import { Type, type Static } from '@sinclair/typebox'

const PluginRef = Type.Object(
  {
    /** A built-in (`builtin:csv` is not needed: built-ins are found by kind and id), an npm package name or a path. */
    from: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'npm package name or path (relative to the plugins file) of a third-party plugin',
      }),
    ),
    kind: Type.Optional(Type.String()),
    id: Type.Optional(Type.String()),
    enabled: Type.Optional(Type.Boolean({ default: true })),
    config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
)

/** Shape of config/plugins.json: which plugins load and their configuration. */
export const PluginsFileSchema = Type.Object(
  {
    plugins: Type.Array(PluginRef),
    defaults: Type.Optional(
      Type.Object(
        {
          'anonymization-strategy': Type.Optional(Type.String()),
          'auth-strategies': Type.Optional(Type.Array(Type.String())),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)

export type PluginsFile = Static<typeof PluginsFileSchema>
