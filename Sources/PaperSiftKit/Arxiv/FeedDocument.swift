import Foundation

/// The formats PaperSift reads arXiv listings from.
public enum FeedFormat: String, Sendable, CaseIterable {
  /// arXiv's RSS 2.0 feed, as served by `rss.arxiv.org` since 2024.
  case rss
  /// An arXiv API (`/api/query`) Atom response.
  case atom
  /// One JSON object per line with `id`, `title`, `authors`, `abstract`, `categories`.
  case jsonLines = "jsonl"
}

/// The papers read from one file or response.
public struct FeedDocument: Sendable, Equatable {
  public var format: FeedFormat
  /// The file name or URL the papers came from.
  public var source: String
  /// The announcement day, `YYYY-MM-DD`, or nil when the source has none
  /// (an Atom response, a JSON Lines file whose name carries no day).
  public var date: String?
  public var papers: [Paper]
  /// The RSS items or Atom entries left out because they have no arXiv id
  /// or repeat an earlier item's id, or the JSON Lines lines left out as
  /// invalid or repeated. The items in ``futureMonthIDs`` count too.
  public var skippedItems: Int
  /// The items or lines of ``skippedItems`` left out because an earlier one
  /// has the same id.
  public var repeatedItems: Int
  /// The ids of the items left out because their month is in the future.
  public var futureMonthIDs: [String] = []

  public init(
    format: FeedFormat, source: String, date: String?, papers: [Paper], skippedItems: Int = 0,
    repeatedItems: Int = 0
  ) {
    self.format = format
    self.source = source
    self.date = date
    self.papers = papers
    self.skippedItems = skippedItems
    self.repeatedItems = repeatedItems
  }
}

/// The warnings and the rejection that the RSS and Atom readers share for
/// incomplete items. The JSON Lines reader shares the warning for an empty
/// title, abstract or author list and the limit on warnings.
enum FeedItemChecks {
  static let logger = Logger(label: "feed")
  /// The number of skipped items logged one by one. The count line covers the rest.
  static let maxItemWarnings = 20

  /// An item left out because it has no arXiv id.
  struct SkippedItem {
    /// The 1-based position among the feed's items.
    var position: Int
    var line: Int
    /// The item's link, when it has one.
    var link: String?
  }

  /// Logs a warning when a kept paper has an empty title, abstract or author list.
  ///
  /// Such a paper is still stored, because it has an id. ``PaperStore``
  /// keeps a stored title, abstract or author list that a later empty one
  /// would replace.
  static func warnIfEmpty(_ paper: Paper, line: Int, source: String) {
    let empty = [
      paper.title.isEmpty ? "title" : nil, paper.abstract.isEmpty ? "abstract" : nil,
      paper.authors.isEmpty ? "authors" : nil,
    ].compactMap { $0 }
    guard !empty.isEmpty else { return }
    logger.warning(
      "Feed item has an empty title, abstract or author list; kept",
      [
        ("paper", paper.id), ("empty", empty.joined(separator: ",")), ("line", "\(line)"),
        ("source", source),
      ])
  }

  /// Logs the first ``maxItemWarnings`` skipped items one by one, then their count.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput` when the feed has
  ///   items and every one of them was skipped, since such a feed is broken
  ///   or not an arXiv feed. A feed without items is a valid empty day.
  static func reportSkipped(
    _ skipped: [SkippedItem], itemCount: Int, pluralName: String, idPlaces: String,
    source: String
  ) throws {
    guard let first = skipped.first else { return }
    if skipped.count == itemCount {
      throw PaperSiftError(
        .invalidInput,
        "None of the \(itemCount) \(pluralName) of '\(source)' has an arXiv id in its "
          + "\(idPlaces) (the first is at line \(first.line)). Fetch the feed again, or check "
          + "that it is an arXiv feed.")
    }
    for item in skipped.prefix(maxItemWarnings) {
      logger.warning(
        "Feed item has no arXiv id; skipped",
        [
          ("position", "\(item.position)"), ("line", "\(item.line)"),
          ("link", item.link ?? "none"), ("source", source),
        ])
    }
    logger.warning(
      "Skipped feed items without an arXiv id",
      [
        ("skipped", "\(skipped.count)"), ("items", "\(itemCount)"),
        ("positions", ranges(skipped.map(\.position))),
        ("without_warning", "\(max(0, skipped.count - maxItemWarnings))"), ("source", source),
      ])
  }

  /// An item left out because an earlier item of the same feed has its id.
  struct RepeatedItem {
    var id: String
    var line: Int
    var firstLine: Int
  }

  /// Returns `papers` with each id once, the first item kept, and the
  /// items left out. `lines` gives each paper's line in the feed.
  static func keepingFirst(_ papers: [Paper], lines: [Int]) -> ([Paper], [RepeatedItem]) {
    var firstLines: [String: Int] = [:]
    var unique: [Paper] = []
    var repeated: [RepeatedItem] = []
    for (paper, line) in zip(papers, lines) {
      if let firstLine = firstLines[paper.id] {
        repeated.append(RepeatedItem(id: paper.id, line: line, firstLine: firstLine))
      } else {
        firstLines[paper.id] = line
        unique.append(paper)
      }
    }
    return (unique, repeated)
  }

  /// Logs the first ``maxItemWarnings`` repeated items one by one, then a
  /// count that names the line of every one.
  static func reportRepeated(_ repeated: [RepeatedItem], source: String) {
    guard !repeated.isEmpty else { return }
    for item in repeated.prefix(maxItemWarnings) {
      logger.warning(
        "Feed item repeats a paper; skipped, first item kept",
        [
          ("paper", item.id), ("line", "\(item.line)"), ("first_line", "\(item.firstLine)"),
          ("source", source),
        ])
    }
    logger.warning(
      "Skipped feed items that repeat a paper",
      [
        ("skipped", "\(repeated.count)"), ("lines", ranges(repeated.map(\.line))),
        ("without_warning", "\(max(0, repeated.count - maxItemWarnings))"), ("source", source),
      ])
  }

