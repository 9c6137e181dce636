// Started by heap-growth.test.ts: sets the heap growth, churns through garbage that outlives scavenges while
// about 100 MB stays alive, and prints the largest heap V8 reserved meanwhile.
import v8 from 'node:v8'
import { setHeapGrowth } from '../../core/infra/heap-growth.js'

setHeapGrowth(Number(process.argv[2]))
const alive: number[][] = []
let peak = 0
for (let i = 0; i < 12_000; i++) {
  alive.push(new Array<number>(10_000).fill(i)) // ≈ 80 kB
  if (alive.length > 1_250) alive.shift()
  if (i % 100 === 0) peak = Math.max(peak, v8.getHeapStatistics().total_heap_size)
}
process.stdout.write(`${peak}\n`)
