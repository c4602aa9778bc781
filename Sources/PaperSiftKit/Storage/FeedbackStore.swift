import Foundation

/// A thumbs up or down.
public enum FeedbackLabel: Int, Sendable, Codable {
  case liked = 1
  case disliked = -1
}

/// One stored like or dislike.
public struct FeedbackEntry: Sendable, Codable, Equatable {
  public var paperId: String
  public var label: FeedbackLabel
  /// When the feedback was given, ISO 8601 in UTC.
  public var created: String
  /// The origin: `command`, `file`, or a caller's own name.
  public var source: String
  /// The paper's title, nil while the paper is not in the database.
  public var title: String?
  /// The number of UTC days on which an arXiv look-up returned no paper
  /// for the id, 0 when none did.
  public var lookupMissDays = 0
  /// The last such day, `YYYY-MM-DD`, or nil.
  public var lastLookupMiss: String?

  /// Whether the paper is not in the database yet, so the feedback waits for its import.
  public var isPending: Bool { title == nil }
}

/// The change that recording one id made.
public enum FeedbackChange: String, Sendable, Codable {
  case added
  /// The same label was already stored; its timestamp is kept.
  case unchanged
  /// A like became a dislike or the reverse.
  case changed
}

/// The `feedback` table: likes and dislikes keyed by version-less arXiv id.
///
/// A row whose paper is not in the `papers` table is pending; it needs no
/// update when the paper is imported, because ``entries()`` joins the two.
public struct FeedbackStore {
  public let database: Database

  public init(database: Database) {
    self.database = database
  }

  /// Stores `label` for each id, keeping the first timestamp when nothing changes.
  ///
  /// A changed label gets a new timestamp and the next rowid, so that
  /// ``entries()`` lists it after the feedback given before it in the same second.
  ///
  /// All ids are stored in one transaction, each statement compiled once.
  /// A new id costs one statement, because `like --from` can bring a
  /// million of them.
  public func record(
    _ ids: [ArxivIdentifier], label: FeedbackLabel, source: String, at date: Date = Date()
  ) throws -> [FeedbackChange] {
    let created = Self.timestamp(date)
    return try database.transaction {
      let insert = try database.prepare(
        """
        INSERT INTO feedback (paper_id, label, created, source) VALUES (?, ?, ?, ?)
        ON CONFLICT (paper_id) DO NOTHING
        """)
      let select = try database.prepare("SELECT label FROM feedback WHERE paper_id = ?")
      let update = try database.prepare(
        """
        UPDATE feedback SET label = ?, created = ?, source = ?,
          rowid = (SELECT MAX(rowid) + 1 FROM feedback)
        WHERE paper_id = ?
        """)
      return try ids.map { identifier in
        try insert.run([
          .text(identifier.id), .integer(Int64(label.rawValue)), .text(created), .text(source),
        ])
        guard database.changes == 0 else { return .added }
        let current = try select.scalar([.text(identifier.id)])
        guard current != .integer(Int64(label.rawValue)) else { return .unchanged }
        try update.run([
          .integer(Int64(label.rawValue)), .text(created), .text(source), .text(identifier.id),
        ])
        return .changed
      }
    }
  }

  /// Deletes the feedback on each id; returns how many rows existed.
  public func remove(_ ids: [ArxivIdentifier]) throws -> Int {
    try database.transaction {
      let delete = try database.prepare("DELETE FROM feedback WHERE paper_id = ?")
      var removed = 0
      for identifier in ids {
        try delete.run([.text(identifier.id)])
        removed += database.changes
      }
      return removed
    }
  }

  /// Returns every like and dislike, oldest first, in the order given
  /// within a second, because timestamps have whole seconds.
  public func entries() throws -> [FeedbackEntry] {
    let rows = try database.rows(
      """
      SELECT feedback.paper_id, feedback.label, feedback.created, feedback.source, papers.title,
        feedback.lookup_miss_days, feedback.last_lookup_miss
      FROM feedback LEFT JOIN papers ON papers.id = feedback.paper_id
      ORDER BY feedback.created, feedback.rowid
      """)
    return rows.compactMap { row in
      guard let id = row.string(0), let value = row.int(1),
        let label = FeedbackLabel(rawValue: value)
      else { return nil }
      return FeedbackEntry(
        paperId: id, label: label, created: row.string(2) ?? "", source: row.string(3) ?? "",
        title: row.string(4), lookupMissDays: row.int(5) ?? 0, lastLookupMiss: row.string(6))
    }
  }

  /// Returns the ids of feedback whose paper is not stored yet, for the next fetch to look up.
  public func pendingIds() throws -> [String] {
    try entries().filter(\.isPending).map(\.paperId)
  }

  /// Counts a look-up that found no paper for each of `ids` that is still
  /// pending, at most once per UTC day, so that repeated runs on one day
  /// count once.
  ///
  /// - Parameters:
  ///   - ids: Version-less arXiv ids that the look-up did not return.
  ///   - day: The UTC day of the look-up, `YYYY-MM-DD`.
  /// - Returns: For each of `ids` with pending feedback, the number of days
  ///   whose look-ups found no paper, this one included.
  /// - Throws: ``PaperSiftError`` with code `database` when SQLite fails.
  public func recordLookupMiss(_ ids: [String], day: String) throws -> [String: Int] {
    guard !ids.isEmpty else { return [:] }
    let pending = Set(try pendingIds())
    return try database.transaction {
      let update = try database.prepare(
        """
        UPDATE feedback SET lookup_miss_days = lookup_miss_days + 1, last_lookup_miss = ?
        WHERE paper_id = ? AND (last_lookup_miss IS NULL OR last_lookup_miss <> ?)
        """)
      let select = try database.prepare(
        "SELECT lookup_miss_days FROM feedback WHERE paper_id = ?")
      var days: [String: Int] = [:]
      for id in ids where pending.contains(id) {
        try update.run([.text(day), .text(id), .text(day)])
        if case .integer(let value) = try select.scalar([.text(id)]) { days[id] = Int(value) }
      }
      return days
    }
  }

  static func timestamp(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
  }
}
