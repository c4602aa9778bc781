import Foundation

/// Looks papers up by id through the arXiv API (`/api/query?id_list=...`).
///
/// arXiv's terms of use ask for no more than one request every 3 seconds, so
/// requests, retries included, start at least ``spacing`` seconds apart and
/// carry at most ``maxBatchSize`` ids. A 429 or 5xx response is retried with
/// exponential backoff, or after the server's `Retry-After` when it sends
/// one. See https://info.arxiv.org/help/api/tou.html.
public final class ArxivAPIClient {
  /// The maximum number of ids in one request.
  public static let maxBatchSize = 100
  /// The spacing between requests that arXiv's terms of use set, in seconds.
  public static let defaultSpacing = 3.0

  public let baseURL: String
  /// Seconds between the starts of two requests.
  public let spacing: Double
  public let retryPolicy: RetryPolicy
  public let connectTimeout: Double
  public let requestTimeout: Double
  /// The configuration keys that set ``requestTimeout`` and the number of
  /// attempts, named in failure messages.
  let timeoutSetting: String
  let attemptsSetting: String
  private let http: HTTPClient
  private let logger = Logger(label: "arxiv-api")
  private var lastRequestStart: Date?

  /// Creates a client; keep the default `spacing` against arxiv.org.
  ///
  /// Without `retryPolicy`, a request is tried 4 times, the first retry
  /// after `spacing` seconds (at least 1) unless the server sends `Retry-After`.
  public init(
    baseURL: String = FetchSettings().apiBaseURL, spacing: Double = ArxivAPIClient.defaultSpacing,
    retryPolicy: RetryPolicy? = nil, connectTimeout: Double = 10, requestTimeout: Double = 60,
    http: HTTPClient = HTTPClient()
  ) {
    self.baseURL = baseURL
    self.spacing = spacing
    self.retryPolicy = retryPolicy ?? RetryPolicy(maxAttempts: 4, baseDelay: max(spacing, 1))
    self.connectTimeout = connectTimeout
    self.requestTimeout = requestTimeout
    self.http = http
    timeoutSetting = "fetch.requestTimeoutSeconds"
    attemptsSetting = "fetch.maxAttempts"
  }

  /// Who waits for a client's look-ups, which decides the limits it takes
  /// from the `fetch` configuration.
  public enum Waiter: Sendable {
    /// A fetch or run, often from cron: `fetch.requestTimeoutSeconds` and
    /// `fetch.maxAttempts`, as for the feed.
    case job
    /// A user at the terminal, for `like`, `dislike` and `unlike`:
    /// `fetch.lookupTimeoutSeconds` and `fetch.lookupMaxAttempts`.
    case user
  }

  /// Creates a client with the base URL and limits of the `fetch` configuration.
  ///
  /// - Throws: ``PaperSiftError`` with code `configuration` for an unusable setting.
  public init(settings: FetchSettings, for waiter: Waiter = .job) throws {
    try settings.validate()
    let isUser = waiter == .user
    let timeout = isUser ? settings.lookupTimeoutSeconds : settings.requestTimeoutSeconds
    baseURL = settings.apiBaseURL
    spacing = ArxivAPIClient.defaultSpacing
    retryPolicy = RetryPolicy(
      maxAttempts: isUser ? settings.lookupMaxAttempts : settings.maxAttempts, baseDelay: 3,
      maxRetryAfter: settings.maxRetryAfterSeconds)
    connectTimeout = min(settings.connectTimeoutSeconds, timeout)
    requestTimeout = timeout
    timeoutSetting = isUser ? "fetch.lookupTimeoutSeconds" : "fetch.requestTimeoutSeconds"
    attemptsSetting = isUser ? "fetch.lookupMaxAttempts" : "fetch.maxAttempts"
    http = HTTPClient()
  }

  /// Looks up `ids` (any form ``ArxivIdentifier`` accepts) in batches.
  ///
  /// Versions in the ids are ignored: the API returns each paper's latest
  /// version. Ids that arXiv does not know are missing from the result and
  /// logged.
  ///
  /// - Returns: The papers found, in the order of `ids`, with announce type
  ///   `unknown` and no announcement day.
  /// - Throws: ``PaperSiftError`` for an invalid id, a request that still
  ///   fails after the retries, or a malformed response.
  public func papers(ids: [String]) throws -> [Paper] {
    try lookUpPapers(ids: ids).papers
  }

