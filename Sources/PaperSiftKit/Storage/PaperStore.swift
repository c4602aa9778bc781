import Foundation

/// The changes of one import, counted in papers.
public struct ImportSummary: Sendable, Equatable {
  /// Papers stored for the first time.
  public var inserted = 0
  /// Stored papers that got a newer version, changed metadata or a later day.
  public var updated = 0
  /// Stored papers left as they were.
  public var unchanged = 0
  /// Replacements (`replace`, `replace-cross`) not stored because of the filter.
  public var skippedReplacements = 0
  /// Cross-lists not stored because of the filter.
  public var skippedCrossLists = 0

  public init() {}

  /// Papers written or confirmed: inserted, updated and unchanged.
  public var stored: Int { inserted + updated + unchanged }
}

/// A stored paper with the bookkeeping times of its row.
public struct StoredPaper: Sendable, Equatable {
  public var paper: Paper
  /// The time the paper was first stored, ISO 8601 in UTC. A replacement keeps it.
  public var firstSeen: String
  /// The time the row last changed, ISO 8601 in UTC.
  public var updated: String
}

/// One announcement day and the number of papers stored for it.
public struct AnnouncementDay: Sendable, Equatable {
  public var date: String
  public var papers: Int
}

/// Reads and writes papers and their announcements in the PaperSift database.
///
/// A paper row is keyed by the version-less arXiv id and contains the latest
/// version seen. The `announcements` table records each day a paper was
/// listed, with the type and version of that listing, so that a paper listed
/// again later (a replacement, say) still belongs to its first day too.
public final class PaperStore {
  public let database: Database
  private let now: () -> Date

  /// Creates a store on `database`; `now` is the clock for `first_seen` and
  /// `updated`, which tests fix.
  public init(database: Database, now: @escaping () -> Date = Date.init) {
    self.database = database
    self.now = now
  }

  /// Stores the papers listed on `date` in one transaction.
  ///
  /// Papers whose announce type is not in `keeping` are counted and skipped.
  /// A stored paper is updated when the listing has a newer version, changed
  /// metadata at the same version on the same or a later day, or a later
  /// day. An older version never replaces a newer one, and an older day's
  /// listing never replaces the text of a newer day's listing of the same
  /// version. An empty title, abstract or author list never
  /// replaces a stored one, while a non-empty one does, as a corrected
  /// listing should. Importing the same listing twice changes nothing.
  ///
  /// - Parameters:
  ///   - date: The announcement day, `YYYY-MM-DD`.
  ///   - papers: The day's listing; of papers listed twice, the highest version counts.
  ///   - keeping: The announce types to store.
  /// - Returns: What the import changed.
  /// - Throws: ``PaperSiftError`` for an invalid date or a database failure,
  ///   in which case nothing of this day is stored.
  @discardableResult
  public func importDay(
    date: String, papers: [Paper], keeping: Set<AnnounceType> = FetchSettings().keptAnnounceTypes
  ) throws -> ImportSummary {
    try database.transaction {
      try writeDay(date: date, papers: papers, keeping: keeping)
    }
  }

  /// Stores several documents in one transaction: all of them, or none.
  ///
  /// A document with a date is stored as that day's listing, as
  /// ``importDay(date:papers:keeping:)`` does. A document without one, such
  /// as an API response, is stored as ``store(_:)`` does.
  ///
  /// - Returns: One summary per document, in order.
  @discardableResult
  public func importDocuments(
    _ documents: [FeedDocument], keeping: Set<AnnounceType> = FetchSettings().keptAnnounceTypes
  ) throws -> [ImportSummary] {
    try database.transaction {
      try documents.map { document in
        if let date = document.date {
          return try writeDay(date: date, papers: document.papers, keeping: keeping)
        }
        return try writeUnlisted(document.papers)
      }
    }
  }

  /// Stores papers that were not announced in a listing, such as API look-ups.
  ///
  /// Records no announcement. A paper already stored is updated only by a
  /// newer version or changed metadata, and keeps its announcement day.
  @discardableResult
  public func store(_ papers: [Paper]) throws -> ImportSummary {
    try database.transaction {
      try writeUnlisted(papers)
    }
  }

