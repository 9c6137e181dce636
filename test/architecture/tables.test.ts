/**
 * core/model/tables.ts says what the migrated schema is: the same tables (public schema, knex's own aside), the
 * same columns, `| null` exactly where a column is nullable, and a TypeScript type that holds what node-postgres
 * returns for the column's type. A migration that adds, drops or changes a column fails here until tables.ts
 * says the same. The checker is shown to catch each kind of drift on modified copies of the source.
 */
import { readFileSync } from 'node:fs'
import t, { type Test } from 'tap'
import { freshDatabase } from '../helper.js'
import { declaredTables, TABLES_FILE, type DeclaredTable, type ValueKind } from './table-declarations.js'

interface SchemaColumn {
  table_name: string
  column_name: string
  data_type: string
  udt_name: string
  is_nullable: 'YES' | 'NO'
}

/** What node-postgres returns for a column type (bigint and numeric as text, timestamps as Date); 'any' for JSON. */
function expectedKind(udt: string, dataType: string): ValueKind | 'any' | undefined {
  if (udt.startsWith('_')) {
    const element = expectedKind(udt.slice(1), '')
    return element === undefined || element === 'any' || element.endsWith('[]')
      ? undefined
      : `${element as 'string' | 'number' | 'boolean' | 'Date'}[]`
  }
  if (['int8', 'numeric', 'uuid', 'text', 'varchar', 'bpchar', 'citext', 'inet', 'cidr'].includes(udt)) return 'string'
  if (['int2', 'int4', 'float4', 'float8'].includes(udt)) return 'number'
  if (['timestamptz', 'timestamp', 'date'].includes(udt)) return 'Date'
  if (udt === 'bool') return 'boolean'
  if (udt === 'jsonb' || udt === 'json') return 'any'
  if (dataType === 'USER-DEFINED') return 'string'
  return undefined
}

/** Every way the declarations differ from the schema, one line each; empty when they agree. */
function differences(declared: DeclaredTable[], schema: SchemaColumn[]): string[] {
  const problems: string[] = []
  const tables = new Map<string, SchemaColumn[]>()
  for (const column of schema) tables.set(column.table_name, [...(tables.get(column.table_name) ?? []), column])
  const declaredNames = new Set(declared.map((d) => d.name))
  for (const name of tables.keys())
    if (!declaredNames.has(name)) problems.push(`${name}: a table of the database, not declared in Tables`)
  for (const table of declared) {
    const columns = tables.get(table.name)
    if (!columns) {
      problems.push(`${table.name}: declared in Tables, not a table of the database`)
      continue
    }
    if (!table.columns.length)
      problems.push(`${table.name}: its row type ${table.row} is not an interface of tables.ts`)
    const byName = new Map(table.columns.map((c) => [c.name, c]))
    for (const column of columns) {
      const where = `${table.name}.${column.column_name}`
      const mine = byName.get(column.column_name)
      if (!mine) {
        problems.push(`${where}: a column of the database, missing from ${table.row}`)
        continue
      }
      const nullable = column.is_nullable === 'YES'
      if (mine.nullable !== nullable)
        problems.push(
          `${where}: ${nullable ? 'nullable in the database, but its type has no `| null`' : 'NOT NULL in the database, but its type has `| null`'} (${mine.text})`,
        )
      if (mine.optional) problems.push(`${where}: optional in ${table.row}, but every row has it`)
      const expected = expectedKind(column.udt_name, column.data_type)
      if (expected === undefined)
        problems.push(`${where}: column type ${column.udt_name} has no rule in this test: add one`)
      else if (expected !== 'any' && mine.kind !== expected)
        problems.push(`${where}: ${column.udt_name} reads as ${expected}, but ${table.row} says ${mine.text}`)
    }
    const inDatabase = new Set(columns.map((c) => c.column_name))
    for (const column of table.columns)
      if (!inDatabase.has(column.name))
        problems.push(`${table.name}.${column.name}: in ${table.row}, not a column of the database`)
  }
  return problems
}

async function migratedSchema(t: Test): Promise<SchemaColumn[]> {
  const { knex } = await freshDatabase(t)
  const { rows } = await knex.raw<{ rows: SchemaColumn[] }>(
    `SELECT table_name, column_name, data_type, udt_name, is_nullable FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name NOT LIKE 'knex\\_%' ORDER BY table_name, ordinal_position`,
  )
  return rows
}

const source = readFileSync(TABLES_FILE, 'utf8')

/** tables.ts with one edit; the edit must apply, or the sub-test would prove nothing. */
function edited(t: Test, from: RegExp, to: string): string {
  t.match(source, from, `the edit ${from} applies to tables.ts`)
  return source.replace(from, to)
}

t.test('core/model/tables.ts matches the migrated schema', async (t) => {
  const schema = await migratedSchema(t)
  t.ok(schema.length > 100, `read the schema (${schema.length} columns)`)
  const declared = declaredTables()
  t.ok(declared.length >= 20, `read the declarations (${declared.length} tables)`)
  // On failure tap prints the diff: one line per table or column that disagrees.
  t.same(differences(declared, schema), [], 'every table and column of tables.ts agrees with the database')

  t.test('a column removed from tables.ts is reported', async (t) => {
    const problems = differences(
      declaredTables(edited(t, /(export interface UserRow \{[^}]*?)\n {2}email: string/, '$1')),
      schema,
    )
    t.same(problems, ['users.email: a column of the database, missing from UserRow'])
  })

  t.test('a column tables.ts declares but the database lacks is reported', async (t) => {
    const problems = differences(
      declaredTables(edited(t, /(export interface ApiKeyRow \{)/, '$1\n  retired_at: Date | null')),
      schema,
    )
    t.same(problems, ['api_keys.retired_at: in ApiKeyRow, not a column of the database'])
  })

  t.test('a nullability that differs is reported, either way', async (t) => {
    const dropped = differences(
      declaredTables(edited(t, /(export interface UserRow \{[^}]*?password_hash: string) \| null/, '$1')),
      schema,
    )
    t.same(dropped, ['users.password_hash: nullable in the database, but its type has no `| null` (string)'])
    const added = differences(
      declaredTables(edited(t, /(export interface UserRow \{[^}]*?display_name: string)/, '$1 | null')),
      schema,
    )
    t.same(added, ['users.display_name: NOT NULL in the database, but its type has `| null` (string | null)'])
  })

  t.test('a type that does not hold what the driver returns is reported', async (t) => {
    const bigint = differences(
      declaredTables(edited(t, /(export interface AlertRow \{[^}]*?seq): string/, '$1: number')),
      schema,
    )
    t.same(bigint, ['alerts.seq: int8 reads as string, but AlertRow says number'])
    const timestamp = differences(
      declaredTables(edited(t, /(export interface UserRow \{[^}]*?created_at): Date/, '$1: string')),
      schema,
    )
    t.same(timestamp, ['users.created_at: timestamptz reads as Date, but UserRow says string'])
  })

  t.test('a table missing from Tables is reported', async (t) => {
    const problems = differences(declaredTables(edited(t, /\n {4}webhook_deliveries: WebhookDeliveryRow/, '')), schema)
    t.same(problems, ['webhook_deliveries: a table of the database, not declared in Tables'])
  })
})
