import Foundation

/// One paper's place in the night's ranking and the scores behind it.
public struct RankedPaper: Sendable {
  /// The paper's index in the input arrays.
  public var index: Int
  public var paperId: String
  /// The combined score of ``RankingSettings/combination``, in [0, 1], plus 1
  /// for a paper that always passes and minus 1 for one that never does, so
  /// that scores fall along the ranking.
  public var score: Double
  public var cold: ColdStartScore
  /// The logistic regression's log-odds, when the model was used.
  public var logistic: Float?
  /// The tf-idf SVM's margin, when the model was used.
  public var tfidf: Float?
  /// Whether an author of the paper is followed, which puts it first.
  public var followedAuthor: Bool
  /// The tf-idf neighbour contrast, when it was used.
  public var neighbours: Float? = nil
  /// Whether an author of the paper wrote a positive of the training window
  /// and the author-overlap weight is set.
  public var authorOverlap = false
  /// Whether the user liked the paper, which puts it first as a followed author does.
  public var likedByUser = false
  /// Whether the user disliked the paper, which puts it last and keeps it
  /// from the LLM, unless an author is followed.
  public var dislikedByUser = false

  /// Whether the paper passes the prefilter whatever its score, because it is
  /// by a followed author or the user liked it.
  public var alwaysPasses: Bool { followedAuthor || likedByUser }

  /// Whether the paper never passes: the user disliked it and follows none of its authors.
  public var neverPasses: Bool { dislikedByUser && !alwaysPasses }
}

/// Ranks a night's papers from the profile and, once trained, the learned models.
public struct Prefilter: Sendable {
  public var settings: RankingSettings

  public init(settings: RankingSettings) {
    self.settings = settings
  }

  /// Returns whether the learned models join the ranking for a training
  /// set of `trainingSize` papers, `positives` of them picks. They need
  /// ``RankingSettings/minimumLabelledPapers`` papers and
  /// ``RankingSettings/minimumPapersPerClass`` of each class.
  public func usesModels(trainingSize: Int, positives: Int) -> Bool {
    let perClass = max(1, settings.minimumPapersPerClass)
    return trainingSize >= settings.minimumLabelledPapers && positives >= perClass
      && trainingSize - positives >= perClass
  }

  /// The learned models' scores of one night, nil for a model not used.
  struct ModelScores {
    var logistic: [Float]?
    var tfidf: [Float]?
    var neighbours: [Float]?
    var positiveAuthors: Set<String> = []

    var isEmpty: Bool { logistic == nil && tfidf == nil && neighbours == nil }
  }

  func modelScores(papers: [Paper], embeddings: Matrix, models: LearnedModels?) -> ModelScores {
    var result = ModelScores()
    guard let models, usesModels(trainingSize: models.trainingSize, positives: models.positives)
    else { return result }
    result.logistic = models.logistic?.scores(embeddings)
    if let vectorizer = models.vectorizer, models.tfidf != nil || models.neighbours != nil {
      let rows = vectorizer.transform(papers)
      result.tfidf = models.tfidf?.scores(rows)
      result.neighbours = models.neighbours?.scores(rows)
    }
    if settings.weights.authorOverlap != 0 { result.positiveAuthors = models.positiveAuthors }
    return result
  }

