import Foundation

/// A paper that reached the LLM stage but has no score, with the reason.
public struct UnscoredPaper: Sendable, Equatable, Codable {
  public var paperID: String
  /// `budget`, `missing from answer`, `answer was cut off`, `invalid score`,
  /// `answer was not JSON`,
  /// `answer's ids are not in the batch`, `request failed: ...` or
  /// `not sent: ...`, as ``UnscoredReason`` writes them.
  public var reason: String

  public init(paperID: String, reason: String) {
    self.paperID = paperID
    self.reason = reason
  }
}

/// A stored score as a label that the prefilter learns from.
public struct TrainingLabel: Sendable, Equatable {
  public var paperID: String
  public var relevance: Int
  public var novelty: Int
}

/// The `scores` and `unscored` tables.
///
/// Scores are keyed by paper, model and prompt hash, so that a paper scored
/// once under a setup is never paid for again under the same setup.
public struct ScoreStore {
  public let database: Database

  public init(database: Database) {
    self.database = database
  }

  /// Returns the stored scores of `paperIDs` under one setup, by paper id.
  public func scores(for paperIDs: [String], model: String, promptHash: String) throws
    -> [String: PaperScore]
  {
    let statement = try database.prepare(
      """
      SELECT paper_id, relevance, novelty, comment FROM scores
      WHERE paper_id = ? AND model = ? AND prompt_hash = ?
      """)
    var found: [String: PaperScore] = [:]
    for id in paperIDs {
      try statement.bind([.text(id), .text(model), .text(promptHash)])
      while try statement.step() {
        let row = statement.row()
        found[id] = PaperScore(
          paperID: id, relevance: row.int(1) ?? 0, novelty: row.int(2) ?? 0,
          comment: row.string(3) ?? "")
      }
    }
    return found
  }

  /// Returns, for each of `paperIDs` that has a stored score under another
  /// model or prompt hash than the given ones, the models of those scores.
  public func otherSetupModels(for paperIDs: [String], model: String, promptHash: String)
    throws -> [String: Set<String>]
  {
    let statement = try database.prepare(
      """
      SELECT DISTINCT model FROM scores
      WHERE paper_id = ? AND NOT (model = ? AND prompt_hash = ?)
      """)
    var found: [String: Set<String>] = [:]
    for id in paperIDs {
      try statement.bind([.text(id), .text(model), .text(promptHash)])
      while try statement.step() {
        found[id, default: []].insert(statement.row().string(0) ?? "")
      }
    }
    return found
  }

  /// Stores `scores` under one setup and the batch row they came from,
  /// replacing earlier scores of the same papers under that setup.
  public func save(_ scores: [PaperScore], model: String, promptHash: String, batchID: Int64?)
    throws
  {
    let statement = try database.prepare(
      """
      INSERT OR REPLACE INTO scores (paper_id, model, prompt_hash, relevance, novelty, comment,
        batch_id, created)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      """)
    let now = RunStore.timestamp()
    for score in scores {
      try statement.run([
        .text(score.paperID), .text(model), .text(promptHash), .integer(Int64(score.relevance)),
        .integer(Int64(score.novelty)), .text(score.comment),
        batchID.map(SQLValue.integer) ?? .null, .text(now),
      ])
    }
  }

  /// Stores the papers of a run that stayed unscored, replacing an earlier
  /// reason for the same paper and run.
  public func saveUnscored(_ papers: [UnscoredPaper], runID: Int64) throws {
    let statement = try database.prepare(
      "INSERT OR REPLACE INTO unscored (run_id, paper_id, reason) VALUES (?, ?, ?)")
    for paper in papers {
      try statement.run([.integer(runID), .text(paper.paperID), .text(paper.reason)])
    }
  }

  /// Returns the unscored papers of a run, in the order they were stored.
  public func unscored(runID: Int64) throws -> [UnscoredPaper] {
    try database.rows(
      "SELECT paper_id, reason FROM unscored WHERE run_id = ? ORDER BY rowid",
      [.integer(runID)]
    ).map { UnscoredPaper(paperID: $0.string(0) ?? "", reason: $0.string(1) ?? "") }
  }

  /// Returns one label per scored paper, sorted by paper id, from its latest
  /// score under any prompt and, when `model` is given, that model only.
  public func trainingLabels(model: String? = nil) throws -> [TrainingLabel] {
    var sql = "SELECT paper_id, relevance, novelty FROM scores"
    var arguments: [SQLValue] = []
    if let model {
      sql += " WHERE model = ?"
      arguments.append(.text(model))
    }
    sql += " ORDER BY paper_id, created, rowid"
    var latest: [String: TrainingLabel] = [:]
    for row in try database.rows(sql, arguments) {
      let id = row.string(0) ?? ""
      latest[id] = TrainingLabel(paperID: id, relevance: row.int(1) ?? 0, novelty: row.int(2) ?? 0)
    }
    return latest.values.sorted { $0.paperID < $1.paperID }
  }
}
