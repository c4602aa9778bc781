import Foundation

/// The `fetch` section of the configuration: where arXiv listings come from
/// and which announcements are kept.
public struct FetchSettings: Codable, Sendable, Equatable {
  /// The RSS service; a feed is at `{rssBaseURL}/{category}+{category}`.
  public var rssBaseURL = "https://rss.arxiv.org/rss"
  /// The arXiv API query endpoint used for `id_list` look-ups.
  public var apiBaseURL = "https://export.arxiv.org/api/query"
  /// The categories whose joined feed `papersift fetch` downloads.
  public var categories = ["cs.LG", "cs.AI"]
  /// Whether papers cross-listed from another primary category are kept.
  public var keepCrossLists = true
  /// Whether new versions of papers announced before are kept.
  public var keepReplacements = false
  /// Seconds allowed to open a connection.
  public var connectTimeoutSeconds = 10.0
  /// Seconds allowed for one whole request.
  public var requestTimeoutSeconds = 60.0
  /// The number of attempts per request, the first included.
  public var maxAttempts = 4
  /// The longest `Retry-After` that a request waits for before its next
  /// attempt, in seconds. A longer one fails the request at once.
  public var maxRetryAfterSeconds = RetryPolicy.defaultMaxRetryAfter
  /// Seconds allowed for one arXiv API request of `like`, `dislike`
  /// and `unlike`, which a user waits for at the terminal. arXiv's API
  /// usually responds to an `id_list` query of 100 ids within a few seconds.
  public var lookupTimeoutSeconds = 15.0
  /// The number of attempts per arXiv API request of `like`, `dislike`
  /// and `unlike`, the first included. Feedback that a failed look-up
  /// leaves pending is looked up again by the next fetch, run or like.
  public var lookupMaxAttempts = 2

  public init() {}

  public init(from decoder: any Decoder) throws {
    let defaults = FetchSettings()
    let container = try decoder.container(keyedBy: CodingKeys.self)
    rssBaseURL =
      try container.decodeIfPresent(String.self, forKey: .rssBaseURL) ?? defaults.rssBaseURL
    apiBaseURL =
      try container.decodeIfPresent(String.self, forKey: .apiBaseURL) ?? defaults.apiBaseURL
    categories =
      try container.decodeIfPresent([String].self, forKey: .categories) ?? defaults.categories
    keepCrossLists =
      try container.decodeIfPresent(Bool.self, forKey: .keepCrossLists)
      ?? defaults.keepCrossLists
    keepReplacements =
      try container.decodeIfPresent(Bool.self, forKey: .keepReplacements)
      ?? defaults.keepReplacements
    connectTimeoutSeconds =
      try container.decodeIfPresent(Double.self, forKey: .connectTimeoutSeconds)
      ?? defaults.connectTimeoutSeconds
    requestTimeoutSeconds =
      try container.decodeIfPresent(Double.self, forKey: .requestTimeoutSeconds)
      ?? defaults.requestTimeoutSeconds
    maxAttempts =
      try container.decodeWholeNumber(forKey: .maxAttempts) ?? defaults.maxAttempts
    maxRetryAfterSeconds =
      try container.decodeIfPresent(Double.self, forKey: .maxRetryAfterSeconds)
      ?? defaults.maxRetryAfterSeconds
    lookupTimeoutSeconds =
      try container.decodeIfPresent(Double.self, forKey: .lookupTimeoutSeconds)
      ?? defaults.lookupTimeoutSeconds
    lookupMaxAttempts =
      try container.decodeWholeNumber(forKey: .lookupMaxAttempts) ?? defaults.lookupMaxAttempts
  }

  /// Checks the values that the file could set to something unusable.
  ///
  /// - Throws: ``PaperSiftError`` with code `configuration` naming the key.
  public func validate() throws {
    let defaults = FetchSettings()
    try URLSetting.check(
      "fetch.rssBaseURL", rssBaseURL, example: defaults.rssBaseURL,
      use: .pathAppended("/ and the categories"))
    try URLSetting.check(
      "fetch.apiBaseURL", apiBaseURL, example: defaults.apiBaseURL,
      use: .queryAppended(ArxivAPIClient.queryItemNames))
    try SettingRange.checkSeconds("fetch.connectTimeoutSeconds", connectTimeoutSeconds)
    try SettingRange.checkSeconds("fetch.requestTimeoutSeconds", requestTimeoutSeconds)
    try SettingRange.checkCount("fetch.maxAttempts", maxAttempts, in: SettingRange.attempts)
    try SettingRange.checkSeconds("fetch.lookupTimeoutSeconds", lookupTimeoutSeconds)
    try SettingRange.checkCount(
      "fetch.lookupMaxAttempts", lookupMaxAttempts, in: SettingRange.attempts)
    try SettingRange.checkSeconds(
      "fetch.maxRetryAfterSeconds", maxRetryAfterSeconds, allowsZero: true)
    guard !categories.isEmpty, categories.allSatisfy({ !$0.isEmpty }) else {
      throw PaperSiftError(
        .configuration,
        "Invalid fetch.categories in the configuration: expected one or more arXiv categories, "
          + "such as [\"cs.LG\", \"cs.AI\"].")
    }
  }

  /// Returns a sentence naming `setting`, the key that limits a request to
  /// `seconds`, when `error` is a time-out.
  static func timeoutHint(
    for error: HTTPError, seconds: Double, setting: String = "fetch.requestTimeoutSeconds"
  ) -> String {
    guard case .timedOut = error.kind else { return "" }
    return " \(setting) sets that limit (now \(secondsText(seconds)))."
  }

  /// The announce types that are stored; the others are skipped.
  ///
  /// New papers and sources without a type (API look-ups) are always kept.
  public var keptAnnounceTypes: Set<AnnounceType> {
    AnnounceType.keptTypes(crossLists: keepCrossLists, replacements: keepReplacements)
  }
}

extension AnnounceType {
  /// Returns the announce types to store when cross-lists and replacements
  /// are switched on or off. The set always contains `new` and `unknown`.
  public static func keptTypes(crossLists: Bool, replacements: Bool) -> Set<AnnounceType> {
    var kept: Set<AnnounceType> = [.new, .unknown]
    if crossLists { kept.insert(.cross) }
    if replacements {
      kept.insert(.replace)
      if crossLists { kept.insert(.replaceCross) }
    }
    return kept
  }
}
