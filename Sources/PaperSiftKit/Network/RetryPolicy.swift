import Foundation

/// When and how long to wait before sending a failed request again.
///
/// Delays double from `baseDelay` up to `maxDelay`, each drawn at random
/// between half and all of its step so that clients spread out, unless the server sent `Retry-After`, which is honoured up to
/// `maxRetryAfter`.
public struct RetryPolicy: Sendable {
  /// The number of attempts in all, the first included.
  public var maxAttempts: Int
  /// Seconds before the second attempt, before jitter.
  public var baseDelay: Double
  /// The maximum wait between attempts, in seconds.
  public var maxDelay: Double
  /// The longest `Retry-After` honoured, in seconds; a longer one fails at once.
  public var maxRetryAfter: Double
  /// HTTP statuses worth retrying, except a 429 for an exhausted quota,
  /// which never is. Transient transfer errors and timeouts always are.
  public var retryStatuses: Set<Int>

  public init(
    maxAttempts: Int = 4, baseDelay: Double = 1, maxDelay: Double = 30,
    maxRetryAfter: Double = 120, retryStatuses: Set<Int> = [429, 500, 502, 503, 504]
  ) {
    self.maxAttempts = maxAttempts
    self.baseDelay = baseDelay
    self.maxDelay = maxDelay
    self.maxRetryAfter = maxRetryAfter
    self.retryStatuses = retryStatuses
  }

  /// Returns whether `error` may clear on a later attempt.
  public func shouldRetry(_ error: HTTPError) -> Bool {
    if case .status(let status) = error.kind {
      return retryStatuses.contains(status) && !error.isQuotaExhausted
    }
    return error.isTransient
  }

  /// Returns the wait before attempt `attempt + 1`, where `attempt` starts at 1.
  public func delay(after attempt: Int, error: HTTPError) -> Double? {
    if let retryAfter = error.retryAfter {
      return retryAfter <= maxRetryAfter ? retryAfter : nil
    }
    let ceiling = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
    return Double.random(in: (ceiling / 2)...max(ceiling / 2, ceiling))
  }
}

extension HTTPClient {
  /// Sends `request`, retrying transient failures as `policy` sets.
  ///
  /// - Parameters:
  ///   - request: The request to send.
  ///   - policy: When to retry and how long to wait.
  ///   - onRetry: Called before each wait with the attempt number, the error
  ///     and the delay in seconds, for logging.
  /// - Returns: The first successful response.
  /// - Throws: The last ``HTTPError`` when attempts run out or the error is
  ///   not transient.
  public func send(
    _ request: HTTPRequest, retrying policy: RetryPolicy,
    onRetry: (Int, HTTPError, Double) -> Void = { _, _, _ in }
  ) throws -> HTTPResponse {
    var attempt = 1
    while true {
      do {
        return try send(request)
      } catch let error as HTTPError {
        guard attempt < policy.maxAttempts, policy.shouldRetry(error),
          let delay = policy.delay(after: attempt, error: error)
        else { throw error }
        onRetry(attempt, error, delay)
        Thread.sleep(forTimeInterval: delay)
        attempt += 1
      }
    }
  }
}
