import Foundation

/// Embeds what a ranking of one night reads: the night's papers, the liked
/// or disliked papers and the learned models' training papers, each only
/// when no vector of the current text and model is stored.
///
/// The training papers were embedded on their own nights, so they lack a
/// vector only after a change of model (another checkpoint, precision or
/// provider). Without this step the learned models would then train on the
/// nights since the change alone.
public enum NightEmbedding {
  /// The number of texts embedded now, by group.
  public struct Counts: Sendable, Equatable {
    public var night: Int
    public var feedback: Int
    public var training: Int

    public init(night: Int, feedback: Int, training: Int = 0) {
      self.night = night
      self.feedback = feedback
      self.training = training
    }
  }

  /// The counts and the training papers of
  /// ``embedForRanking(_:encoder:database:batchSize:trainingBefore:trainingDays:)``.
  public struct Outcome: Sendable {
    public var counts: Counts
    /// The training papers with their vectors, for ``NightRanker``, or nil
    /// when no training window was given.
    public var trainingPapers: TrainingPapers?
  }

  /// Embeds the night's `papers`, the feedback papers and, when `date` is
  /// given, the training papers of the `trainingDays` nights before it
  /// that lack a vector.
  ///
  /// - Returns: How many texts of each group were embedded now.
  /// - Throws: ``PaperSiftError`` from the encoder or the database.
  @discardableResult
  public static func embed(
    _ papers: [Paper], encoder: any SentenceEncoder, database: Database, batchSize: Int,
    trainingBefore date: String? = nil, trainingDays: Int = 0
  ) throws -> Counts {
    try embedForRanking(
      papers, encoder: encoder, database: database, batchSize: batchSize,
      trainingBefore: date, trainingDays: trainingDays
    ).counts
  }

  /// Embeds what ``embed(_:encoder:database:batchSize:trainingBefore:trainingDays:)``
  /// embeds, and returns the training papers with their vectors, so that
  /// ``NightRanker`` does not read them from the database again.
  ///
  /// - Returns: How many texts of each group were embedded now, and the
  ///   training papers when `date` is given and `trainingDays` is above 0.
  /// - Throws: ``PaperSiftError`` from the encoder or the database.
  public static func embedForRanking(
    _ papers: [Paper], encoder: any SentenceEncoder, database: Database, batchSize: Int,
    trainingBefore date: String? = nil, trainingDays: Int = 0
  ) throws -> Outcome {
    let store = EmbeddingStore(database: database)
    let night = try store.embeddings(for: papers, encoder: encoder, batchSize: batchSize)
    let feedbackIDs = try FeedbackStore(database: database).entries().map(\.paperId)
    let feedbackPapers = try PaperStore(database: database).papers(ids: feedbackIDs)
    let feedback = try store.embeddings(
      for: feedbackPapers, encoder: encoder, batchSize: batchSize)
    var counts = Counts(night: night.embeddedCount, feedback: feedback.embeddedCount)
    var training: TrainingPapers?
    if let date, trainingDays > 0 {
      let labelled = try StoredRankingInputs(database: database)
        .trainingPapers(before: date, days: trainingDays)
      // The feedback papers among them were embedded above.
      var vectors = Dictionary(
        zip(feedbackPapers.map(\.id), feedback.vectors), uniquingKeysWith: { first, _ in first })
      let missing = labelled.filter { vectors[$0.id] == nil }
      let embedded = try store.embeddings(
        for: missing, encoder: encoder, batchSize: batchSize
      ) { count in
        Logger(label: "embedding").notice(
          "Embedding the learned models' training papers that have no vector for this model",
          [("model", encoder.modelID), ("papers", "\(count)"), ("before", date)])
      }
      for (paper, vector) in zip(missing, embedded.vectors) { vectors[paper.id] = vector }
      counts.training = embedded.embeddedCount
      training = TrainingPapers(
        date: date, days: trainingDays, papers: labelled, vectors: labelled.map { vectors[$0.id] })
    }
    ProgressLine.clearIfShown()
    return Outcome(counts: counts, trainingPapers: training)
  }
}
