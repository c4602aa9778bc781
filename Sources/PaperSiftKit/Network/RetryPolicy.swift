import Foundation

/// When and how long to wait before sending a failed request again.
///
/// Delays double from `baseDelay` up to `maxDelay`, each drawn at random
/// between half and all of its step so that clients spread out, unless the
/// server sent `Retry-After`, which is honoured up to `maxRetryAfter`.
public struct RetryPolicy: Sendable {
  /// The default of ``maxRetryAfter`` and of the settings that set it, in seconds.
  public static let defaultMaxRetryAfter = 120.0

  /// The HTTP statuses with which a server reports that it does not support
  /// the request: 501 Not Implemented and 505 HTTP Version Not Supported. A
  /// retry would fail the same way.
  public static let unsupportedStatuses: Set<Int> = [501, 505]

  /// The number of attempts in all, the first included.
  public var maxAttempts: Int
  /// Seconds before the second attempt, before jitter.
  public var baseDelay: Double
  /// The maximum wait between attempts, in seconds.
  public var maxDelay: Double
  /// The longest `Retry-After` honoured, in seconds. A longer one fails the
  /// request at once, because every request within the requested wait would
  /// get the same response.
  public var maxRetryAfter: Double
  /// HTTP statuses worth retrying, except a 429 for an exhausted quota,
  /// which never is. Transient transfer errors and timeouts always are.
  public var retryStatuses: Set<Int>

  public init(
    maxAttempts: Int = 4, baseDelay: Double = 1, maxDelay: Double = 30,
    maxRetryAfter: Double = RetryPolicy.defaultMaxRetryAfter,
    retryStatuses: Set<Int> = [429, 500, 502, 503, 504]
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

  /// Returns the seconds of the `Retry-After` of `error` when they exceed
  /// ``maxRetryAfter`` and the error would otherwise be retried, or nil.
  public func excessiveRetryAfter(_ error: HTTPError) -> Double? {
    guard let seconds = error.retryAfter, seconds > maxRetryAfter, shouldRetry(error) else {
      return nil
    }
    return seconds
  }

  /// Returns the advice for a `Retry-After` of `seconds` that exceeds
  /// ``maxRetryAfter``, to follow "The server " or "the server at URL ".
  /// `setting` is the configuration key that sets ``maxRetryAfter``, such as
  /// `fetch.maxRetryAfterSeconds`.
  func retryAfterAdvice(_ seconds: Double, setting: String) -> String {
    "requested a wait of \(secondsText(seconds)) (Retry-After) before the next request, more "
      + "than the \(secondsText(maxRetryAfter)) that \(setting) allows. Try again after that "
      + "wait, or raise \(setting) to let PaperSift wait that long."
  }

  /// Describes `error` for a message. When its `Retry-After` exceeds
  /// ``maxRetryAfter``, the requested wait and `setting`, the configuration
  /// key to raise, take the place of the generic rate-limit hint.
  func describe(_ error: HTTPError, setting: String) -> String {
    guard let seconds = excessiveRetryAfter(error), case .status(let status) = error.kind else {
      return error.description
    }
    return error.statusSentence(status) + " The server "
      + retryAfterAdvice(seconds, setting: setting)
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
  ///   - isStopping: Checked before each retry and during each wait; when it
  ///     returns true, no further attempt is made. A signal handler sets it.
  /// - Returns: The first successful response.
  /// - Throws: The last ``HTTPError`` when attempts run out, the error is
  ///   not transient, or `isStopping` returned true.
  public func send(
    _ request: HTTPRequest, retrying policy: RetryPolicy,
    onRetry: (Int, HTTPError, Double) -> Void = { _, _, _ in },
    isStopping: () -> Bool = { false }
  ) throws -> HTTPResponse {
    var attempt = 1
    while true {
      do {
        return try send(request)
      } catch let error as HTTPError {
        guard attempt < policy.maxAttempts, policy.shouldRetry(error), !isStopping(),
          let delay = policy.delay(after: attempt, error: error)
        else { throw error }
        onRetry(attempt, error, delay)
        let end = Date(timeIntervalSinceNow: delay)
        while Date() < end {
          if isStopping() { throw error }
          Thread.sleep(forTimeInterval: min(0.1, end.timeIntervalSinceNow))
        }
        attempt += 1
      }
    }
  }
}
