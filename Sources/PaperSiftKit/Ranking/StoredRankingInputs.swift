import Foundation

/// Reads what the prefilter needs from the database: a night's papers, their
/// embeddings, feedback and the labels of earlier nights.
///
/// Papers come from `papers` joined with `announcements`; embeddings from
/// the `embeddings` table (float32 little-endian blobs); labels from the
/// LLM's `scores` and the `feedback` table.
public struct StoredRankingInputs {
  public let database: Database
  /// The `embeddings.model_id` to read, or nil for any model with the right dimension.
  public var modelId: String?
  public var dimension: Int

  public init(database: Database, modelId: String? = nil, dimension: Int = 384) {
    self.database = database
    self.modelId = modelId
    self.dimension = dimension
  }

  /// Creates inputs that read the vectors of `encoder`: its model id and its
  /// dimension. A remote encoder has dimension 0 until its first response,
  /// so the dimension of its latest stored vector is used then.
  public init(database: Database, encoder: any SentenceEncoder) throws {
    var dimension = encoder.dimension
    if dimension == 0,
      case .integer(let stored) = try database.scalar(
        "SELECT dimension FROM embeddings WHERE model_id = ? ORDER BY created DESC LIMIT 1",
        [.text(encoder.modelID)])
    {
      dimension = Int(stored)
    }
    self.init(database: database, modelId: encoder.modelID, dimension: dimension)
  }

  /// Returns the latest announcement date, `YYYY-MM-DD`, or nil for an empty database.
  public func latestDate() throws -> String? {
    try database.scalar("SELECT MAX(date) FROM announcements").flatMap { value in
      if case .text(let text) = value { return text }
      return nil
    }
  }

  /// Returns whether any like, dislike or LLM score is stored. Without one,
  /// only a topics file can rank a night, because the rest of the profile is
  /// made of likes, dislikes and earlier LLM picks, and the learned models
  /// train on these too.
  public func hasFeedbackOrScores() throws -> Bool {
    let found = try database.scalar(
      "SELECT EXISTS (SELECT 1 FROM feedback) OR EXISTS (SELECT 1 FROM scores)")
    return found == .integer(1)
  }

  /// Returns how many announcement days in the `days` days before `date`
  /// list at least one of the papers `ids`.
  public func nightCount(before date: String, days: Int, listing ids: Set<String>) throws -> Int {
    guard !ids.isEmpty else { return 0 }
    let start = Self.date(date, addingDays: -days)
    let rows = try database.rows(
      "SELECT date, paper_id FROM announcements WHERE date >= ? AND date < ?",
      [.text(start), .text(date)])
    var nights: Set<String> = []
    for row in rows {
      guard let night = row.string(0), let id = row.string(1), ids.contains(id) else { continue }
      nights.insert(night)
    }
    return nights.count
  }

  /// Returns the papers announced on `date`, ordered by id.
  public func papers(announcedOn date: String) throws -> [Paper] {
    try PaperStore(database: database).papers(announcedOn: date)
  }

  /// Returns the papers announced on or after `start` and before `end`.
  public func papers(announcedFrom start: String, before end: String) throws -> [Paper] {
    try PaperStore(database: database).papers(announcedFrom: start, before: end)
  }

  /// Returns the papers with these ids that are in the database.
  public func papers(ids: [String]) throws -> [Paper] {
    try PaperStore(database: database).papers(ids: ids)
  }

  /// Returns the stored embedding of each paper, nil where it has none.
  public func embeddings(of ids: [String]) throws -> [[Float]?] {
    var found: [String: [Float]] = [:]
    let statement = try database.prepare(
      "SELECT vector, dimension, model_id FROM embeddings WHERE paper_id = ? ORDER BY created DESC")
    for id in Set(ids) {
      try statement.bind([.text(id)])
      while try statement.step() {
        let row = statement.row()
        guard row.int(1) == dimension, let blob = row.blob(0), blob.count == dimension * 4
        else { continue }
        if let modelId, row.string(2) != modelId { continue }
        found[id] = Self.floats(blob)
        break
      }
    }
    return ids.map { found[$0] }
  }

