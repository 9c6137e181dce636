/**
 * Errors plugins throw. The core maps them: a feed source's {@link SourceUnavailableError} is retried with
 * backoff, a {@link SourceDataError} fails the run without retry; {@link AuthenticationFailedError} from an
 * auth strategy answers 401 without trying later strategies.
 */
export class SourceUnavailableError extends Error {
  readonly retryable = true
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'SourceUnavailableError'
  }
}

/** The remote answered, but with data that cannot be used (bad JSON, 4xx, wrong format). Not retried. */
export class SourceDataError extends Error {
  readonly retryable = false
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'SourceDataError'
  }
}

/**
 * The platform's egress policy refused a request: a loopback, private, link-local, multicast or metadata
 * address (literal, resolved, or reached through a redirect), or a scheme other than http(s). A
 * {@link SourceDataError}, so the run fails without retry: asking again cannot change the answer.
 */
export class EgressDeniedError extends SourceDataError {
  /** @param reason what was refused and why, e.g. `127.0.0.1 is a loopback address; …` */
  constructor(readonly reason: string) {
    super(`refused by the egress policy: ${reason}`)
    this.name = 'EgressDeniedError'
  }
}

/** The request carried this strategy's credentials, and they are wrong, expired or revoked. */
export class AuthenticationFailedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AuthenticationFailedError'
  }
}
