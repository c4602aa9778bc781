import Foundation

/// Downloads the day's listing from arXiv's RSS service.
///
/// One request fetches the joined feed of all categories,
/// `{rssBaseURL}/cs.LG+cs.AI`, which lists each paper once. Transient
/// failures (timeouts, 429, 5xx) are retried as the retry policy sets.
public struct ArxivFeedClient: Sendable {
  public var settings: FetchSettings
  public var retryPolicy: RetryPolicy
  private let http: HTTPClient
  private let logger = Logger(label: "fetch")

  /// Creates a client; without `retryPolicy`, a request is tried
  /// `settings.maxAttempts` times, the first retry after about 2 seconds,
  /// and waits for a `Retry-After` of up to `settings.maxRetryAfterSeconds`.
  public init(
    settings: FetchSettings, retryPolicy: RetryPolicy? = nil, http: HTTPClient = HTTPClient()
  ) {
    self.settings = settings
    self.retryPolicy =
      retryPolicy
      ?? RetryPolicy(
        maxAttempts: max(1, settings.maxAttempts), baseDelay: 2,
        maxRetryAfter: settings.maxRetryAfterSeconds)
    self.http = http
  }

  /// Returns the feed URL for `categories`.
  ///
  /// - Throws: ``PaperSiftError`` when the list is empty or a name is not an
  ///   arXiv category such as `cs.LG` or `hep-th`.
  public func feedURL(categories: [String]) throws -> String {
    guard !categories.isEmpty else {
      throw PaperSiftError(
        .invalidInput, "No categories to fetch. Pass --categories, for example cs.LG,cs.AI.")
    }
    for category in categories where category.wholeMatch(of: /[a-z-]+(\.[A-Za-z-]+)?/) == nil {
      throw PaperSiftError(
        .invalidInput,
        "Invalid arXiv category '\(category)': expected a name such as cs.LG, stat.ML or hep-th.")
    }
    var base = settings.rssBaseURL
    while base.hasSuffix("/") { base.removeLast() }
    return base + "/" + categories.joined(separator: "+")
  }

  /// Downloads and parses today's feed for `categories`.
  ///
  /// - Returns: The day's papers; a weekend or holiday feed has none.
  /// - Throws: ``PaperSiftError`` for unusable settings, or naming the URL
  ///   when the download fails after the retries or the response is not a
  ///   valid feed.
  public func fetchToday(categories: [String]) throws -> FeedDocument {
    try settings.validate()
    let url = try feedURL(categories: categories)
    let request = HTTPRequest(
      url: url, headers: [("Accept", "application/rss+xml, application/xml")],
      connectTimeout: settings.connectTimeoutSeconds,
      totalTimeout: settings.requestTimeoutSeconds)
    // Logs and messages show fetch.rssBaseURL without its user name and password.
    let displayURL = SecretRedaction.displayURL(url)
    logger.info("Fetching the arXiv feed", [("url", displayURL)])

    let response: HTTPResponse
    do {
      response = try http.send(request, retrying: retryPolicy) { attempt, error, delay in
        logger.warning(
          "Retrying the arXiv feed",
          [
            ("url", displayURL), ("attempt", String(attempt)),
            ("delay_s", String(format: "%.2f", delay)),
            ("error", error.description),
          ])
      }
    } catch let error as HTTPError {
      throw PaperSiftError(
        .network,
        "Unable to download the arXiv feed: "
          + retryPolicy.describe(error, setting: "fetch.maxRetryAfterSeconds")
          + FetchSettings.timeoutHint(for: error, seconds: settings.requestTimeoutSeconds),
        underlying: error)
    }

    // A download cut short or mangled on the way is worth trying again
    // later, so it fails as a network error, not as bad input.
    let document = try FeedResponse.parse(response, url: displayURL, expecting: FeedResponse.rss)
    logger.info(
      "Fetched the arXiv feed",
      [
        ("url", displayURL), ("papers", String(document.papers.count)),
        ("date", document.date ?? "none"),
      ])
    return document
  }

  /// Downloads today's feed for the configured categories and stores it in
  /// one transaction, keeping the announce types the settings choose.
  ///
  /// A feed without a `pubDate` is stored under today's date in New York,
  /// where arXiv announces. A feed without items stores nothing.
  ///
  /// - Returns: The feed and what storing it changed.
  /// - Throws: ``PaperSiftError`` when the download, the parsing or the
  ///   database write fails; nothing is stored then.
  public func fetchToday(into store: PaperStore) throws -> (FeedDocument, ImportSummary) {
    var document = try fetchToday(categories: settings.categories)
    guard !document.papers.isEmpty else { return (document, ImportSummary()) }

    if document.date == nil {
      document.date = ArxivFeedClient.todayInNewYork()
      logger.warning(
        "The feed has no pubDate; using today's date in New York",
        [("date", document.date ?? "")])
    }
    let summaries = try store.importDocuments([document], keeping: settings.keptAnnounceTypes)
    return (document, summaries.first ?? ImportSummary())
  }

  /// Returns today's date where arXiv announces, `YYYY-MM-DD`.
  static func todayInNewYork() -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "America/New_York") ?? .gmt
    let parts = calendar.dateComponents([.year, .month, .day], from: Date())
    return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
  }
}