  /// Returns the distinct vector lengths stored for `ids` under ``modelId``
  /// (any model when it is nil), in increasing order.
  public func storedDimensions(of ids: [String]) throws -> [Int] {
    let statement = try database.prepare(
      "SELECT DISTINCT dimension FROM embeddings WHERE paper_id = ? "
        + "AND (?2 IS NULL OR model_id = ?2)")
    var dimensions = Set<Int>()
    for id in Set(ids) {
      try statement.bind([.text(id), modelId.map { .text($0) } ?? .null])
      while try statement.step() {
        if let dimension = statement.row().int(0) { dimensions.insert(dimension) }
      }
    }
    return dimensions.sorted()
  }

  /// Returns the labelled papers of the `days` nights before `date`, and the
  /// liked or disliked papers from before them or from no listing: the papers
  /// that ``trainingSet(before:days:minimumRelevance:minimumNovelty:)`` trains
  /// on when they have an embedding.
  public func trainingPapers(before date: String, days: Int) throws -> [Paper] {
    let start = Self.date(date, addingDays: -days)
    let papers = try self.papers(announcedFrom: start, before: date)
    let feedback = try FeedbackStore(database: database).entries()
    let rated = Set(feedback.map(\.paperId))
    // A paper with a score is labelled by it. The other papers of a night
    // that a nightly run ranked and scored count as negatives, because the
    // LLM did not pick them. On other nights (a --no-llm run, or papers
    // scored by `score`) they are unlabelled. So is a paper chosen for the
    // LLM that never got a score (a budget stop or a failed batch), because
    // it ranked high and may well be a pick.
    let labelledByNight = Set(
      try database.rows(
        """
        SELECT DISTINCT paper_id FROM announcements WHERE date >= ? AND date < ? AND (
          EXISTS (SELECT 1 FROM scores s WHERE s.paper_id = announcements.paper_id)
          OR (date IN (\(Self.rankedAndScoredNights))
            AND paper_id NOT IN (
              SELECT u.paper_id FROM unscored u
              WHERE NOT EXISTS (SELECT 1 FROM scores s WHERE s.paper_id = u.paper_id))))
        """, [.text(start), .text(date)]
      ).compactMap { $0.string(0) })
    var labelled = papers.filter { labelledByNight.contains($0.id) || rated.contains($0.id) }
    // Feedback on papers from before the window or from no listing at all
    // (a history brought with `like --from`) labels them too.
    let inWindow = Set(papers.map(\.id))
    let older = try self.papers(ids: feedback.map(\.paperId).filter { !inWindow.contains($0) })
    labelled += older.filter { paper in paper.announced.map { $0 < date } ?? true }
    return labelled
  }

  /// The query for the dates of the nights whose unscored papers count as
  /// negatives. On such a night a `run` that finished (`ok` or `partial`)
  /// got LLM scores from its own requests. A run that sent nothing (a
  /// `--no-llm` run, a budget of 0, a failed stage) does not make its night
  /// count, even when `score` stored scores for some of its papers.
  /// Runs recorded before schema version 3 have no count of scored papers,
  /// so the scores that their batches stored are counted instead.
  ///
  /// NOTE: A night whose only scoring run reused scores that `score`
  /// stored first stays unlabelled apart from those scores.
  static let rankedAndScoredNights = """
    SELECT r.date FROM runs r
    WHERE r.command = 'run' AND r.status IN ('ok', 'partial')
      AND COALESCE(r.scored, (
        SELECT COUNT(*) FROM scores s JOIN batches b ON s.batch_id = b.id
        WHERE b.run_id = r.id)) > 0
    """

