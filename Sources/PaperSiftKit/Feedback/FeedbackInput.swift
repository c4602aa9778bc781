import Foundation

/// Looks papers up by id in a remote catalogue, the arXiv API in PaperSift.
public protocol PaperLookup {
  /// Returns the papers found and the ids that the catalogue rejected;
  /// other ids unknown to the catalogue are left out of both.
  ///
  /// - Throws: A network error when the catalogue cannot be reached.
  func lookUp(ids: [String]) throws -> PaperLookupResult
}

/// The papers that a look-up found and the ids that the catalogue rejected.
public struct PaperLookupResult: Sendable, Equatable {
  public var papers: [Paper]
  /// The catalogue's reason by version-less id, such as arXiv's
  /// "incorrect id format for 2505.77777".
  public var rejected: [String: String]

  public init(papers: [Paper], rejected: [String: String] = [:]) {
    self.papers = papers
    self.rejected = rejected
  }
}

/// Stores looked-up papers, the paper store in PaperSift.
public protocol PaperImporting {
  func importPapers(_ papers: [Paper]) throws
}

/// What happened to the papers of a like or dislike that were not in the database.
public struct LookupOutcome: Sendable, Equatable {
  /// Found and imported.
  public var imported: [String] = []
  /// The catalogue could not be reached; the feedback waits for the paper's import.
  public var pending: [String] = []
  /// The catalogue returned no paper for these ids.
  public var notFound: [String] = []
  /// The catalogue rejected these ids, with its reason by id. That is a
  /// definite result, unlike an empty response, which the API can send
  /// under load.
  public var rejected: [String: String] = [:]
  /// The lookup error's text, when the catalogue could not be reached.
  public var failure: String?
}

/// The arXiv ids read from a `like --from` file.
public struct FeedbackFileContents: Sendable, Equatable {
  /// The ids in file order, each id once.
  public var identifiers: [ArxivIdentifier]
  /// The list lines that are no valid id, in a BibTeX file those outside
  /// entries.
  public var invalidLines: [InvalidListLine] = []
  /// The BibTeX entries that gave no id, always empty for an id list.
  public var skippedEntries: [SkippedBibTeXEntry] = []
  /// The number of BibTeX entries read, not counting `@comment`,
  /// `@preamble` and `@string` blocks, or 0 for an id list.
  public var entryCount = 0
}

/// A line of an id list that is not a valid arXiv id.
public struct InvalidListLine: Sendable, Equatable {
  /// The 1-based line number.
  public var line: Int
  /// The line without its comment and leading and trailing spaces and
  /// tabs, or the part of it that is invalid.
  public var text: String
  /// The reason the id on the line is rejected, or nil when the line is
  /// in no accepted form.
  public var rejection: ArxivIdentifier.Rejection?
  /// Whether ``text`` is one part of a line whose other parts gave ids.
  public var isPartOfLine = false
}

/// A BibTeX entry that gave no arXiv id.
public struct SkippedBibTeXEntry: Sendable, Equatable {
  /// The citation key, possibly empty.
  public var key: String
  /// The 1-based line on which the entry starts.
  public var line: Int
  /// The reason the entry's arXiv field was rejected, such as
  /// `invalid eprint '2503.2000'`, or nil when the entry has no arXiv field.
  public var problem: String?

  /// The citation key, or "the entry on line N" for an entry without one.
  var name: String { key.isEmpty ? "the entry on line \(line)" : key }
}

/// Reads arXiv ids from a list or a BibTeX file.
public enum FeedbackInput {
  /// Reads the file at `url` and parses it with ``parse(_:source:now:)``.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput` when `url` is a
  ///   folder, is not UTF-8 text or is malformed. The message on UTF-8 gives
  ///   the offset of the first invalid byte, or when the file does not
  ///   exist. The code is `io` when the file exists but cannot be read.
  public static func read(contentsOf url: URL, now: Date = Date()) throws
    -> FeedbackFileContents
  {
    let path = url.path
    let exists = FileManager.default.fileExists(atPath: path)
    if FileManager.default.isFolder(url) {
      throw PaperSiftError(
        .invalidInput,
        "'\(path)' is a folder, not a file. Pass a file with one arXiv id or URL a line, "
          + "or a BibTeX file.")
    }
    let data: Data
    do {
      data = try FileManager.default.contents(readingAllOf: url)
    } catch {
      throw PaperSiftError(
        exists ? .io : .invalidInput,
        "Unable to read '\(path)': \(PaperSiftError.describe(error)). Check the path.",
        underlying: error)
    }
    return try parse(text(of: data, path: path), source: path, now: now)
  }

