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

/** The request carried this strategy's credentials, and they are wrong, expired or revoked. */
export class AuthenticationFailedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AuthenticationFailedError'
  }
}
