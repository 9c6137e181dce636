import type { TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/**
 * Applies the schema's defaults to a plugin's config and validates it. Problems read like
 * `exporter:csv: /delimiter: must be string`.
 */
export function validatePluginConfig(
  label: string,
  schema: TSchema,
  raw: unknown,
): { config: unknown; problems: string[] } {
  const config = Value.Default(schema, Value.Clone(raw ?? {}))
  const problems = [...Value.Errors(schema, config)].map((e) => `${label}: ${e.path || '/'}: ${lowerFirst(e.message)}`)
  return { config, problems }
}

function lowerFirst(message: string): string {
  return message.charAt(0).toLowerCase() + message.slice(1)
}
