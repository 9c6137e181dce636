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
    return { problem: `${from}: cannot load plugin: ${(err as Error).message.split('\n')[0]}` }
  }
}
