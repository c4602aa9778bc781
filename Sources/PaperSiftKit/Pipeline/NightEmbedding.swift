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
    let store = EmbeddingStore(database: database)
    let night = try store.embeddings(for: papers, encoder: encoder, batchSize: batchSize)
    let feedbackIDs = try FeedbackStore(database: database).entries().map(\.paperId)
    let feedbackPapers = try PaperStore(database: database).papers(ids: feedbackIDs)
    let feedback = try store.embeddings(
      for: feedbackPapers, encoder: encoder, batchSize: batchSize)
    var training = 0
    if let date, trainingDays > 0 {
      let done = Set(feedbackIDs)
      let trainingPapers = try StoredRankingInputs(database: database)
        .trainingPapers(before: date, days: trainingDays).filter { !done.contains($0.id) }
      training = try store.embeddings(
        for: trainingPapers, encoder: encoder, batchSize: batchSize
      ) { missing in
        Logger(label: "embedding").notice(
          "Embedding the learned models' training papers that have no vector for this model",
          [("model", encoder.modelID), ("papers", "\(missing)"), ("before", date)])
      }.embeddedCount
    }
    ProgressLine.clearIfShown()
    return Counts(night: night.embeddedCount, feedback: feedback.embeddedCount, training: training)
  }
}