  /// Decodes `data` as UTF-8 text, dropping a leading byte order mark.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput`, naming `path`
  ///   and the offset of the first byte that is invalid UTF-8 or NUL. NUL is
  ///   valid UTF-8 but occurs in binary and UTF-16 files, not in id lists.
  static func text(of data: Data, path: String) throws -> String {
    // The raw buffer is searched many times faster than `Data` itself.
    let invalidOffset =
      data.withUnsafeBytes { $0.firstIndex(of: 0) }
      ?? TopicsFile.firstInvalidUTF8Offset(in: data)
    guard invalidOffset == nil, var text = String(data: data, encoding: .utf8) else {
      throw PaperSiftError(
        .invalidInput,
        "'\(path)' is not a UTF-8 text file: byte \(invalidOffset ?? 0) of \(data.count) "
          + "is invalid. Pass a list of arXiv ids or a BibTeX file, saved as UTF-8.")
    }
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    return text
  }

  /// Parses `text` as BibTeX when a line starts with an `@type{` or
  /// `@type(` entry, else as a list of ids or URLs. In BibTeX, the lines
  /// outside entries that contain ids are read as list lines too, as
  /// ``readOutsideLine(_:number:currentMonth:)`` describes.
  ///
  /// ``readListLine(_:number:currentMonth:)`` describes how a list line is
  /// split into ids and comments, and which lines or parts of lines are
  /// returned as invalid. For
  /// BibTeX, see ``identifier(of:now:)`` for the fields an entry's id is
  /// taken from. A new-style id whose month is in the future at `now` is
  /// invalid, as ``ArxivIdentifier/futureMonthReason(now:)`` describes.
  /// Error messages name the file as `source`.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput` naming the first
  ///   malformed BibTeX entry.
  public static func parse(_ text: String, source: String, now: Date = Date()) throws
    -> FeedbackFileContents
  {
    let lines = lines(of: text)
    // An entry starts a line, so "see @article(this)" in a note does not make a list BibTeX.
    if lines.contains(where: startsBibTeXEntry) {
      return try parseBibTeX(text, source: source, now: now)
    }
    var result: [ArxivIdentifier] = []
    result.reserveCapacity(lines.count)
    var invalid: [InvalidListLine] = []
    let currentMonth = ArxivIdentifier.monthNumber(of: now)
    for (number, line) in lines.enumerated() {
      let read = readListLine(line, number: number + 1, currentMonth: currentMonth)
      result += read.identifiers
      invalid += read.invalid
    }
    return FeedbackFileContents(identifiers: unique(result), invalidLines: invalid)
  }

  /// Splits `text` at each line break that `Character.isNewline` matches:
  /// LF, VT, FF, CR, CR LF, NEL, LS and PS.
  ///
  /// Reads UTF-8 bytes instead of grapheme clusters, which is several times
  /// faster on a file of a million ids. A line break is never part of a
  /// larger grapheme cluster except CR LF, so the lines are the same.
  static func lines(of text: String) -> [Substring] {
    var lines: [Substring] = []
    let bytes = text.utf8
    var start = bytes.startIndex
    var index = start
    while index != bytes.endIndex {
      let next = bytes.index(after: index)
      let rest = bytes[next...]
      var breakEnd: String.Index?
      switch bytes[index] {
      case 0x0A, 0x0B, 0x0C:
        breakEnd = next
      case 0x0D:
        breakEnd = rest.first == 0x0A ? bytes.index(after: next) : next
      case 0xC2 where rest.first == 0x85:
        breakEnd = bytes.index(after: next)
      case 0xE2 where rest.starts(with: [0x80, 0xA8]) || rest.starts(with: [0x80, 0xA9]):
        breakEnd = bytes.index(next, offsetBy: 2)
      default:
        break
      }
      guard let breakEnd else {
        index = next
        continue
      }
      lines.append(text[start..<index])
      start = breakEnd
      index = breakEnd
    }
    lines.append(text[start...])
    return lines
  }