  /// Returns the ``trainingPapers(before:days:)`` with their stored vectors.
  public func trainingPapersWithVectors(before date: String, days: Int) throws -> TrainingPapers {
    let papers = try trainingPapers(before: date, days: days)
    return TrainingPapers(
      date: date, days: days, papers: papers, vectors: try embeddings(of: papers.map(\.id)))
  }

  /// Returns the ``trainingPapers(before:days:)`` that have an embedding,
  /// with their labels, as ``trainingSet(from:minimumRelevance:minimumNovelty:)`` does.
  public func trainingSet(
    before date: String, days: Int, minimumRelevance: Int, minimumNovelty: Int
  ) throws -> TrainingSet {
    try trainingSet(
      from: trainingPapersWithVectors(before: date, days: days),
      minimumRelevance: minimumRelevance, minimumNovelty: minimumNovelty)
  }

  /// Returns the papers of `training` that have a vector of ``dimension``,
  /// with their labels. Positives are LLM scores at or above both minimums
  /// and likes. Negatives are dislikes, the other scored papers and the
  /// other papers of nights that a nightly run ranked and scored.
  public func trainingSet(
    from training: TrainingPapers, minimumRelevance: Int, minimumNovelty: Int
  ) throws -> TrainingSet {
    let picked = Set(
      try database.rows(
        "SELECT paper_id FROM scores GROUP BY paper_id HAVING MAX(relevance) >= ? "
          + "AND MAX(novelty) >= ?",
        [.integer(Int64(minimumRelevance)), .integer(Int64(minimumNovelty))]
      ).compactMap { $0.string(0) })
    let feedback = try FeedbackStore(database: database).entries()
    let liked = Set(feedback.filter { $0.label == .liked }.map(\.paperId))
    let disliked = Set(feedback.filter { $0.label == .disliked }.map(\.paperId))
    var kept: [Paper] = []
    var values: [Float] = []
    var labels: [Bool] = []
    for (paper, vector) in zip(training.papers, training.vectors) {
      guard let vector, vector.count == dimension else { continue }
      kept.append(paper)
      values += vector
      labels.append(
        (picked.contains(paper.id) || liked.contains(paper.id)) && !disliked.contains(paper.id))
    }
    return TrainingSet(
      papers: kept, embeddings: Matrix(rows: kept.count, columns: dimension, values: values),
      labels: labels)
  }

  /// Likes and dislikes whose paper has an embedding, aged relative to `date`.
  public func feedbackVectors(relativeTo date: String) throws -> [FeedbackVector] {
    let entries = try FeedbackStore(database: database).entries().filter { !$0.isPending }
    let vectors = try embeddings(of: entries.map(\.paperId))
    let night = Self.parseDate(date) ?? Date()
    return zip(entries, vectors).compactMap { entry, vector in
      guard let vector else { return nil }
      let created = Self.parseTimestamp(entry.created) ?? night
      return FeedbackVector(
        paperId: entry.paperId, liked: entry.label == .liked,
        ageDays: night.timeIntervalSince(created) / 86_400, embedding: vector)
    }
  }

  static func floats(_ blob: [UInt8]) -> [Float] {
    (0..<(blob.count / 4)).map { index in
      let bits =
        UInt32(blob[index * 4]) | UInt32(blob[index * 4 + 1]) << 8
        | UInt32(blob[index * 4 + 2]) << 16 | UInt32(blob[index * 4 + 3]) << 24
      return Float(bitPattern: bits)
    }
  }

  static func parseDate(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withFullDate]
    return formatter.date(from: text)
  }

  static func parseTimestamp(_ text: String) -> Date? {
    ISO8601DateFormatter().date(from: text)
  }

  static func date(_ text: String, addingDays days: Int) -> String {
    guard let date = parseDate(text) else { return text }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withFullDate]
    return formatter.string(from: date.addingTimeInterval(Double(days) * 86_400))
  }
}
