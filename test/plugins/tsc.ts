import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { ROOT } from '../helper.js'

const run = promisify(execFile)

/** Type-checks `files` as a plugin author's project would: strict, NodeNext (so package `exports` apply). */
export async function typecheck(files: string[]): Promise<{ ok: boolean; output: string }> {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
  const args = [
    '--noEmit',
    '--strict',
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--target',
    'es2022',
    '--skipLibCheck',
    '--types',
    'node',
    ...files,
  ]
  return run(process.execPath, [tsc, ...args], { cwd: ROOT, timeout: 120_000 }).then(
    ({ stdout }) => ({ ok: true, output: stdout }),
    (err: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` }),
  )
}