  /// Tells whether `line` starts a BibTeX entry: spaces or tabs, `@`, ASCII
  /// letters, spaces or tabs, then `{` or `(`.
  static func startsBibTeXEntry(_ line: Substring) -> Bool {
    let isBlank = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
    var rest = line.utf8.drop(while: isBlank)
    guard rest.first == UInt8(ascii: "@") else { return false }
    rest = rest.dropFirst()
    let type = rest.prefix { byte in
      (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
        || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
    guard !type.isEmpty else { return false }
    rest = rest[type.endIndex...].drop(while: isBlank)
    return rest.first == UInt8(ascii: "{") || rest.first == UInt8(ascii: "(")
  }

  public static func unique(_ identifiers: [ArxivIdentifier]) -> [ArxivIdentifier] {
    var seen = Set<String>()
    return identifiers.filter { seen.insert($0.id).inserted }
  }

  /// The number of UTC days whose arXiv look-ups must find no paper before
  /// pending feedback is removed, because the API can return no entry under
  /// load.
  public static let lookupMissDaysBeforeRemoval = 3

  /// Counts an arXiv look-up that returned no entry for `ids`, and deletes
  /// the pending feedback on those that look-ups on
  /// ``lookupMissDaysBeforeRemoval`` separate UTC days found nothing for.
  /// Otherwise they would be looked up again on every run. Logs a warning
  /// with the ids still pending and the ids removed.
  ///
  /// - Parameters:
  ///   - ids: Version-less arXiv ids that the look-up did not return.
  ///   - database: Where the feedback is stored.
  ///   - now: The time of the look-up, whose UTC day is counted.
  /// - Returns: The ids still pending, each with its count of days without a
  ///   paper, and the ids whose feedback was removed.
  /// - Throws: ``PaperSiftError`` with code `database` when SQLite fails.
  @discardableResult
  public static func recordNotFound(_ ids: [String], database: Database, now: Date = Date())
    throws -> (stillPending: [String: Int], removed: [String])
  {
    let store = FeedbackStore(database: database)
    let days = try store.recordLookupMiss(ids, day: utcDay(now))
    let removed = ids.filter { (days[$0] ?? 0) >= lookupMissDaysBeforeRemoval }
    let stillPending = days.filter { $0.value < lookupMissDaysBeforeRemoval }
    let logger = Logger(label: "feedback")
    for count in Set(stillPending.values).sorted() {
      let countedIds = ids.filter { stillPending[$0] == count }
      logger.warning(
        "arXiv returned no paper for these pending ids, so their feedback stays pending until "
          + "look-ups on \(lookupMissDaysBeforeRemoval) separate UTC days find nothing",
        [
          ("ids", countedIds.joined(separator: ",")), ("days_without_paper", "\(count)"),
          ("removed_after_days", "\(lookupMissDaysBeforeRemoval)"),
        ])
    }
    guard !removed.isEmpty else { return (stillPending, []) }
    _ = try store.remove(removed.compactMap { try? ArxivIdentifier(parsing: $0) })
    logger.warning(
      "arXiv has no paper with these ids, so their pending feedback was removed; "
        + "check the ids and give the feedback again",
      [
        ("ids", removed.joined(separator: ",")),
        ("days_without_paper", "\(lookupMissDaysBeforeRemoval)"),
      ])
    return (stillPending, removed)
  }

  /// Returns the UTC day of `date`, `YYYY-MM-DD`.
  static func utcDay(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
    let parts = calendar.dateComponents([.year, .month, .day], from: date)
    return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
  }

  /// Looks up the ids that have no row in `papers` and imports what is found.
  ///
  /// A lookup that throws leaves every unknown id pending.
  public static func resolveUnknown(
    _ ids: [String], database: Database, lookup: (any PaperLookup)?,
    importer: (any PaperImporting)?
  ) throws -> LookupOutcome {
    var outcome = LookupOutcome()
    let stored = try PaperStore(database: database).storedIDs(among: ids)
    let unknown = ids.filter { !stored.contains($0) }
    guard !unknown.isEmpty else { return outcome }
    guard let lookup, let importer else {
      outcome.pending = unknown
      return outcome
    }
    do {
      let result = try lookup.lookUp(ids: unknown)
      try importer.importPapers(result.papers)
      let foundIds = Set(result.papers.map(\.id))
      outcome.imported = unknown.filter { foundIds.contains($0) }
      outcome.rejected = result.rejected.filter { !foundIds.contains($0.key) }
      outcome.notFound = unknown.filter {
        !foundIds.contains($0) && outcome.rejected[$0] == nil
      }
    } catch let error as PaperSiftError where error.code == .database {
      throw error
    } catch {
      outcome.pending = unknown
      outcome.failure = String(describing: error)
    }
    return outcome
  }
}
