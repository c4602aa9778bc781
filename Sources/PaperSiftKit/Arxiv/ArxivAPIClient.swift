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
  }

  /// Creates a client with the base URL and timeouts of the `fetch` configuration.
  ///
  /// - Throws: ``PaperSiftError`` with code `configuration` for an unusable setting.
  public convenience init(settings: FetchSettings) throws {
    try settings.validate()
    self.init(
      baseURL: settings.apiBaseURL,
      retryPolicy: RetryPolicy(
        maxAttempts: max(1, settings.maxAttempts), baseDelay: 3,
        maxRetryAfter: settings.maxRetryAfterSeconds),
      connectTimeout: settings.connectTimeoutSeconds,
      requestTimeout: settings.requestTimeoutSeconds)
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
    var wanted: [String] = []
    var seen = Set<String>()
    for text in ids {
      let id = try ArxivIdentifier(parsing: text).id
      if seen.insert(id).inserted { wanted.append(id) }
    }

    var found: [String: Paper] = [:]
    for start in stride(from: 0, to: wanted.count, by: ArxivAPIClient.maxBatchSize) {
      let batch = Array(wanted[start..<min(start + ArxivAPIClient.maxBatchSize, wanted.count)])
      for paper in try lookUp(batch) {
        found[paper.id] = paper
      }
    }

    let missing = wanted.filter { found[$0] == nil }
    if !missing.isEmpty {
      logger.warning(
        "arXiv API returned no entry for some ids",
        [("count", String(missing.count)), ("ids", missing.prefix(10).joined(separator: ","))])
    }
    return wanted.compactMap { found[$0] }
  }

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
    return try FeedReader.parse(
      response.body, source: SecretRedaction.displayURL(url)
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
            "The arXiv API look-up of \(idCount) ids failed after \(attempt) "
              + "attempt\(attempt == 1 ? "" : "s"): "
              + retryPolicy.describe(error, setting: "fetch.maxRetryAfterSeconds")
              + FetchSettings.timeoutHint(for: error, seconds: requestTimeout),
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

  private func waitForSpacing() {
    guard let lastRequestStart else { return }
    let wait = spacing - Date().timeIntervalSince(lastRequestStart)
    if wait > 0 { Thread.sleep(forTimeInterval: wait) }
  }
}
