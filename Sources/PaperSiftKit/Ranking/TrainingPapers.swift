import Foundation

/// The learned models' training papers of one night with their vectors,
/// read once by the embedding step and handed to the ranking.
///
/// For 60 nights of 300 papers this is about 18,000 papers and vectors,
/// which the ranking would otherwise read from the database a second time.
public struct TrainingPapers: Sendable {
  /// The night that is ranked; the papers are from before it.
  public var date: String
  /// The number of nights before `date` that the window spans.
  public var days: Int
  /// The papers of ``StoredRankingInputs/trainingPapers(before:days:)``.
  public var papers: [Paper]
  /// The vector of each paper under the ranking's model, or nil where it has none.
  public var vectors: [[Float]?]

  public init(date: String, days: Int, papers: [Paper], vectors: [[Float]?]) {
    precondition(papers.count == vectors.count, "one vector or nil per paper")
    self.date = date
    self.days = days
    self.papers = papers
    self.vectors = vectors
  }
}
