import { execFileSync } from 'node:child_process'
import path from 'node:path'
import t from 'tap'
import { setHeapGrowth } from '../../core/infra/heap-growth.js'
import { loadConfig } from '../../config/load.js'
import { ROOT } from '../helper.js'

/** The largest heap a process reserved while it churned through garbage with `percent` heap growth. */
function peakHeapMb(percent: number): number {
  const child = path.join(ROOT, 'test', 'production', 'heap-growth-child.ts')
  const out = execFileSync(process.execPath, ['--import=tsx', child, String(percent)], { encoding: 'utf8' })
  return Number(out.trim()) / 1e6
}

t.test('a lower heap growth keeps less garbage before the next full collection', async (t) => {
  const bounded = peakHeapMb(25)
  const v8Default = peakHeapMb(0)
  t.comment(`peak heap: ${bounded.toFixed(0)} MB at 25 %, ${v8Default.toFixed(0)} MB with V8's own heuristic`)
  // ≈ 100 MB alive throughout; V8's heuristic let it grow to 613 MB where 25 % kept it to 260 MB (this machine).
  t.ok(v8Default > bounded * 1.5, `V8's own heuristic: ${v8Default.toFixed(0)} MB, 25 %: ${bounded.toFixed(0)} MB`)
})

t.test('the setting: 75 % by default, 0–1000', async (t) => {
  const env = { NODE_ENV: 'test', CRISP_DATA_DIR: '/tmp/crisp-heap-growth-test' }
  t.equal(loadConfig(env, ROOT).heapGrowthPercent, 75)
  t.equal(loadConfig({ ...env, CRISP_HEAP_GROWTH_PERCENT: '0' }, ROOT).heapGrowthPercent, 0)
  for (const bad of ['-1', '1001', 'lots'])
    t.throws(() => loadConfig({ ...env, CRISP_HEAP_GROWTH_PERCENT: bad }, ROOT), /CRISP_HEAP_GROWTH_PERCENT/, bad)
  t.throws(() => setHeapGrowth(-1), /bad percentage/)
  t.throws(() => setHeapGrowth(Number.NaN), /bad percentage/)
})
