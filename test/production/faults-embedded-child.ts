// Started by faults-embedded.test.ts: starts an embedded cluster, says so, and waits to be killed.
import { startEmbeddedPostgres } from '../../core/infra/embedded-postgres.js'

const [dataDir, port] = process.argv.slice(2)
await startEmbeddedPostgres({ dataDir: dataDir as string, port: Number(port) })
process.stdout.write('ready\n')
setInterval(() => undefined, 60_000)
