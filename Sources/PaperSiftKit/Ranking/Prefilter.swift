import Foundation

/// One paper's place in the night's ranking and the scores behind it.
public struct RankedPaper: Sendable {
  /// The paper's index in the input arrays.
  public var index: Int
  public var paperId: String
  /// The weighted mean of the rankers' percentiles, in [0, 1], plus 1 for a
  /// followed author's paper, so that scores fall along the ranking.
  public var score: Double
  public var cold: ColdStartScore
  /// The logistic regression's log-odds, when the model was used.
  public var logistic: Float?
  /// The tf-idf SVM's margin, when the model was used.
  public var tfidf: Float?
  /// Whether an author of the paper is followed, which puts it first.
  public var followedAuthor: Bool
}

/// Ranks a night's papers from the profile and, once trained, the learned models.
public struct Prefilter: Sendable {
  public var settings: RankingSettings

  public init(settings: RankingSettings) {
    self.settings = settings
  }

  /// Returns whether the learned models join the ranking for a training set of this size.
  public func usesModels(trainingSize: Int) -> Bool {
    trainingSize >= settings.minimumLabelledPapers
  }

  /// Ranks `papers`, best first: followed authors' papers, then by combined score.
  ///
  /// `embeddings` has one L2-normalised row per paper; `models` take part
  /// only when ``usesModels(trainingSize:)`` holds for their training size.
  public func rank(
    papers: [Paper], embeddings: Matrix, profile: Profile, models: LearnedModels?
  ) -> [RankedPaper] {
    precondition(papers.count == embeddings.rows, "One embedding row per paper")
    let cold = ColdStartScorer.score(
      embeddings: embeddings, profile: profile, parameters: settings.cold)
    var rankers: [(weight: Double, scores: [Float])] = []
    var logistic: [Float]?
    var tfidf: [Float]?
    if let models, usesModels(trainingSize: models.trainingSize) {
      if let model = models.logistic {
        logistic = model.scores(embeddings)
      }
      if let model = models.tfidf, let vectorizer = models.vectorizer {
        tfidf = model.scores(vectorizer.transform(papers))
      }
    }
    let hasProfile = !profile.entries.isEmpty
    if hasProfile || (logistic == nil && tfidf == nil) {
      rankers.append((settings.weights.profile, cold.map(\.score)))
    }
    if let logistic { rankers.append((settings.weights.logistic, logistic)) }
    if let tfidf { rankers.append((settings.weights.tfidf, tfidf)) }
    let combined = Self.rankAverage(rankers, count: papers.count)
    let followed = Set(settings.followedAuthors.map { $0.lowercased() })

    let ranked = papers.indices.map { i in
      let isFollowed = papers[i].authors.contains { followed.contains($0.lowercased()) }
      return RankedPaper(
        index: i, paperId: papers[i].id, score: combined[i] + (isFollowed ? 1 : 0),
        cold: cold[i], logistic: logistic?[i], tfidf: tfidf?[i], followedAuthor: isFollowed)
    }
    return ranked.sorted { first, second in
      if first.followedAuthor != second.followedAuthor { return first.followedAuthor }
      if first.score != second.score { return first.score > second.score }
      return first.index < second.index
    }
  }

  /// The weighted mean of each ranker's percentiles (0 for the lowest score,
  /// 1 for the highest, ties share their mean rank).
  public static func rankAverage(_ rankers: [(weight: Double, scores: [Float])], count: Int)
    -> [Double]
  {
    var total = [Double](repeating: 0, count: count)
    let weightSum = rankers.reduce(0) { $0 + max($1.weight, 0) }
    guard weightSum > 0 else { return total }
    for (weight, scores) in rankers where weight > 0 {
      let percentiles = percentiles(scores)
      for i in 0..<count { total[i] += weight * percentiles[i] / weightSum }
    }
    return total
  }

  /// Returns each score's rank scaled to [0, 1], ties averaged.
  public static func percentiles(_ scores: [Float]) -> [Double] {
    let n = scores.count
    guard n > 1 else { return [Double](repeating: 1, count: n) }
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var result = [Double](repeating: 0, count: n)
    var start = 0
    while start < n {
      var end = start
      while end + 1 < n, scores[order[end + 1]] == scores[order[start]] { end += 1 }
      let meanRank = Double(start + end) / 2 / Double(n - 1)
      for position in start...end { result[order[position]] = meanRank }
      start = end + 1
    }
    return result
  }
}
