/**
 * How the store takes part in a pipelined ingest (docs/BENCHMARKS.md, "Ingestion"). A feed run prepares batch
 * N+1 — screening, serialisation, hashing, the unchanged look-up, validation: the CPU half, no writes — while
 * batch N's transaction is still in flight on the same thread, and writes it in a transaction of its own once
 * N has committed (core/feeds/batch-writer.ts). So the store is one call with its two halves attached, and
 * the CPU half lets I/O callbacks run between slices of its work: otherwise each of the in-flight
 * transaction's round trips waits behind the whole batch's validation.
 */

/** Objects prepared between two turns of the event loop. */
const SLICE = 16

/** Whether the item at `index` ends a slice of the CPU half: then {@link yieldToIo} before going on. */
export const endsSlice = (index: number): boolean => index % SLICE === SLICE - 1

/** One turn of the event loop: pending I/O callbacks (a pipelining caller's transaction) run first. */
export const yieldToIo = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * A one-call store with its halves attached for pipelining callers: `prepare` (no writes; may read outside
 * the writing transaction) and `write` (inside the caller's transaction, batches in order).
 */
export function withPipelineHalves<Once extends (...args: never[]) => unknown, Prepare, Write>(
  once: Once,
  halves: { prepare: Prepare; write: Write },
): Once & { prepare: Prepare; write: Write } {
  return Object.assign(once, halves)
}
