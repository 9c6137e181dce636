import { cpSync, existsSync, lstatSync, readFileSync, rmSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import path from 'node:path'

/** Who runs the embedded server: the `postgres` user when the platform runs as root, else the platform's own user. */
export interface RunAs {
  uid: number
  gid: number
}

/**
 * Refuses a folder the platform did not make for itself: it must be a real folder (not a link), owned by
 * `uid`, and closed to everyone else (mode 700). Binaries anyone else could have replaced are never run.
 */
export function checkOwnedFolder(dir: string, uid: number): void {
  const stat = lstatSync(dir)
  if (!stat.isDirectory() || stat.isSymbolicLink())
    throw new Error(`embedded PostgreSQL: ${dir} is not a folder; remove it`)
  if (stat.uid !== uid)
    throw new Error(`embedded PostgreSQL: ${dir} is owned by uid ${stat.uid}, not ${uid}; remove it and start again`)
  if ((stat.mode & 0o077) !== 0)
    throw new Error(
      `embedded PostgreSQL: ${dir} is open to other users (mode ${(stat.mode & 0o777).toString(8)}); remove it and start again`,
    )
}

/**
 * As root, postgres runs as the `postgres` user, which must be able to execute the binaries: the checkout may
 * sit in a folder only root can enter, so they are copied beside the cluster (a folder postgres reaches), into
 * `bin-<version>` owned by postgres with mode 700, and checked on every start before they are run.
 */
export function privateBinaries(nativeDir: string, version: string, clusterDir: string, runAs: RunAs): string {
  const dir = path.join(clusterDir, `bin-${version}`)
  if (existsSync(dir) && !existsSync(path.join(dir, 'bin', 'postgres'))) rmSync(dir, { recursive: true, force: true })
  if (!existsSync(dir)) {
    const staging = `${dir}.${process.pid}.tmp`
    rmSync(staging, { recursive: true, force: true })
    cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true })
    execFileSync('chown', ['-R', '-h', `${runAs.uid}:${runAs.gid}`, staging])
    execFileSync('chmod', ['-R', 'go-rwx', staging])
    execFileSync('mv', ['-T', staging, dir])
  }
  checkOwnedFolder(dir, runAs.uid)
  return path.join(dir, 'bin')
}

/** The pid in `postmaster.pid` when that process is alive and is a postgres server of this data folder. */
export function livePostmaster(pgdata: string): number | undefined {
  const pidFile = path.join(pgdata, 'postmaster.pid')
  if (!existsSync(pidFile)) return undefined
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0])
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    return path.basename(cmdline[0] ?? '') === 'postgres' && cmdline.includes(pgdata) ? pid : undefined
  } catch {
    return undefined
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * A server left running by a crash of the platform (`kill -9`) still owns the data folder. It is never
 * silently connected to: it is stopped (a fast shutdown, then an immediate one), with a log line, before this
 * start launches its own.
 */
export async function stopOrphan(pgdata: string, log: (line: string) => void): Promise<void> {
  const pid = livePostmaster(pgdata)
  if (pid === undefined) return
  log(
    `embedded PostgreSQL: a server left by an earlier crash is still running on ${pgdata} (pid ${pid}); stopping it before starting a new one`,
  )
  for (const [signal, waitMs] of [
    ['SIGINT', 20_000],
    ['SIGQUIT', 10_000],
  ] as const) {
    process.kill(pid, signal)
    for (const deadline = Date.now() + waitMs; alive(pid) && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 100))
    if (!alive(pid)) return log(`embedded PostgreSQL: the orphaned server (pid ${pid}) stopped`)
  }
  throw new Error(
    `embedded PostgreSQL: the orphaned server (pid ${pid}) on ${pgdata} did not stop; stop it and start again`,
  )
}