  /// Ranks `papers`, best first: followed authors' papers and the papers in
  /// `likedIds`, then by combined score, then the papers in `dislikedIds`.
  ///
  /// `embeddings` has one L2-normalised row per paper; `models` take part
  /// only when ``usesModels(trainingSize:positives:)`` returns true for their training set.
  public func rank(
    papers: [Paper], embeddings: Matrix, profile: Profile, models: LearnedModels?,
    likedIds: Set<String> = [], dislikedIds: Set<String> = []
  ) -> [RankedPaper] {
    precondition(papers.count == embeddings.rows, "One embedding row per paper")
    let cold = ColdStartScorer.score(
      embeddings: embeddings, paperIds: papers.map(\.id), profile: profile,
      parameters: settings.cold)
    let scores = modelScores(papers: papers, embeddings: embeddings, models: models)
    let weights = settings.weights
    var rankers: [(weight: Double, scores: [Float])] = []
    if !profile.entries.isEmpty || scores.isEmpty {
      rankers.append((weights.profile, cold.map(\.score)))
    }
    if let logistic = scores.logistic { rankers.append((weights.logistic, logistic)) }
    if let tfidf = scores.tfidf { rankers.append((weights.tfidf, tfidf)) }
    if let neighbours = scores.neighbours { rankers.append((weights.neighbours, neighbours)) }
    let overlaps = Self.authorOverlaps(papers, positiveAuthors: scores.positiveAuthors)
    let combined = Self.combine(
      rankers, authorCounts: papers.map(\.authors.count), overlaps: overlaps, weights: weights,
      combination: settings.combination)
    let followed = Set(settings.followedAuthors.map { $0.lowercased() })

    let ranked = papers.indices.map { i in
      let isFollowed = papers[i].authors.contains { followed.contains($0.lowercased()) }
      let isLiked = likedIds.contains(papers[i].id)
      let isDisliked = dislikedIds.contains(papers[i].id)
      var paper = RankedPaper(
        index: i, paperId: papers[i].id, score: combined[i],
        cold: cold[i], logistic: scores.logistic?[i], tfidf: scores.tfidf?[i],
        followedAuthor: isFollowed, neighbours: scores.neighbours?[i],
        authorOverlap: overlaps[i], likedByUser: isLiked, dislikedByUser: isDisliked)
      if paper.alwaysPasses { paper.score += 1 }
      if paper.neverPasses { paper.score -= 1 }
      return paper
    }
    return ranked.sorted { first, second in
      if first.alwaysPasses != second.alwaysPasses { return first.alwaysPasses }
      if first.neverPasses != second.neverPasses { return second.neverPasses }
      if first.score != second.score { return first.score > second.score }
      return first.index < second.index
    }
  }

  /// Returns whether each paper has an author whose lowercased name is in
  /// `positiveAuthors`.
  public static func authorOverlaps(_ papers: [Paper], positiveAuthors: Set<String>) -> [Bool] {
    guard !positiveAuthors.isEmpty else { return [Bool](repeating: false, count: papers.count) }
    return papers.map { paper in
      paper.authors.contains { positiveAuthors.contains($0.lowercased()) }
    }
  }

  /// Combines the rankers' scores and the author terms by `combination`.
  ///
  /// - Parameters:
  ///   - rankers: The weight and one score per paper of each ranker.
  ///   - authorCounts: Each paper's number of authors.
  ///   - overlaps: Whether each paper shares an author with a training positive.
  ///   - weights: The author-term weights; the ranker weights are in `rankers`.
  ///   - combination: The rule that combines them.
  /// - Returns: One score per paper in [0, 1].
  public static func combine(
    _ rankers: [(weight: Double, scores: [Float])], authorCounts: [Int], overlaps: [Bool],
    weights: RankerWeights, combination: RankCombination
  ) -> [Double] {
    precondition(authorCounts.count == overlaps.count, "One author count per overlap")
    switch combination {
    case .rankAverage:
      return rankAverage(rankers, count: authorCounts.count)
    case .logit:
      let offsets = zip(authorCounts, overlaps).map { count, overlap in
        authorTerms(authorCount: count, overlap: overlap, weights)
      }
      return logitCombination(rankers, offsets: offsets)
    }
  }

  /// Returns the author terms of a paper in logit units: the overlap weight
  /// when `overlap` holds, plus the author-count weight times `ln(authorCount)`,
  /// plus the single-author weight for a paper with one author.
  public static func authorTerms(authorCount: Int, overlap: Bool, _ weights: RankerWeights)
    -> Double
  {
    var total = overlap ? weights.authorOverlap : 0
    if authorCount > 0 { total += weights.authorCount * log(Double(authorCount)) }
    if authorCount == 1 { total += weights.singleAuthor }
    return total
  }

  /// Returns the logit of a percentile, `ln((p + 0.01) / (1.01 - p))`,
  /// which is finite at 0 and 1 (about -4.6 and 4.6).
  public static func logit(percentile p: Double) -> Double {
    log((p + 0.01) / (1.01 - p))
  }

  /// Combines the rankers as ``RankCombination/logit`` describes.
  ///
  /// - Parameters:
  ///   - rankers: The weight and one score per paper of each ranker.
  ///   - offsets: One value per paper added to the weighted sum of logits,
  ///     such as the author terms.
  /// - Returns: One score per paper in (0, 1).
  public static func logitCombination(
    _ rankers: [(weight: Double, scores: [Float])], offsets: [Double]
  ) -> [Double] {
    var total = offsets
    let weightSum = rankers.reduce(0) { $0 + max($1.weight, 0) }
    for (weight, scores) in rankers where weight > 0 {
      let percentiles = percentiles(scores)
      for i in total.indices { total[i] += weight * logit(percentile: percentiles[i]) }
    }
    let scale = weightSum > 0 ? weightSum : 1
    return total.map { 1 / (1 + exp(-$0 / scale)) }
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
