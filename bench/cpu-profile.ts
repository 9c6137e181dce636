import { writeFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { Session } from 'node:inspector/promises'

/**
 * A CPU profile of one phase of a benchmark (`node --cpu-prof` profiles the whole process: data generation and
 * the `COPY` limit included). With `dir` unset it does nothing; else `stop(name)` writes `<dir>/<name>.cpuprofile`.
 */
export async function cpuProfiler(dir: string | undefined) {
  if (!dir) return { stop: async (name: string) => void name }
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
  return {
    stop: async (name: string) => {
      const { profile } = await session.post('Profiler.stop')
      session.disconnect()
      mkdirSync(dir, { recursive: true })
      writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile))
    },
  }
}