  /// Returns ascending numbers as comma-separated ranges, such as `2,5-7`.
  static func ranges(_ numbers: [Int]) -> String {
    var parts: [String] = []
    var index = numbers.startIndex
    while index < numbers.endIndex {
      var end = index
      while end + 1 < numbers.endIndex, numbers[end + 1] == numbers[end] + 1 { end += 1 }
      let first = numbers[index]
      parts.append(end == index ? "\(first)" : "\(first)-\(numbers[end])")
      index = end + 1
    }
    return parts.joined(separator: ",")
  }
}

/// Reads arXiv listings in any ``FeedFormat``, detected from the content.
public enum FeedReader {
  /// Reads the file at `url`, skipping the ids whose month is in the future at `now`.
  ///
  /// - Throws: ``PaperSiftError`` when the file cannot be read, its format is
  ///   not recognised, or it is malformed (the message names the file and
  ///   the position).
  public static func read(contentsOf url: URL, now: Date = Date()) throws -> FeedDocument {
    if FileManager.default.isFolder(url) {
      throw PaperSiftError(
        .invalidInput,
        "'\(url.path)' is a folder. Pass the RSS, Atom or JSON Lines files inside it.")
    }
    let data: Data
    do {
      data = try FileManager.default.contents(readingAllOf: url)
    } catch {
      let code: PaperSiftError.Code =
        FileManager.default.fileExists(atPath: url.path) ? .io : .invalidInput
      throw PaperSiftError(
        code,
        "Unable to read '\(url.path)': \(PaperSiftError.describe(error)). Check the path.",
        underlying: error)
    }
    return try parse(data, source: url.path, fileName: url.lastPathComponent, now: now)
  }

  /// Parses `data` in whichever format its first characters show.
  ///
  /// - Parameters:
  ///   - data: The bytes of an RSS feed, an Atom response or a JSON Lines day.
  ///   - source: The file name or URL shown in error messages.
  ///   - fileName: The base name of a file, from which a JSON Lines day
  ///     named `YYYY-MM-DD.papers.jsonl` takes its date.
  ///   - now: The time against which a new-style id's month is checked.
  ///     Papers whose month is in the future are skipped with a warning.
  /// - Returns: The papers, with the day when the content or the name gives one.
  /// - Throws: ``PaperSiftError`` with code `invalidInput` when the format is
  ///   not recognised, the content is malformed, every paper has an id
  ///   whose month is in the future, or the day is one arXiv has not
  ///   announced yet at `now`, naming `source` and the position or the day.
  public static func parse(
    _ data: Data, source: String, fileName: String? = nil, now: Date = Date()
  ) throws -> FeedDocument {
    do {
      let document = try parseKeepingAPIErrors(
        data, source: source, fileName: fileName, now: now)
      try FeedItemChecks.checkAnnouncedDay(
        of: document, now: now, advice: FeedItemChecks.fileDayAdvice)
      return document
    } catch let apiError as ArxivAPIErrorEntry {
      throw PaperSiftError(.invalidInput, apiError.fileMessage(source: source))
    }
  }

  /// Parses `data` like ``parse(_:source:fileName:now:)``, but throws an
  /// error entry of the arXiv API as ``ArxivAPIErrorEntry``, so that the
  /// API client can find which id the API rejected.
  static func parseKeepingAPIErrors(
    _ data: Data, source: String, fileName: String? = nil, now: Date = Date()
  ) throws -> FeedDocument {
    let document = try parseFormat(data, source: source, fileName: fileName)
    return try FeedItemChecks.skippingFutureMonths(document, now: now)
  }

  /// Parses `data` in whichever format its first characters show, keeping every id.
  static func parseFormat(_ data: Data, source: String, fileName: String?) throws
    -> FeedDocument
  {
    switch detectFormat(data) {
    case .xml:
      let root = try XMLTree.parse(data, source: source)
      if root.name == "rss" {
        return try RSSFeedParser.parse(root, source: source)
      }
      if root.name == "feed", root.namespace == XMLNamespace.atom {
        return try AtomFeedParser.parse(root, source: source)
      }
      throw PaperSiftError(
        .invalidInput,
        "'\(source)' is XML but neither an RSS feed nor an Atom feed (root element "
          + "<\(root.name)>). Pass an arXiv RSS feed or an arXiv API response.")
    case .jsonLines:
      return try JSONLinesDayParser.parse(data, source: source, fileName: fileName)
    case .empty:
      throw PaperSiftError(
        .invalidInput,
        "'\(source)' is empty: expected an arXiv RSS feed, an arXiv API response or a "
          + "JSON Lines day. A day without announcements still has an RSS channel, so pass "
          + "the feed itself.")
    case .unknown:
      throw PaperSiftError(
        .invalidInput,
        "The format of '\(source)' is not recognised: expected arXiv RSS or Atom XML, "
          + "or JSON Lines with one paper object per line.")
    }
  }

  enum DetectedFormat {
    case xml
    case jsonLines
    case empty
    case unknown
  }

  /// Looks at the first character after a byte order mark and whitespace.
  static func detectFormat(_ data: Data) -> DetectedFormat {
    var bytes = data.prefix(4096)[...]
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
    let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
    guard let first = bytes.first(where: { !whitespace.contains($0) }) else { return .empty }
    switch first {
    case UInt8(ascii: "<"): return .xml
    case UInt8(ascii: "{"): return .jsonLines
    default: return .unknown
    }
  }
}