  private func writeUnlisted(_ papers: [Paper]) throws -> ImportSummary {
    var summary = ImportSummary()
    let timestamp = PaperStore.timestamp(now())
    for paper in PaperStore.latestVersions(papers) {
      summary.count(try upsert(paper, date: nil, timestamp: timestamp))
    }
    return summary
  }

  private func writeDay(date: String, papers: [Paper], keeping: Set<AnnounceType>) throws
    -> ImportSummary
  {
    guard FeedText.isDay(date) else {
      throw PaperSiftError(
        .invalidInput, "Invalid announcement date '\(date)': expected YYYY-MM-DD.")
    }
    var summary = ImportSummary()
    let timestamp = PaperStore.timestamp(now())
    for paper in PaperStore.latestVersions(papers) {
      guard keeping.contains(paper.announceType) else {
        if paper.announceType.isReplacement {
          summary.skippedReplacements += 1
        } else {
          summary.skippedCrossLists += 1
        }
        continue
      }
      var listed = paper
      listed.announced = date
      summary.count(try upsert(listed, date: date, timestamp: timestamp))
      try recordAnnouncement(listed, date: date)
    }
    return summary
  }

  enum Outcome {
    case inserted
    case updated
    case unchanged
  }

  /// Inserts `paper` or updates its row as ``importDay(date:papers:keeping:)`` describes.
  private func upsert(_ paper: Paper, date: String?, timestamp: String) throws -> Outcome {
    guard let stored = try self.paper(id: paper.id) else {
      try database.run(
        """
        INSERT INTO papers (id, version, title, abstract, authors, categories, announce_type,
          announced, published, first_seen, updated)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        PaperStore.contentValues(paper) + [
          .text(paper.announceType.rawValue), PaperStore.optional(date),
          PaperStore.optional(paper.published), .text(timestamp), .text(timestamp),
        ])
      return .inserted
    }
    guard paper.version >= stored.version else { return .unchanged }

    // At an equal version, the text of a newer day's listing stays: an older
    // listing imported afterwards would otherwise undo a correction.
    let isEarlierDay = date.map { day in stored.announced.map { day < $0 } ?? false } ?? false
    var merged = stored
    if paper.version > stored.version
      || (!isEarlierDay && !PaperStore.sameContent(paper, stored))
    {
      merged.version = paper.version
      // A feed item with an empty title, abstract or author list is kept,
      // but its empty field does not replace what an earlier listing stored.
      merged.title = paper.title.isEmpty ? stored.title : paper.title
      merged.abstract = paper.abstract.isEmpty ? stored.abstract : paper.abstract
      merged.authors = paper.authors.isEmpty ? stored.authors : paper.authors
      merged.categories = paper.categories
      merged.published = paper.published ?? stored.published
    }
    if stored.published == nil, let published = paper.published {
      merged.published = published
    }
    if let date {
      // The row shows the paper's latest listing; the announcements table keeps the others.
      let isLaterDay = stored.announced.map { date > $0 } ?? true
      if isLaterDay || paper.version > stored.version {
        merged.announced = date
        merged.announceType = paper.announceType
      }
    }
    guard merged != stored else { return .unchanged }

    try database.run(
      """
      UPDATE papers SET version = ?, title = ?, abstract = ?, authors = ?, categories = ?,
        announce_type = ?, announced = ?, published = ?, updated = ?
      WHERE id = ?
      """,
      Array(PaperStore.contentValues(merged).dropFirst()) + [
        .text(merged.announceType.rawValue), PaperStore.optional(merged.announced),
        PaperStore.optional(merged.published), .text(timestamp), .text(merged.id),
      ])
    return .updated
  }

  /// Adds the (paper, day) announcement, or raises its version when this
  /// listing has a newer one.
  private func recordAnnouncement(_ paper: Paper, date: String) throws {
    try database.run(
      """
      INSERT INTO announcements (paper_id, date, announce_type, version) VALUES (?, ?, ?, ?)
      ON CONFLICT (paper_id, date) DO UPDATE
        SET announce_type = excluded.announce_type, version = excluded.version
        WHERE excluded.version > announcements.version
      """,
      [
        .text(paper.id), .text(date), .text(paper.announceType.rawValue),
        .integer(Int64(paper.version)),
      ])
  }
}

// MARK: - Queries

extension PaperStore {
  private static let paperColumns = """
    p.id, p.version, p.title, p.abstract, p.authors, p.categories, p.announce_type, \
    p.announced, p.published, p.first_seen, p.updated
    """

  /// Returns the paper stored under the version-less `id`, or nil.
  public func paper(id: String) throws -> Paper? {
    try record(id: id)?.paper
  }

  /// Returns the paper stored under the version-less `id` with its row times, or nil.
  public func record(id: String) throws -> StoredPaper? {
    let rows = try database.rows(
      "SELECT \(PaperStore.paperColumns) FROM papers p WHERE p.id = ?", [.text(id)])
    return try rows.first.map(PaperStore.decode)
  }

  /// Returns the papers listed on `date`, ordered by id.
  ///
  /// Each paper has its latest stored version and metadata, with the
  /// announce type of that day's listing.
  public func papers(announcedOn date: String) throws -> [Paper] {
    let rows = try database.rows(
      """
      SELECT \(PaperStore.paperColumns), a.announce_type
      FROM announcements a JOIN papers p ON p.id = a.paper_id
      WHERE a.date = ? ORDER BY p.id
      """, [.text(date)])
    return try rows.map { row in
      var paper = try PaperStore.decode(row).paper
      paper.announced = date
      paper.announceType = row.string(11).flatMap(AnnounceType.init(rawValue:)) ?? .unknown
      return paper
    }
  }

  /// Returns the stored papers among `ids`, ordered by id.
  public func papers(ids: [String]) throws -> [Paper] {
    var papers: [Paper] = []
    for chunk in PaperStore.chunks(of: ids) {
      let marks = PaperStore.placeholders(chunk.count)
      let rows = try database.rows(
        "SELECT \(PaperStore.paperColumns) FROM papers p WHERE p.id IN (\(marks))",
        chunk.map { .text($0) })
      papers += try rows.map { try PaperStore.decode($0).paper }
    }
    return papers.sorted { $0.id < $1.id }
  }

  /// Returns the ids among `ids` that have a row in `papers`.
  public func storedIDs(among ids: [String]) throws -> Set<String> {
    var stored = Set<String>()
    for chunk in PaperStore.chunks(of: ids) {
      let rows = try database.rows(
        "SELECT id FROM papers WHERE id IN (\(PaperStore.placeholders(chunk.count)))",
        chunk.map { .text($0) })
      stored.formUnion(rows.compactMap { $0.string(0) })
    }
    return stored
  }

  /// The maximum number of ids bound to one `IN (...)` query. SQLite rejects a statement
  /// with more placeholders than SQLITE_MAX_VARIABLE_NUMBER: 32,766 in its
  /// default build since 3.32.0, 250,000 in Debian's 3.40.1. A history
  /// brought with `like --from` can hold a million ids.
  static let maxIDsPerQuery = 1_000

  /// Splits `ids` into runs of at most ``maxIDsPerQuery``.
  static func chunks(of ids: [String]) -> [ArraySlice<String>] {
    stride(from: 0, to: ids.count, by: maxIDsPerQuery).map { start in
      ids[start..<min(start + maxIDsPerQuery, ids.count)]
    }
  }

  /// Returns `count` comma-separated `?` placeholders.
  static func placeholders(_ count: Int) -> String {
    Array(repeating: "?", count: count).joined(separator: ", ")
  }

  /// Returns the papers listed on a day from `start` up to but not including
  /// `end`, once each, ordered by id.
  public func papers(announcedFrom start: String, before end: String) throws -> [Paper] {
    let rows = try database.rows(
      """
      SELECT \(PaperStore.paperColumns) FROM papers p
      WHERE p.id IN (SELECT paper_id FROM announcements WHERE date >= ? AND date < ?)
      ORDER BY p.id
      """, [.text(start), .text(end)])
    return try rows.map { try PaperStore.decode($0).paper }
  }

  /// Returns every stored paper, the latest announced first, then by id.
  public func allPapers() throws -> [Paper] {
    let rows = try database.rows(
      """
      SELECT \(PaperStore.paperColumns) FROM papers p
      ORDER BY p.announced IS NULL, p.announced DESC, p.id
      """)
    return try rows.map { try PaperStore.decode($0).paper }
  }

  /// Returns the days with announcements, oldest first, with their paper counts.
  public func announcementDays() throws -> [AnnouncementDay] {
    let rows = try database.rows(
      "SELECT date, COUNT(*) FROM announcements GROUP BY date ORDER BY date")
    return rows.compactMap { row in
      guard let date = row.string(0), let count = row.int(1) else { return nil }
      return AnnouncementDay(date: date, papers: count)
    }
  }

  /// Returns the number of stored papers.
  public func paperCount() throws -> Int {
    try database.rows("SELECT COUNT(*) FROM papers").first?.int(0) ?? 0
  }

  /// Returns the number of papers listed on `date`.
  public func paperCount(announcedOn date: String) throws -> Int {
    let rows = try database.rows(
      "SELECT COUNT(*) FROM announcements WHERE date = ?", [.text(date)])
    return rows.first?.int(0) ?? 0
  }
}

// MARK: - Row encoding

extension PaperStore {
  /// Keeps one paper per id, the highest version, in the order of first appearance.
  static func latestVersions(_ papers: [Paper]) -> [Paper] {
    var position: [String: Int] = [:]
    var result: [Paper] = []
    for paper in papers {
      if let index = position[paper.id] {
        if paper.version > result[index].version { result[index] = paper }
      } else {
        position[paper.id] = result.count
        result.append(paper)
      }
    }
    return result
  }

  static func sameContent(_ lhs: Paper, _ rhs: Paper) -> Bool {
    lhs.version == rhs.version && lhs.title == rhs.title && lhs.abstract == rhs.abstract
      && lhs.authors == rhs.authors && lhs.categories == rhs.categories
  }

  /// Returns the values of id, version, title, abstract, authors and categories, in order.
  static func contentValues(_ paper: Paper) -> [SQLValue] {
    [
      .text(paper.id), .integer(Int64(paper.version)), .text(paper.title),
      .text(paper.abstract), .text(encodeList(paper.authors)),
      .text(encodeList(paper.categories)),
    ]
  }

  static func optional(_ text: String?) -> SQLValue {
    text.map { .text($0) } ?? .null
  }

  static func timestamp(_ date: Date) -> String {
    date.formatted(.iso8601)
  }

  static func encodeList(_ list: [String]) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.withoutEscapingSlashes]
    let data = (try? encoder.encode(list)) ?? Data("[]".utf8)
    return String(decoding: data, as: UTF8.self)
  }

  static func decodeList(_ text: String, column: String, id: String) throws -> [String] {
    do {
      return try JSONDecoder().decode([String].self, from: Data(text.utf8))
    } catch {
      throw PaperSiftError(
        .database,
        "The stored \(column) of paper \(id) are not a JSON array of strings: "
          + "'\(text.prefix(80))'. Re-import the day to repair the row.", underlying: error)
    }
  }

  static func decode(_ row: Row) throws -> StoredPaper {
    let id = row.string(0) ?? ""
    let paper = Paper(
      id: id,
      version: row.int(1) ?? 1,
      title: row.string(2) ?? "",
      abstract: row.string(3) ?? "",
      authors: try decodeList(row.string(4) ?? "[]", column: "authors", id: id),
      categories: try decodeList(row.string(5) ?? "[]", column: "categories", id: id),
      announceType: row.string(6).flatMap(AnnounceType.init(rawValue:)) ?? .unknown,
      announced: row.string(7),
      published: row.string(8))
    return StoredPaper(paper: paper, firstSeen: row.string(9) ?? "", updated: row.string(10) ?? "")
  }
}

extension ImportSummary {
  fileprivate mutating func count(_ outcome: PaperStore.Outcome) {
    switch outcome {
    case .inserted: inserted += 1
    case .updated: updated += 1
    case .unchanged: unchanged += 1
    }
  }
}
