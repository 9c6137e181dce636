import path from 'node:path'
import { pathToFileURL } from 'node:url'

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
    const mod = (await import(specifier)) as { default?: unknown }
    if (mod.default === undefined) return { problem: `${from}: the module has no default export` }
    return { definition: mod.default }
  } catch (err) {
    if (isTypeScriptUnderNode(err)) {
      return { problem: `${from}: cannot load plugin: ${firstLine(err)}: the compiled platform (npm start) runs plain Node, which cannot import TypeScript; compile the plugin to JavaScript, or run the platform through tsx (npx crisp start)` }
    }
    return { problem: `${from}: cannot load plugin: ${firstLine(err)}` }
  }
}

const firstLine = (err: unknown) => String((err as Error)?.message ?? err).split('\n')[0]

/** Node without a TypeScript loader refuses `.ts` files with ERR_UNKNOWN_FILE_EXTENSION (tsx would have loaded them). */
function isTypeScriptUnderNode(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ERR_UNKNOWN_FILE_EXTENSION' && /\.[cm]?tsx?\b/.test(firstLine(err))
}
