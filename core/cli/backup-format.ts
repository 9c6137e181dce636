import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { errorMessage } from '../infra/errors.js'

/**
 * A CRISP backup is a gzipped text file of tagged lines, written inside one REPEATABLE READ snapshot:
 *   `H {header}`                  format, version, server, migrations, pg-boss schema version
 *   `T {schema,table,columns}`    a table; its rows follow
 *   `R <row_to_json text>`        one row (`Q <JSON string>` when the row text holds a line break)
 *   `S {schema,name,value}`       a sequence position
 *   `E {tables:{…}}`              the end, with rows per table
 * Beside it, `FILE.manifest.json` repeats the header and counts and adds the file's SHA-256 and size, so a
 * restore checks the file before it touches a database.
 */
export const BACKUP_FORMAT = 'crisp-backup'
export const BACKUP_VERSION = 1

// What the lines and the manifest hold, as schemas: a file is read back through `Value.Check`, so a damaged or
// foreign file is refused by name instead of being trusted.
const RowCounts = Type.Record(Type.String(), Type.Number(), { description: 'rows per table, `schema.table`' })

const BackupHeader = Type.Object({
  format: Type.Literal(BACKUP_FORMAT),
  version: Type.Number(),
  createdAt: Type.String(),
  /** The server's version. Optional: backups written before it was read correctly lack it, and still restore. */
  server: Type.Optional(Type.String()),
  database: Type.String(),
  /** knex migrations applied, in order: the schema the rows belong to. */
  migrations: Type.Array(Type.String()),
  /** pg-boss's schema version (`pgboss.version`); null when the database had no pg-boss schema. */
  pgbossVersion: Type.Union([Type.Number(), Type.Null()]),
})
export type BackupHeader = Static<typeof BackupHeader>

const BackupManifest = Type.Composite([
  BackupHeader,
  Type.Object({ tables: RowCounts, sha256: Type.String(), bytes: Type.Number() }),
])
export type BackupManifest = Static<typeof BackupManifest>

const TableHeader = Type.Object({ schema: Type.String(), table: Type.String(), columns: Type.Array(Type.String()) })
export type TableHeader = Static<typeof TableHeader>

const QuotedRow = Type.String()
const SequenceLine = Type.Object({ schema: Type.String(), name: Type.String(), value: Type.String() })
const EndLine = Type.Object({ tables: RowCounts })

/** The JSON of one line or file, checked against its schema. */
function parseAs<T extends TSchema>(schema: T, text: string, what: string): Static<T> {
  const value: unknown = JSON.parse(text)
  if (!Value.Check(schema, value)) {
    const first = Value.Errors(schema, value).First()
    throw new Error(`malformed ${what}${first ? ` (${first.path || '/'}: ${first.message})` : ''}`)
  }
  return value
}

export const manifestPath = (file: string) => `${file}.manifest.json`
export const qualified = (schema: string, table: string) => `${schema}.${table}`
export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`

export type BackupLine =
  | { kind: 'H'; header: BackupHeader }
  | { kind: 'T'; table: TableHeader }
  | { kind: 'R'; row: string }
  | { kind: 'S'; sequence: Static<typeof SequenceLine> }
  | { kind: 'E'; tables: Record<string, number> }

export function rowLine(row: string): string {
  return /[\r\n]/.test(row) ? `Q ${JSON.stringify(row)}\n` : `R ${row}\n`
}

/** The lines of a backup file, parsed; throws on anything that is not a complete, well-formed backup. */
export async function* readBackup(file: string): AsyncGenerator<BackupLine> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity })
  let ended = false
  for await (const line of lines) {
    if (ended) throw new Error('data after the end marker')
    const tag = line.slice(0, 2)
    const body = line.slice(2)
    if (tag === 'R ') yield { kind: 'R', row: body }
    else if (tag === 'Q ') yield { kind: 'R', row: parseAs(QuotedRow, body, 'row line') }
    else if (tag === 'T ') yield { kind: 'T', table: parseAs(TableHeader, body, 'table line') }
    else if (tag === 'S ') yield { kind: 'S', sequence: parseAs(SequenceLine, body, 'sequence line') }
    else if (tag === 'H ') yield { kind: 'H', header: parseAs(BackupHeader, body, 'header line') }
    else if (tag === 'E ') {
      ended = true
      yield { kind: 'E', tables: parseAs(EndLine, body, 'end line').tables }
    } else throw new Error(`unexpected line starting "${line.slice(0, 16)}"`)
  }
  if (!ended) throw new Error('the end marker is missing (truncated file)')
}

export async function sha256OfFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of createReadStream(file)) {
    // A stream opened without an encoding yields Buffers.
    if (!Buffer.isBuffer(chunk)) throw new Error(`${file}: read text where bytes were expected`)
    hash.update(chunk)
    bytes += chunk.length
  }
  return { sha256: hash.digest('hex'), bytes }
}

/**
 * Checks a backup before anything is restored from it: the manifest exists, the file's size and SHA-256 match
 * it, and a full read finds every table's rows as counted. Throws an Error whose message says what is wrong.
 */
export async function verifyBackup(file: string): Promise<BackupManifest> {
  let text: string
  try {
    text = await readFile(manifestPath(file), 'utf8')
  } catch (err) {
    throw new Error(`cannot read the manifest ${manifestPath(file)}: ${errorMessage(err)}`, { cause: err })
  }
  const notManifest = `${manifestPath(file)} is not a CRISP backup manifest (version ${BACKUP_VERSION})`
  let manifest: BackupManifest
  try {
    manifest = parseAs(BackupManifest, text, 'manifest')
  } catch (err) {
    throw new Error(`${notManifest}: ${errorMessage(err)}`, { cause: err })
  }
  if (manifest.version !== BACKUP_VERSION) throw new Error(notManifest)
  const actual = await sha256OfFile(file).catch((err: Error) => {
    throw new Error(`cannot read ${file}: ${err.message}`)
  })
  if (actual.bytes !== manifest.bytes || actual.sha256 !== manifest.sha256) {
    throw new Error(
      `${file} is damaged or truncated: ${actual.bytes} bytes, SHA-256 ${actual.sha256}; the manifest says ${manifest.bytes} bytes, ${manifest.sha256}`,
    )
  }
  const counted: Record<string, number> = {}
  let current = ''
  try {
    for await (const line of readBackup(file)) {
      if (line.kind === 'T') counted[(current = qualified(line.table.schema, line.table.table))] = 0
      else if (line.kind === 'R') counted[current] += 1
    }
  } catch (err) {
    throw new Error(`${file} cannot be read as a CRISP backup: ${errorMessage(err)}`, { cause: err })
  }
  for (const [table, rows] of Object.entries(manifest.tables)) {
    if (counted[table] !== rows)
      throw new Error(`${file}: ${table} holds ${counted[table] ?? 0} rows, the manifest says ${rows}`)
  }
  return manifest
}
