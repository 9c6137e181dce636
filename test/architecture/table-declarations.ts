/**
 * Reads core/model/tables.ts with the TypeScript compiler: the tables merged into knex's `Tables` and, for each,
 * its row interface's columns, whether each admits `null`, and the kind of value its type holds. The source text
 * may be given, so a test can check a modified copy without touching the file.
 */
import path from 'node:path'
import ts from 'typescript'
import { ROOT } from '../paths.js'

export const TABLES_FILE = path.join(ROOT, 'core', 'model', 'tables.ts')

/** The kind of value a column type holds: what a database column type is compared with. */
export type ValueKind =
  'string' | 'number' | 'boolean' | 'Date' | 'other' | `${'string' | 'number' | 'boolean' | 'Date' | 'other'}[]`

export interface DeclaredColumn {
  name: string
  nullable: boolean
  optional: boolean
  kind: ValueKind
  /** The type as written, for messages. */
  text: string
}

export interface DeclaredTable {
  name: string
  row: string
  columns: DeclaredColumn[]
}

function compilerOptions(): ts.CompilerOptions {
  const configFile = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile)
  return { ...ts.parseJsonConfigFileContent(configFile.config, ts.sys, ROOT).options, noEmit: true }
}

// Every program shares the parsed files but tables.ts (the standard library alone takes seconds to parse).
const parsed = new Map<string, ts.SourceFile | undefined>()
const options = compilerOptions()
const host = ts.createCompilerHost(options)
const parse = host.getSourceFile.bind(host)
let tablesSource: string | undefined

host.getSourceFile = (file, language, onError, shouldCreate) => {
  if (path.resolve(file) === TABLES_FILE) {
    return tablesSource === undefined
      ? parse(file, language, onError, shouldCreate)
      : ts.createSourceFile(file, tablesSource, language, true)
  }
  if (!parsed.has(file)) parsed.set(file, parse(file, language, onError, shouldCreate))
  return parsed.get(file)
}

/** A program rooted at tables.ts, whose text is `source` (the file's own when absent). */
function programOf(source: string | undefined): ts.Program {
  tablesSource = source
  return ts.createProgram({ rootNames: [TABLES_FILE], options, host })
}

function kindOf(checker: ts.TypeChecker, type: ts.Type): ValueKind {
  const all = (flags: ts.TypeFlags) =>
    type.isUnion() ? type.types.every((t) => t.flags & flags) : (type.flags & flags) !== 0
  if (checker.isArrayType(type)) {
    const element = kindOf(checker, checker.getTypeArguments(type as ts.TypeReference)[0])
    return element.endsWith('[]') ? 'other' : `${element as 'string' | 'number' | 'boolean' | 'Date' | 'other'}[]`
  }
  if (all(ts.TypeFlags.StringLike)) return 'string'
  if (all(ts.TypeFlags.NumberLike)) return 'number'
  if (all(ts.TypeFlags.BooleanLike)) return 'boolean'
  if (type.getSymbol()?.getName() === 'Date') return 'Date'
  return 'other'
}

const isNull = (node: ts.TypeNode) => ts.isLiteralTypeNode(node) && node.literal.kind === ts.SyntaxKind.NullKeyword

/** The row interface a `Tables` entry names: `Row`, or the select type of `Knex.CompositeTableType<Row, …>`. */
function rowName(node: ts.TypeNode | undefined, file: ts.SourceFile): string | undefined {
  if (!node || !ts.isTypeReferenceNode(node)) return undefined
  const name = node.typeName.getText(file)
  if (/(^|\.)CompositeTableType$/.test(name)) return rowName(node.typeArguments?.[0], file)
  return name
}

/** The tables tables.ts declares, in the order of its `Tables` augmentation. */
export function declaredTables(source?: string): DeclaredTable[] {
  const program = programOf(source)
  const checker = program.getTypeChecker()
  const file = program.getSourceFile(TABLES_FILE)
  if (!file) throw new Error(`${TABLES_FILE} is not in the program`)
  const interfaces = new Map(file.statements.filter(ts.isInterfaceDeclaration).map((i) => [i.name.text, i]))
  const augmentation = file.statements.find(
    (s): s is ts.ModuleDeclaration =>
      ts.isModuleDeclaration(s) && ts.isStringLiteral(s.name) && s.name.text.startsWith('knex/types/tables'),
  )
  const body = augmentation?.body
  const tablesInterface =
    body && ts.isModuleBlock(body)
      ? body.statements.filter(ts.isInterfaceDeclaration).find((i) => i.name.text === 'Tables')
      : undefined
  if (!tablesInterface) throw new Error(`${TABLES_FILE} merges no interface Tables into 'knex/types/tables.js'`)
  return tablesInterface.members.filter(ts.isPropertySignature).map((entry) => {
    const name = entry.name.getText(file).replace(/^['"]|['"]$/g, '')
    const row = rowName(entry.type, file)
    const declaration = row ? interfaces.get(row) : undefined
    if (!row || !declaration) return { name, row: row ?? entry.type?.getText(file) ?? '?', columns: [] }
    const columns = checker
      .getPropertiesOfType(checker.getTypeAtLocation(declaration))
      .map((property): DeclaredColumn => {
        const signature = property.valueDeclaration
        const typeNode = signature && ts.isPropertySignature(signature) ? signature.type : undefined
        if (!typeNode) return { name: property.name, nullable: false, optional: false, kind: 'other', text: '?' }
        const members = ts.isUnionTypeNode(typeNode) ? [...typeNode.types] : [typeNode]
        const values = members.filter((m) => !isNull(m))
        const kinds = [...new Set(values.map((m) => kindOf(checker, checker.getTypeFromTypeNode(m))))]
        return {
          name: property.name,
          nullable: values.length < members.length,
          optional: (property.flags & ts.SymbolFlags.Optional) !== 0,
          kind: kinds.length === 1 ? kinds[0] : 'other',
          text: typeNode.getText(),
        }
      })
    return { name, row, columns }
  })
}
