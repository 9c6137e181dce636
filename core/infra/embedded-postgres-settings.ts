import os from 'node:os'

const MB = 1024 * 1024

/**
 * Server settings for a durable embedded cluster, sized to the machine as a tuned install would be: PostgreSQL's
 * built-in `shared_buffers` (128 MB) makes a collection of a million objects (≈ 2 GB of rows, stored output and
 * indexes) go through the kernel's page cache on every page read, which the paced TAXII walk showed as its p99
 * (docs/BENCHMARKS.md, issue 18). The server shares the machine with the platform, so it takes an eighth of the
 * memory for its buffers (PostgreSQL's guide says a quarter for a dedicated server), at most 2 GB; the planner is
 * told the rest of the memory caches files; WAL may grow to 2 GB between checkpoints so that a large ingest is not
 * checkpointed (and its pages written whole to the WAL again) every gigabyte. Tests' throw-away clusters keep the
 * defaults.
 */
export function embeddedServerSettings(totalMemory = os.totalmem()): string[] {
  const sharedBuffersMb = Math.min(2048, Math.max(128, Math.floor(totalMemory / 8 / MB)))
  const effectiveCacheMb = Math.max(sharedBuffersMb, Math.floor(totalMemory / 2 / MB))
  return [`shared_buffers=${sharedBuffersMb}MB`, `effective_cache_size=${effectiveCacheMb}MB`, 'max_wal_size=2GB']
}
