import { findInputIssue } from '../stix/input-limits.js'
import { errorMessage } from '../infra/errors.js'
import type { TSchema } from '@sinclair/typebox'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import type { FeedSourceFactory } from '../registry/registry.js'
import type { FeedAccess } from '../registry/plugin-context.js'

export interface ConfigProblem {
  path: string
  message: string
}

// ajv-formats is CommonJS: its plugin is the module and, for ESM callers, also its `default` property.
const ajv = addFormats.default(new Ajv({ allErrors: true, useDefaults: true, strict: false }))
const compiled = new WeakMap<TSchema, ValidateFunction>()

/**
 * Validates a feed's config against its plugin's schema (defaults applied), reporting EVERY problem with its
 * JSON path, then lets the plugin's `create()` refuse what a schema cannot say (its message under path `/`).
 */
export async function validateFeedConfig(
  factory: FeedSourceFactory,
  raw: unknown,
  access: FeedAccess,
): Promise<{ config: unknown; problems: ConfigProblem[] }> {
  let validate = compiled.get(factory.configSchema)
  if (!validate) {
    validate = ajv.compile(factory.configSchema)
    compiled.set(factory.configSchema, validate)
  }
  // A hostile config (thousands of levels, NUL) must be refused before structuredClone recurses into it.
  const issue = findInputIssue(raw ?? {})
  if (issue) return { config: {}, problems: [{ path: issue.path || '/', message: issue.message }] }
  const config = structuredClone(raw ?? {})
  if (!validate(config)) {
    const problems = (validate.errors ?? []).map((e) => ({
      path:
        e.keyword === 'required' || e.keyword === 'additionalProperties'
          ? `${e.instancePath}/${String(e.params.missingProperty ?? e.params.additionalProperty)}`
          : e.instancePath || '/',
      message: e.message ?? 'is invalid',
    }))
    return { config, problems }
  }
  try {
    await factory.create(config, access)
  } catch (err) {
    return { config, problems: [{ path: '/', message: errorMessage(err) }] }
  }
  return { config, problems: [] }
}
