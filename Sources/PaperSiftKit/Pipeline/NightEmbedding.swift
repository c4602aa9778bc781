import Foundation

/// Embeds what a ranking of one night reads: the night's papers and the
/// liked or disliked papers, each only when no vector of the current text is stored.
public enum NightEmbedding {
  /// The number of texts embedded now, by group.
  public struct Counts: Sendable, Equatable {
    public var night: Int
    public var feedback: Int
  }

  /// Embeds the night's `papers` and the feedback papers that lack a vector.
  ///
  /// - Returns: How many texts of each group were embedded now.
  /// - Throws: ``PaperSiftError`` from the encoder or the database.
  @discardableResult
  public static func embed(
    _ papers: [Paper], encoder: any SentenceEncoder, database: Database, batchSize: Int
  ) throws -> Counts {
    let store = EmbeddingStore(database: database)
    let night = try store.embeddings(for: papers, encoder: encoder, batchSize: batchSize)
    let feedbackIDs = try FeedbackStore(database: database).entries().map(\.paperId)
    let feedbackPapers = try PaperStore(database: database).papers(ids: feedbackIDs)
    let feedback = try store.embeddings(
      for: feedbackPapers, encoder: encoder, batchSize: batchSize)
    ProgressLine.clearIfShown()
    return Counts(night: night.embeddedCount, feedback: feedback.embeddedCount)
  }
}
