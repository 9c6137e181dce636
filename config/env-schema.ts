import { Type, type Static } from '@sinclair/typebox'

/** `secret: true` marks a variable that is never logged and may be given as `<NAME>_FILE` (config/secret-files.ts). */
const Secret = (description: string) => Type.Optional(Type.String({ minLength: 32, description, secret: true }))
const Int = (description: string, def: number, minimum = 1, maximum = 2 ** 31 - 1) =>
  Type.Integer({ description, default: def, minimum, maximum })

/**
 * Every environment variable CRISP reads. This is the only place `process.env` is interpreted;
 * `loadConfig` validates it all at once and names each bad variable.
 */
export const EnvSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], {
    default: 'development',
    description: 'development generates missing secrets under CRISP_DATA_DIR; production requires them',
  }),
  PORT: Int('TCP port the HTTP server listens on', 3000, 0, 65535),
  HOST: Type.String({ default: '127.0.0.1', minLength: 1, description: 'Interface to listen on' }),
  PUBLIC_URL: Type.Optional(
    Type.String({
      format: 'uri',
      pattern: '^https?://',
      description: 'Absolute URL clients reach CRISP at; TAXII api_roots are built from it',
    }),
  ),
  DATABASE_URL: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://',
      description: 'PostgreSQL URL; without it an embedded PostgreSQL is started',
      secret: true,
    }),
  ),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info', description: 'pino log level' },
  ),
  CRISP_DATA_DIR: Type.String({
    default: '.data',
    minLength: 1,
    description: 'Folder for the embedded database, generated dev secrets and export files',
  }),
  CRISP_EMBEDDED_PG_PORT: Int('Port of the embedded PostgreSQL', 54329, 1024, 65535),
  CRISP_HEAP_GROWTH_PERCENT: Int(
    'How much the JavaScript heap may grow past what survived its last full collection, in % (0 = V8 decides, up to 300 %)',
    75,
    0,
    1000,
  ),
  CRISP_DB_POOL_MAX: Int(
    'Most database connections one process opens for requests and services (pg-boss keeps its own few)',
    10,
    1,
    1000,
  ),
  CRISP_AUDIT_RETENTION_DAYS: Int(
    'Audit entries older than this many days are archived to a file, then deleted; 0 = keep forever',
    0,
    0,
    36500,
  ),
  CRISP_AUDIT_ARCHIVE_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'Folder of the audit archive files (NDJSON, gzip); default CRISP_DATA_DIR/audit-archive',
    }),
  ),
  CRISP_JWT_SECRET: Secret('HMAC secret signing access tokens (≥ 32 chars)'),
  CRISP_ANONYMIZATION_KEY: Secret('HMAC-SHA256 key for anonymization pseudonyms (≥ 32 chars)'),
  CRISP_ADMIN_SESSION_SECRET: Secret('Secret signing admin console session cookies (≥ 32 chars)'),
  CRISP_JWT_SECRET_PREVIOUS: Secret(
    'Rotation: the former CRISP_JWT_SECRET, still accepted for tokens it signed (never signs); drop it after CRISP_ACCESS_TOKEN_TTL',
  ),
  CRISP_SECRETS_KEY: Secret(
    'Key encrypting feed secrets at rest (AES-256-GCM): 32 bytes as base64/hex, or any ≥ 32-char string (HKDF-derived)',
  ),
  CRISP_SECRETS_KEY_PREVIOUS: Secret(
    'Rotation: the former CRISP_SECRETS_KEY, still decrypts what it sealed until `crisp secrets rotate` re-seals it',
  ),
  CRISP_DOWNLOAD_LINK_SECRET: Secret('HMAC secret signing export download links (≥ 32 chars, not the JWT secret)'),
  CRISP_METRICS_PORT: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 65535,
      description:
        'Port on HOST where a worker-only process (`crisp worker`) serves GET /metrics; API processes serve it on PORT',
    }),
  ),
  CRISP_METRICS_TOKEN: Secret(
    'Bearer token a Prometheus server may scrape /metrics with (≥ 32 chars); unset = platform admins only',
  ),
  CRISP_ACCESS_TOKEN_TTL: Int('Access token lifetime in seconds (tests use 1 to see expiry)', 900, 1),
  CRISP_REFRESH_TOKEN_TTL: Int('Refresh token lifetime in seconds', 7 * 24 * 3600, 60),
  CRISP_RATE_LIMIT_AUTHENTICATED: Int('Requests per minute per authenticated principal', 100),
  CRISP_RATE_LIMIT_ANONYMOUS: Int('Requests per minute per anonymous IP', 20),
  CRISP_BODY_LIMIT: Int('Largest accepted request body in bytes', 10 * 1024 * 1024, 1024),
  CRISP_CORS_ORIGINS: Type.String({
    default: '',
    description: 'Comma-separated allowed CORS origins; empty = CORS off',
  }),
  CRISP_API_DOCS: Type.Union([Type.Literal('public'), Type.Literal('authenticated'), Type.Literal('off')], {
    default: 'public',
    description:
      'Swagger UI and the OpenAPI document at /docs: open to anyone, only to signed-in users (Bearer or Basic), or not served',
  }),
  CRISP_PLUGINS_FILE: Type.String({
    default: 'config/plugins.json',
    description: 'JSON file naming enabled plugins and their config',
  }),
  CRISP_FEED_RUN_TIMEOUT: Int(
    'Longest a feed run may take, in seconds; a run whose worker died is retried after it',
    3600,
    1,
  ),
  CRISP_FEED_RETRY_DELAY: Int(
    'First retry delay of a feed run whose source was unavailable, in seconds (doubles each retry)',
    30,
    0,
  ),
  CRISP_FEED_LEASE: Int(
    'How long a running feed run stays owned without its worker renewing it, in seconds (renewed every third of it); a run whose worker died is taken over by another worker within about 1.5 times this',
    60,
    3,
    3600,
  ),
  CRISP_FEED_BATCH_SIZE: Int('Objects stored per transaction during a feed run', 1000, 1, 100000),
  CRISP_FEED_ALLOW_PRIVATE: Type.String({
    default: '',
    description:
      'Comma-separated CIDR ranges plugins may reach although private, loopback, link-local… (on-premises feeds, local test servers); empty = none',
  }),
  CRISP_FEED_FILES_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'The one folder local-file feeds may read (set up by platform admins only); unset = file feeds disabled',
    }),
  ),
  CRISP_DEMO: Type.Union([Type.Literal('0'), Type.Literal('1')], {
    default: '0',
    description:
      '1 loads the demo data at start, as `crisp demo` does (idempotent); never on a platform others can reach',
  }),
  CRISP_TRUST_PROXY: Type.String({
    default: '',
    description:
      'Reverse proxies whose X-Forwarded-For/-Proto/-Host are believed: a hop count, or comma-separated IPs/CIDRs (also loopback, linklocal, uniquelocal); empty = none',
  }),
  CRISP_TLS_CERT: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'PEM certificate (chain) file; with CRISP_TLS_KEY the server speaks https itself',
    }),
  ),
  CRISP_TLS_KEY: Type.Optional(Type.String({ minLength: 1, description: 'PEM private key file of CRISP_TLS_CERT' })),
  CRISP_HTTP_REDIRECT_PORT: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 65535,
      description: 'With TLS: a plain-HTTP port on HOST that answers every request with a 301 to PUBLIC_URL',
    }),
  ),
  CRISP_ALLOWED_HOSTS: Type.String({
    default: '',
    description:
      'Comma-separated host names (optionally host:port) requests may address; others get 421. Empty = any. /healthz and /readyz are exempt',
  }),
  CRISP_ADMIN_PATH: Type.String({
    default: '/admin',
    description: 'Where the admin console is mounted: one or more path segments, e.g. /console',
  }),
  CRISP_ADMIN_EMAIL: Type.Optional(
    Type.String({ format: 'email', description: 'First admin created at start when no admin exists' }),
  ),
  CRISP_ADMIN_PASSWORD: Type.Optional(
    Type.String({
      minLength: 12,
      description: 'Password of that first admin; generated and printed once when unset',
      secret: true,
    }),
  ),
})

export type Env = Static<typeof EnvSchema>
