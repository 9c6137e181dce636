import type { Principal, StixObject } from '../plugin-api/index.js'
import { EgressDeniedError, SourceDataError, SourceUnavailableError } from '../plugin-api/index.js'
import type { PluginRegistry } from '../registry/registry.js'
import type { FeedRunRejection } from '../model/tables.js'
import { prepareObject, screenObject } from '../store/prepare.js'
import { validateFeedConfig, type ConfigProblem } from './feed-config.js'
import { literalUrlProblems } from './config-urls.js'
import { feedInvalid } from './errors.js'
import { EXCERPT_LIMITS, excerpt } from './excerpt.js'
import { errorMessage } from '../infra/errors.js'

export interface DryRunInput {
  source: string
  config: Record<string, unknown>
  /** Stop after this many objects (the source is closed as a run's would be on shutdown). */
  maxObjects: number
  /** Longest the whole dry run may take, in seconds. */
  timeoutSeconds: number
}

export type DryRunOutcome = 'ok' | 'refused' | 'unavailable' | 'data-error' | 'timeout'

const SAMPLE = 5

/** How far the source got: what a run of this config would have fetched first, without storing any of it. */
export interface DryRunReport {
  outcome: DryRunOutcome
  /** What went wrong, as the run would have said it (credentials, egress policy, timeout, bad data). */
  error: string | null
  durationMs: number
  /** The source ended by itself before `maxObjects` (false: stopped at the limit, or failed). */
  complete: boolean
  counts: { objects: number; valid: number; invalid: number; rejectedBySource: number; checkpoints: number }
  types: Record<string, number>
  /** The first objects, as the source yielded them. */
  sample: StixObject[]
  /** Why the first objects (or items) would be rejected. */
  rejections: FeedRunRejection[]
}

function outcomeOf(err: unknown, timedOut: boolean): DryRunOutcome {
  if (timedOut) return 'timeout'
  if (err instanceof EgressDeniedError) return 'refused'
  if (err instanceof SourceUnavailableError) return 'unavailable'
  if (err instanceof SourceDataError && /refused the credentials/.test(err.message)) return 'refused'
  return 'data-error'
}

/**
 * Pulls the first items of a feed config exactly as a run would — the plugin's source, built by the registry
 * with the platform's HTTP client and egress policy, local files only for platform admins — and reports
 * reachability, authentication, the first objects and whether the store would accept them. Writes nothing.
 * A config the feed's schema refuses is a 400, as when saving it.
 */
export async function dryRunFeed(options: {
  registry: PluginRegistry
  actor: Principal
  input: DryRunInput
  signal?: AbortSignal
}): Promise<DryRunReport> {
  const { registry, actor, input } = options
  const factory = registry.get('feed-source', input.source)
  if (!factory)
    throw feedInvalid([
      {
        path: '/source',
        message: `no feed-source plugin "${input.source}" (loaded: ${
          registry
            .byKind('feed-source')
            .map((p) => p.id)
            .join(', ') || 'none'
        })`,
      },
    ])
  const access = { localFiles: actor.role === 'admin' }
  const checked = await validateFeedConfig(factory.impl, input.config, access)
  const problems: ConfigProblem[] = checked.problems.map((p) => ({
    path: `/config${p.path === '/' ? '' : p.path}`,
    message: p.message,
  }))
  problems.push(...literalUrlProblems(registry.egress, checked.config))
  if (problems.length) throw feedInvalid(problems)

  const report: DryRunReport = {
    outcome: 'ok',
    error: null,
    durationMs: 0,
    complete: false,
    counts: { objects: 0, valid: 0, invalid: 0, rejectedBySource: 0, checkpoints: 0 },
    types: {},
    sample: [],
    rejections: [],
  }
  const timeout = AbortSignal.timeout(input.timeoutSeconds * 1000)
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout
  const started = Date.now()
  const reject = (r: FeedRunRejection) => {
    if (report.rejections.length < SAMPLE)
      report.rejections.push({
        ...(r.ref === undefined ? {} : { ref: excerpt(r.ref, EXCERPT_LIMITS.ref) }),
        reason: excerpt(r.reason, EXCERPT_LIMITS.reason),
      })
  }
  try {
    const source = await factory.impl.create(checked.config, access)
    report.complete = true
    for await (const pulled of source.pull({ feedId: 'dry-run', checkpoint: null, signal })) {
      // A dry run stores nothing, so an object given as text is parsed at once, as a run parses a new one.
      const item = pulled.kind === 'object-text' ? pulled.parse() : pulled
      if (item.kind === 'checkpoint') report.counts.checkpoints++
      else if (item.kind === 'total') continue
      else if (item.kind === 'rejected') {
        report.counts.rejectedBySource++
        reject(item)
      } else {
        const index = report.counts.objects++
        const screened = screenObject(item.object, index)
        const prepared = screened.ok ? prepareObject(item.object, index, undefined, screened.form) : screened
        if (prepared.ok) report.counts.valid++
        else {
          report.counts.invalid++
          reject({ ref: prepared.id, reason: prepared.message })
        }
        const type = typeof item.object.type === 'string' ? item.object.type : '(none)'
        report.types[type] = (report.types[type] ?? 0) + 1
        if (report.sample.length < SAMPLE) report.sample.push(item.object)
        if (report.counts.objects >= input.maxObjects) {
          report.complete = false
          break // closes the source's generator: its requests end as on a cancelled run
        }
      }
    }
  } catch (err) {
    report.complete = false
    report.outcome = outcomeOf(err, timeout.aborted)
    report.error = timeout.aborted
      ? `no complete answer within ${input.timeoutSeconds} s (the dry run's timeoutSeconds; a run waits as long as the feed's own timeout allows)`
      : excerpt(errorMessage(err), EXCERPT_LIMITS.error)
  }
  report.durationMs = Date.now() - started
  return report
}
