/**
 * The machine's own limits, measured in the same run as the figure they bound (issue 18), so that a figure is
 * read as a ratio on a machine whose load changes from one minute to the next:
 * - writing: PostgreSQL `COPY … FROM STDIN` of the rows an ingestion writes (object versions and collection
 *   memberships) into staging tables with the same columns, defaults and indexes, in one transaction;
 * - reading: keyset pages of stored documents as text (`SELECT document::text … WHERE pk > $1 ORDER BY pk
 *   LIMIT 1000`) on one connection, what every TAXII page and export page must at least cost.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import type { StixObject } from '../core/stix/types.js'
import { benchIndicator } from './bundle.js'

/** COPY's text format: backslash, tab, newline and carriage return escaped; `\N` is NULL. */
const copyText = (v: string | null) =>
  v === null
    ? '\\N'
    : v.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] ?? c)
const arrayLiteral = (items: readonly string[]) => `{${items.map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`).join(',')}}`
const stringField = (o: StixObject, key: string): string | null => {
  const v = o[key]
  return typeof v === 'string' ? v : null
}
const labelsOf = (o: StixObject): string[] =>
  Array.isArray(o.labels) ? o.labels.filter((l): l is string => typeof l === 'string') : []

/** One `stix_objects` row in COPY text form, with the columns the store writes. */
function objectLine(o: StixObject, producerOrg: string, tlp: string | null): string {
  const text = JSON.stringify(o)
  const hash = createHash('sha256').update(text).digest('hex')
  return [
    o.id,
    stringField(o, 'modified') ?? '1970-01-01T00:00:00Z',
    o.type,
    stringField(o, 'spec_version') ?? '2.1',
    producerOrg,
    tlp,
    arrayLiteral(labelsOf(o)),
    stringField(o, 'created'),
    stringField(o, 'name'),
    text,
    hash,
  ]
    .map(copyText)
    .join('\t')
}

async function* chunked(lines: Iterable<string>): AsyncGenerator<string> {
  let chunk: string[] = []
  for (const line of lines) {
    chunk.push(line)
    if (chunk.length === 1000) {
      yield chunk.join('\n') + '\n'
      chunk = []
    }
  }
  if (chunk.length) yield chunk.join('\n') + '\n'
}

async function copyInto(client: pg.Client, sql: string, lines: Iterable<string>): Promise<void> {
  await pipeline(Readable.from(chunked(lines)), client.query(copyFrom(sql)))
}

/** The rows a `COPY` limit writes: those of the generated indicators `benchIndicator(i, descriptionChars)`, i < count. */
interface CopyJob {
  count: number
  /** See `benchIndicator` (bench/bundle.ts). */
  descriptionChars: number
  producerOrg: string
  collectionId: string
  tlp: string | null
}

const JOB_VARIABLE = 'BENCH_COPY_LIMIT_JOB'
const RESULT_PREFIX = 'COPY_LIMIT '

/**
 * Objects/s of `COPY` writing the job's objects (as the ingestion under test receives them) and their
 * memberships of `collectionId`, in one transaction, into staging tables shaped like `stix_objects` and
 * `collection_objects` (columns, defaults, indexes; no foreign keys). The staging tables are dropped after.
 * Measured by a child process: the rows it builds would otherwise grow the heap of the process whose peak RSS
 * the ingestion figure reports (as the page-read limit of bench/export.ts is measured by the parent).
 */
export async function copyLimit(databaseUrl: string, job: CopyJob): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, [JOB_VARIABLE]: JSON.stringify({ databaseUrl, job }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text))
  // 'close', not 'exit': the child's output is complete only once its stdout has closed
  const code = await new Promise((resolve) => child.once('close', resolve))
  const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX))
  if (code !== 0 || !line) throw new Error(`the COPY limit's process exited with ${code}: ${out}`)
  return Number(line.slice(RESULT_PREFIX.length))
}

async function measureCopy(databaseUrl: string, options: CopyJob): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query(`DROP TABLE IF EXISTS bench_copy_objects, bench_copy_members;
      CREATE TABLE bench_copy_objects (LIKE stix_objects INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
      CREATE TABLE bench_copy_members (LIKE collection_objects INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`)
    const { count, descriptionChars, producerOrg, collectionId, tlp } = options
    const objects = function* () {
      for (let i = 0; i < count; i++) yield objectLine(benchIndicator(i, descriptionChars), producerOrg, tlp)
    }
    const members = function* () {
      for (let i = 1; i <= count; i++) yield `${collectionId}\t${i}`
    }
    const start = performance.now()
    await client.query('BEGIN')
    await copyInto(
      client,
      'COPY bench_copy_objects (stix_id, version, type, spec_version, producer_org_id, tlp, labels, created, name, document, content_hash) FROM STDIN',
      objects(),
    )
    await copyInto(client, 'COPY bench_copy_members (collection_id, object_pk) FROM STDIN', members())
    await client.query('COMMIT')
    return count / ((performance.now() - start) / 1000)
  } finally {
    await client.query('DROP TABLE IF EXISTS bench_copy_objects, bench_copy_members').catch(() => undefined)
    await client.end()
  }
}

/** Fewest objects a page read measures: below that, one slow page (a loaded machine) would decide the limit. */
const MIN_PAGE_READ = 50_000

/**
 * Objects/s of reading `objects` (at least 50,000) stored documents as text in keyset pages of 1000 on one
 * connection, from the lowest `pk` on (starting over when the table ends first).
 */
export async function pageReadLimit(databaseUrl: string, objects: number): Promise<number> {
  const target = Math.max(objects, MIN_PAGE_READ)
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    let read = 0
    let after = '0'
    const start = performance.now()
    while (read < target) {
      const { rows } = await client.query<{ pk: string; d: string }>({
        name: 'bench-page-read',
        text: 'SELECT pk, document::text AS d FROM stix_objects WHERE pk > $1 ORDER BY pk LIMIT 1000',
        values: [after],
      })
      if (rows.length === 0) {
        if (after === '0') throw new Error('pageReadLimit: no stored objects to read')
        after = '0'
        continue
      }
      read += rows.length
      after = rows[rows.length - 1].pk
    }
    return read / ((performance.now() - start) / 1000)
  } finally {
    await client.end()
  }
}

// The child process of `copyLimit`.
const job = process.env[JOB_VARIABLE]
if (job !== undefined && process.argv[1] === fileURLToPath(import.meta.url)) {
  const { databaseUrl, job: copy } = JSON.parse(job)
  measureCopy(databaseUrl, copy).then(
    (perS) => console.log(`${RESULT_PREFIX}${perS}`),
    (err: unknown) => {
      console.error(err)
      process.exitCode = 1
    },
  )
}
