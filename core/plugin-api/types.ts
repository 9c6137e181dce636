import type { Static, TSchema } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import type { HttpClient } from './http.js'
import type { LocalFiles } from './local-files.js'
import type { StixObject } from '../stix/types.js'

/** The contract version this core implements. A plugin declaring another version is refused at boot. */
export const PLUGIN_API_VERSION = 1 as const

/** The four kinds of plugin the registry knows. */
export const PLUGIN_KINDS = ['feed-source', 'anonymization-strategy', 'auth-strategy', 'exporter'] as const

/** One of {@link PLUGIN_KINDS}. */
export type PluginKind = (typeof PLUGIN_KINDS)[number]

/** Plugin ids are kebab-case: lowercase letters and digits separated by single dashes. */
export const PLUGIN_ID_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/

/** A STIX 2.1 object as it travels between the core and plugins: the STIX module's one definition. */
export type { StixObject } from '../stix/types.js'

/** The minimal structured logger handed to plugins (a pino child logger in practice). */
export interface PluginLogger {
  debug(obj: object | string, msg?: string): void
  info(obj: object | string, msg?: string): void
  warn(obj: object | string, msg?: string): void
  error(obj: object | string, msg?: string): void
}

/** What every plugin receives from the core when it is created. */
export interface PluginContext<C> {
  /** The plugin's configuration, validated against its `configSchema` with defaults applied. */
  config: Readonly<C>
  /** A logger bound to this plugin (`kind:id`). Secrets must never be logged. */
  log: PluginLogger
  /** Platform secrets a plugin may need, e.g. the anonymization key. Never log them. */
  secrets: Readonly<{ anonymizationKey: string }>
  /**
   * Narrow services the core lends to plugins. Auth strategies use `services.identity` to check credentials
   * against the platform's users, sessions and keys without touching the database themselves.
   */
  services: Readonly<PluginServices>
  /**
   * The platform's outbound HTTP client: every request a plugin makes goes through it, never through `fetch`
   * or `node:http` of its own. It enforces the egress policy (no loopback, private, link-local, multicast or
   * metadata address unless an admin allow-listed it), on every address connected and every redirect.
   */
  http: HttpClient
  /**
   * Local files for feed sources: only inside the platform's feed files folder, and only for feeds a platform
   * admin sets up. Other kinds get one that refuses.
   */
  files: LocalFiles
}

/** What the core lends to plugins through {@link PluginContext.services}. */
export interface PluginServices {
  identity: IdentityServices
}

/**
 * Credential checks the core performs for auth strategies. Each returns the {@link Principal} when the
 * credential is valid, or `null` when it is not in the shape this check understands ("not mine"), and throws
 * {@link AuthenticationFailedError} when it was presented but is wrong, expired or revoked. Every check reads
 * the user's current state (active, token version, role), so revocations take effect on the next request.
 */
export interface IdentityServices {
  /** Verifies a JWT access token issued by `POST /api/v1/auth/login` or `/refresh`. */
  verifyAccessToken(token: string): Promise<Principal | null>
  /**
   * Verifies an email and password (HTTP Basic). Failed attempts count towards the login limits of `ip` and of
   * the account, and are audited.
   */
  verifyPassword(input: { email: string; password: string; ip: string }): Promise<Principal | null>
  /** Verifies an API key (`crisp_<prefix>_<secret>`); `null` when the string is not shaped like one. */
  verifyApiKey(key: string): Promise<Principal | null>
}

/** Fields shared by every plugin definition. */
export interface PluginDefinitionBase<K extends PluginKind, S extends TSchema, Impl> {
  kind: K
  /** kebab-case, unique within its kind: `taxii21`, `trust-levels`. */
  id: string
  /** Must equal {@link PLUGIN_API_VERSION}. */
  apiVersion: number
  /** Semantic version of the plugin itself. */
  version: string
  /** One line shown by `crisp plugins list` and `GET /api/v1/plugins`. */
  description: string
  /** TypeBox schema of the plugin's configuration; every property has a description and, where sensible, a default. */
  configSchema: S
  /** Builds the plugin's implementation. Called once at boot, after the configuration validated. */
  create(ctx: PluginContext<Static<S>>): Impl | Promise<Impl>
}

// ---- feed-source ------------------------------------------------------------------------------

/** Live information about one feed run, handed to `FeedSource.pull`. */
export interface FeedRun {
  /** The feed's id in the platform. */
  feedId: string
  /** The checkpoint stored by the last successful batch, or null on the first run. */
  checkpoint: string | null
  /** Aborted when the run is cancelled, times out or the worker shuts down. */
  signal: AbortSignal
}

/**
 * What a feed source yields: STIX objects, and checkpoints. A checkpoint marks that every object yielded
 * before it is covered; the core stores it in the same transaction as those objects. Optionally, a
 * {@link FeedTotal} says how many items to expect, so the run can show its progress.
 */
export type FeedItem =
  FeedObject | FeedObjectText | { kind: 'checkpoint'; checkpoint: string } | FeedRejection | FeedTotal

/** One STIX object a source read. */
export interface FeedObject {
  kind: 'object'
  object: StixObject
}

/** An item of the source's data that is not a STIX object: recorded on the run as a rejected item. */
export interface FeedRejection {
  kind: 'rejected'
  reason: string
  /** Where the item was in the source's data (`objects[3]`, `line 12`). */
  ref?: string
}

/**
 * Optional: one STIX object as the exact JSON text the source cut out of what the remote sent, for a source
 * that holds it so (a bundle's entry). The core then recognises an object it already stores byte for byte from
 * this text and calls `parse` only when it does not: on a re-fetch of unchanged data, most entries are never
 * parsed at all. `parse` gives what the source would have yielded for the text — the {@link FeedObject} (whose
 * object is `JSON.parse(text)`), or a {@link FeedRejection} — and may throw `SourceDataError` (text that is
 * not JSON) to fail the run as `pull` would. It is called at most once, after later items were pulled. Yield a
 * `FeedObject` instead for an object the source built or changed.
 */
