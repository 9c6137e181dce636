/**
 * Local files the core lends to feed sources (`ctx.files`): only inside the one folder an operator named
 * (CRISP_FEED_FILES_DIR), and only for feeds a platform admin sets up. A feed config naming a path is
 * otherwise a way to read any file the server can read, one error message at a time.
 */
import { constants } from 'node:fs'
import { open, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { SourceDataError, SourceUnavailableError } from './errors.js'
import { errorCode, errorMessage } from './thrown.js'

/** What a checkpoint of a file feed records. */
export interface LocalFileInfo {
  mtimeMs: number
  size: number
}

/** A file of the feed files folder. Each call checks again where the path really leads (symbolic links). */
export interface LocalFile {
  /** The path as configured, for messages. */
  readonly name: string
  /** SourceDataError when it is missing, unreadable, not a regular file, or really outside the folder. */
  stat(): Promise<LocalFileInfo>
  /** The content as it is read (same errors as {@link stat}); aborting `signal` stops it. */
  read(signal: AbortSignal): AsyncGenerator<Uint8Array>
}

export interface LocalFiles {
  /**
   * The file at `filePath`, relative to the feed files folder (or absolute, inside it). Throws when file feeds
   * are disabled, when the feed is not set up by a platform admin, or when the path contains `..` or leaves
   * the folder. Call it from `create()`, so that a refused path refuses the feed's config when it is saved.
   */
  resolve(filePath: string): LocalFile
}

/** How the registry builds one feed's `ctx.files`. */
export interface LocalFilesOptions {
  /** The feed files folder; undefined = file feeds disabled. */
  dir: string | undefined
  /** When set, every `resolve` is refused with this reason (the feed is not a platform admin's). */
  refusal?: string
}

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target)
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative)
}

function fileError(err: unknown, name: string): Error {
  const code = errorCode(err)
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return new SourceDataError(`cannot read ${name}: ENOENT (not in the feed files folder)`, { cause: err })
  if (code === 'ELOOP') return new SourceDataError(`cannot read ${name}: it is a symbolic link`, { cause: err })
  if (code === 'EACCES' || code === 'EPERM' || code === 'EISDIR')
    return new SourceDataError(`cannot read ${name}: ${code}`, { cause: err })
  return new SourceUnavailableError(`cannot read ${name}: ${code ?? errorMessage(err)}`, { cause: err })
}

function fileIn(dir: string, target: string, name: string): LocalFile {
  /** The real path, once every symbolic link is followed, refused unless it is still inside the real folder. */
  async function confined(): Promise<{ real: string; info: LocalFileInfo }> {
    const [root, real] = await Promise.all([realpath(dir), realpath(target)]).catch((err: unknown) => {
      throw fileError(err, name)
    })
    if (!isInside(root, real))
      throw new SourceDataError(`cannot read ${name}: a symbolic link leads outside the feed files folder`)
    const info = await stat(real).catch((err: unknown) => {
      throw fileError(err, name)
    })
    // A FIFO or device would block the read or never end.
    if (!info.isFile()) throw new SourceDataError(`cannot read ${name}: not a regular file`)
    return { real, info: { mtimeMs: info.mtimeMs, size: info.size } }
  }

  return {
    name,
    stat: async () => (await confined()).info,
    async *read(signal) {
      const { real } = await confined()
      // O_NOFOLLOW: the last component cannot have been swapped for a link since it was checked.
      const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW).catch((err: unknown) => {
        throw fileError(err, name)
      })
      const stream = handle.createReadStream({ signal })
      try {
        // Without an encoding a file stream yields Buffers.
        for await (const chunk of stream) {
          const bytes: Buffer = chunk
          yield bytes
        }
      } catch (err) {
        if (signal.aborted) throw signal.reason
        throw fileError(err, name)
      } finally {
        stream.destroy()
      }
    },
  }
}

/** The `ctx.files` of one feed source (the registry builds it; plugins only receive it). */
export function createLocalFiles(options: LocalFilesOptions): LocalFiles {
  return {
    resolve(filePath) {
      if (options.refusal) throw new Error(options.refusal)
      if (!options.dir)
        throw new Error('local file feeds are disabled on this platform (CRISP_FEED_FILES_DIR is not set)')
      if (filePath.split(/[\\/]/).includes('..'))
        throw new Error(`${filePath}: ".." is not allowed in a feed file path`)
      const target = path.resolve(options.dir, filePath)
      if (!isInside(path.resolve(options.dir), target))
        throw new Error(`${filePath} is not inside the feed files folder`)
      return fileIn(options.dir, target, filePath)
    },
  }
}