  /// Looks up `ids` like ``papers(ids:)`` and also returns the ids that
  /// the API rejected with an error entry, such as "incorrect id format
  /// for 2505.77777".
  ///
  /// The API responds to a request with one bad id with that error alone,
  /// so the rest of its batch is requested again without it.
  ///
  /// - Throws: ``PaperSiftError`` as ``papers(ids:)`` does, for an error
  ///   entry that names none of the requested ids, and for a response
  ///   without any entry to a request of several ids.
  public func lookUpPapers(ids: [String]) throws -> PaperLookupResult {
    var wanted: [String] = []
    var seen = Set<String>()
    for text in ids {
      let id = try ArxivIdentifier(parsing: text).id
      if seen.insert(id).inserted { wanted.append(id) }
    }

    var found: [String: Paper] = [:]
    var rejected: [String: String] = [:]
    for start in stride(from: 0, to: wanted.count, by: ArxivAPIClient.maxBatchSize) {
      var batch = Array(wanted[start..<min(start + ArxivAPIClient.maxBatchSize, wanted.count)])
      while !batch.isEmpty {
        do {
          let papers = try lookUp(batch)
          // arXiv returns an entry for every id it stores and an error
          // entry for a malformed one. No entry for several ids more likely
          // means a wrong fetch.apiBaseURL or a server under load, so it
          // does not count as a day without a paper for each id.
          if papers.isEmpty && batch.count > 1 {
            throw PaperSiftError(
              .network,
              "The arXiv API answered the look-up of \(batch.count) ids with no entry at all, "
                + "so the look-up counts as failed and the ids stay pending. Check "
                + "fetch.apiBaseURL; it must be the URL of the arXiv API, such as the default "
                + "\(FetchSettings().apiBaseURL).")
          }
          for paper in papers { found[paper.id] = paper }
          batch = []
        } catch let apiError as ArxivAPIErrorEntry {
          guard let id = apiError.rejectedID(among: batch) else {
            throw PaperSiftError(
              .network,
              "The arXiv API rejected the look-up of \(batch.count) "
                + "\(batch.count == 1 ? "id" : "ids"): \(apiError.summary). "
                + "Check fetch.apiBaseURL; it must be the URL of the arXiv API, such as the "
                + "default \(FetchSettings().apiBaseURL).")
          }
          logger.warning(
            "arXiv API rejected an id", [("id", id), ("error", apiError.summary)])
          rejected[id] = apiError.summary
          batch.removeAll { $0 == id }
        }
      }
    }

    let missing = wanted.filter { found[$0] == nil && rejected[$0] == nil }
    if !missing.isEmpty {
      logger.warning(
        "arXiv API returned no entry for some ids",
        [("count", String(missing.count)), ("ids", missing.prefix(10).joined(separator: ","))])
    }
    return PaperLookupResult(papers: wanted.compactMap { found[$0] }, rejected: rejected)
  }

  /// The query items that ``queryURL(ids:)`` sets, and those that would
  /// change which entries the API returns, so `fetch.apiBaseURL` may not
  /// set them.
  static let queryItemNames: Set<String> = ["id_list", "max_results", "search_query", "start"]

  /// Returns the URL that looks up `ids` in one request.
  public func queryURL(ids: [String]) -> String {
    let separator = baseURL.contains("?") ? "&" : "?"
    return baseURL + separator + "id_list=" + ids.joined(separator: ",")
      + "&max_results=\(ids.count)"
  }

  private func lookUp(_ ids: [String]) throws -> [Paper] {
    let url = queryURL(ids: ids)
    let request = HTTPRequest(
      url: url, headers: [("Accept", "application/atom+xml")], connectTimeout: connectTimeout,
      totalTimeout: requestTimeout)
    let response = try send(request, idCount: ids.count)
    return try FeedResponse.parse(
      response, url: SecretRedaction.displayURL(url), expecting: FeedResponse.atom
    ).papers
  }

  /// Sends `request`, keeping the spacing before every attempt.
  private func send(_ request: HTTPRequest, idCount: Int) throws -> HTTPResponse {
    var attempt = 1
    while true {
      waitForSpacing()
      do {
        lastRequestStart = Date()
        return try http.send(request)
      } catch let error as HTTPError {
        guard attempt < retryPolicy.maxAttempts, retryPolicy.shouldRetry(error),
          let delay = retryPolicy.delay(after: attempt, error: error)
        else {
          throw PaperSiftError(
            .network,
            "The arXiv API look-up of \(idCount) \(idCount == 1 ? "id" : "ids") failed "
              + attemptsText(attempt, error: error)
              + retryPolicy.describe(error, setting: "fetch.maxRetryAfterSeconds")
              + FetchSettings.timeoutHint(
                for: error, seconds: requestTimeout, setting: timeoutSetting),
            underlying: error)
        }
        logger.warning(
          "Retrying the arXiv API",
          [
            ("url", SecretRedaction.displayURL(request.url)), ("attempt", String(attempt)),
            ("delay_s", String(format: "%.2f", delay)), ("error", error.description),
          ])
        Thread.sleep(forTimeInterval: delay)
        attempt += 1
      }
    }
  }

  /// Returns the part of a failure message that explains why `attempt` was
  /// the last one, ending in ": ".
  ///
  /// It names ``attemptsSetting`` only when the attempts ran out. An error
  /// that is not retried, or a `Retry-After` longer than the policy allows,
  /// stops the look-up before that limit, and the error's description
  /// names the setting for the `Retry-After`.
  private func attemptsText(_ attempt: Int, error: HTTPError) -> String {
    let attempts = "after \(attempt) attempt\(attempt == 1 ? "" : "s")"
    if attempt >= retryPolicy.maxAttempts { return "\(attempts) (\(attemptsSetting)): " }
    if !retryPolicy.shouldRetry(error) {
      return "\(attempts), because the error is not retried: "
    }
    return "\(attempts): "
  }

  private func waitForSpacing() {
    guard let lastRequestStart else { return }
    let wait = spacing - Date().timeIntervalSince(lastRequestStart)
    if wait > 0 { Thread.sleep(forTimeInterval: wait) }
  }
}