export interface FeedObjectText {
  kind: 'object-text'
  text: string
  parse(): FeedObject | FeedRejection
}

/**
 * Optional: how many items (`object` and `rejected` items together, as the run's `fetched` counts them) this
 * pull will yield in all, for a source that knows it before it is done — a bundle whose entries were counted,
 * an API that answers with a total. Yield it once, as early as known; a later one replaces it. The core stores
 * it on the run (`total`, and `percent` of it fetched) and ignores a value that is not a non-negative integer.
 * Sources that cannot know leave it out: the run's total is then null.
 */
export interface FeedTotal {
  kind: 'total'
  /** Expected number of items in this pull. */
  total: number
}

export interface FeedSource {
  pull(run: FeedRun): AsyncIterable<FeedItem>
}

// ---- anonymization-strategy -------------------------------------------------------------------

/** Anonymization levels, from no change to the strongest rewriting. */
export const ANONYMIZATION_LEVELS = ['none', 'low', 'medium', 'high', 'full'] as const
export type AnonymizationLevel = (typeof ANONYMIZATION_LEVELS)[number]

export interface AnonymizeContext {
  level: AnonymizationLevel
  /** Organization that produced the object. */
  producerOrgId: string
  /** Organization the object is being sent to. */
  recipientOrgId: string
}

export interface AnonymizationStrategy {
  /** Pure and deterministic: returns the rewritten object, or null to withhold it. Never mutates `obj`. */
  anonymize(obj: StixObject, ctx: AnonymizeContext): StixObject | null
  /**
   * Optional. Names everything besides the object that `anonymize`'s output depends on in this context: the
   * level, the strategy's configuration and key, the recipient when pseudonyms are per recipient. Two contexts
   * with the same variant must give the same output for every object. The core then stores each object's
   * output once per variant and serves it again without calling `anonymize` (versions are immutable). Return
   * null, or leave it out, to be called for every object every time. Must not reveal secrets: derive any
   * key-dependent part with a one-way function of the key.
   */
  outputVariant?(ctx: AnonymizeContext): string | null
  /**
   * Optional. Whether `anonymize` may give objects of `type` another id in this context (value-derived SCO ids
   * are, by any strategy that hides values). The core evaluates id look-ups of anonymized readers against the
   * ids they receive, never the stored ones (no guess-and-confirm through an id): for such types it finds the
   * object through its stored output (`outputVariant`). Left out, every type is assumed to be rewritten.
   */
  rewritesIds?(type: string, ctx: AnonymizeContext): boolean
}

// ---- auth-strategy ----------------------------------------------------------------------------

/**
 * The platform's roles, lowest first; each holds what the ones before it hold. `org-admin` manages its own
 * organization (users, API keys, trust relationships, feeds); `admin` is the platform admin, acting everywhere.
 */
export const ROLES = ['viewer', 'publisher', 'org-admin', 'admin'] as const

/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number]

/** Who is calling: resolved by an auth strategy, checked by the core. */
export interface Principal {
  userId: string
  orgId: string
  role: Role
  email: string
  /** Which strategy authenticated the request (`password`, `api-key`, …). */
  via: string
  /** For API keys, the key id: lets the core revoke and rate-limit per key. */
  credentialId?: string
}

export interface AuthStrategy {
  /** Returns the principal, or null when the request does not carry this strategy's credentials. */
  authenticate(req: FastifyRequest): Promise<Principal | null>
}

// ---- exporter ---------------------------------------------------------------------------------

export interface ExportContext {
  recipientOrgId: string
  /**
   * Extra per-request options (query parameters of `GET /api/v1/exports/{format}`, `options` of a job),
   * validated against {@link Exporter.optionsSchema} with its defaults applied; empty without a schema.
   */
  options: Readonly<Record<string, unknown>>
  /**
   * The collection an object was read from (its id or title), when the egress pipeline knows it. Exporters
   * that print a "source collection" column use it; it returns undefined otherwise.
   */
  collectionOf?(object: StixObject): string | undefined
}

export interface Exporter {
  /** URL name of the format: `/api/v1/exports/{format}`. */
  format: string
  mediaType: string
  fileExtension: string
  /**
   * Optional TypeBox object schema of the per-request options (e.g. the blocklist's `kind`). The core validates
   * request options against it, applies its defaults and answers 400 naming the option when they are wrong;
   * unknown request parameters are not passed. Without a schema, `ctx.options` is empty.
   */
  optionsSchema?: TSchema
  /** Streams the export: never hold the whole export in memory. */
  write(objects: AsyncIterable<StixObject>, ctx: ExportContext): AsyncIterable<string | Uint8Array>
  /**
   * Optional, for formats that write each object as JSON unchanged: the same export from each object's JSON text
   * as the egress pipeline released it (the same JSON value, perhaps spaced differently). The core calls it
   * instead of `write` when present, so no object is parsed and serialized again on its way out.
   */
  writeJson?(objects: AsyncIterable<string>, ctx: ExportContext): AsyncIterable<string | Uint8Array>
}

export interface PluginImplementations {
  'feed-source': FeedSource
  'anonymization-strategy': AnonymizationStrategy
  'auth-strategy': AuthStrategy
  exporter: Exporter
}

/** Any plugin definition, of any kind. */
export type AnyPluginDefinition = {
  [K in PluginKind]: PluginDefinitionBase<K, TSchema, PluginImplementations[K]>
}[PluginKind]
