import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { projectPath } from '../core/project-root.js'

/**
 * The options production gives `node` to run the platform: those of `npm start` in package.json, which
 * `npm run worker`, the Dockerfile and the systemd units repeat (test/deploy/deploy-files.test.ts holds them to it).
 */
export function platformNodeOptions(): string[] {
  const pkg = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { scripts?: { start?: string } }
  const start = /\bnode((?: --\S+)+) dist\/core\/cli\/main\.js start$/.exec(pkg.scripts?.start ?? '')
  if (!start) throw new Error('package.json: scripts.start does not run `node <options> dist/core/cli/main.js start`')
  return start[1].trim().split(' ')
}

/**
 * The V8 ones among them. V8 reads them only when the process starts, so a benchmark passes them on the command
 * line of whatever process holds the platform. `--conditions` is module resolution, not V8, and is left to the
 * benchmark's own entry point.
 */
export function platformV8Flags(): string[] {
  return platformNodeOptions().filter((flag) => !flag.startsWith('--conditions'))
}

const flagName = (flag: string) => flag.split('=')[0]

/**
 * For a benchmark that builds the platform in its own process: when this process was started without the
 * platform's V8 options, runs the same script again in a child that has them (stdio shared, exit code passed on)
 * and resolves true once it has exited; the caller then returns. A flag given by name on the command line
 * (`node --max-semi-space-size=16 dist/bench/export.js`, to compare another value) counts as given.
 */
export async function relaunchWithPlatformFlags(): Promise<boolean> {
  const given = new Set(process.execArgv.map(flagName))
  const missing = platformV8Flags().filter((flag) => !given.has(flagName(flag)))
  if (missing.length === 0) return false
  const child = spawn(process.execPath, [...process.execArgv, ...missing, ...process.argv.slice(1)], {
    stdio: 'inherit',
  })
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)))
  process.exitCode = code ?? 1
  return true
}
