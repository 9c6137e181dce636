import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { errorCode, errorMessage } from '../plugin-api/thrown.js'
import { isJsonObject } from '../stix/json-object.js'

/**
 * Imports a third-party plugin named in config: a path (relative to the plugins file) or an npm package name.
 * Returns its default export, or a problem line.
 */
export async function importExternalPlugin(
  from: string,
  baseDir: string,
): Promise<{ definition?: unknown; problem?: string }> {
  const isPath = from.startsWith('.') || from.startsWith('/')
  const specifier = isPath ? pathToFileURL(path.resolve(baseDir, from)).href : from
  try {
    const mod: unknown = await import(specifier)
    const definition = isJsonObject(mod) ? mod.default : undefined
    if (definition === undefined) return { problem: `${from}: the module has no default export` }
    return { definition }
  } catch (err) {
    if (isTypeScriptUnderNode(err)) {
      return {
        problem: `${from}: cannot load plugin: ${firstLine(err)}: the compiled platform (npm start) runs plain Node, which cannot import TypeScript; compile the plugin to JavaScript, or run the platform through tsx (npx crisp start)`,
      }
    }
    return { problem: `${from}: cannot load plugin: ${firstLine(err)}` }
  }
}

const firstLine = (err: unknown) => errorMessage(err).split('\n')[0]

/** Node without a TypeScript loader refuses `.ts` files with ERR_UNKNOWN_FILE_EXTENSION (tsx would have loaded them). */
function isTypeScriptUnderNode(err: unknown): boolean {
  return errorCode(err) === 'ERR_UNKNOWN_FILE_EXTENSION' && /\.[cm]?tsx?\b/.test(firstLine(err))
}
