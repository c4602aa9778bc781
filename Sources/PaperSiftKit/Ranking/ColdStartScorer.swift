import Foundation

/// A paper's cold-start score and the profile entries behind it.
public struct ColdStartScore: Sendable, Equatable {
  /// `topic - negativeWeight·negative + likeWeight·liked - dislikeWeight·disliked`.
  public var score: Float
  /// The largest cosine to a topic entry, 0 without topics.
  public var topic: Float
  /// The largest cosine to a negative entry, 0 without negatives.
  public var negative: Float
  /// The recency-weighted mean cosine to the nearest liked papers.
  public var liked: Float
  public var disliked: Float
  /// The profile row of the closest topic, if any.
  public var bestTopic: Int?
  /// The profile row of the closest liked paper, if any.
  public var bestLiked: Int?
}

/// Scores papers against a profile with one matrix product.
public enum ColdStartScorer {
  /// Returns one score per row of `embeddings`.
  public static func score(
    embeddings: Matrix, profile: Profile, parameters: ColdStartParameters
  ) -> [ColdStartScore] {
    let similarities = SimilarityKernel.similarities(papers: embeddings, profiles: profile.matrix)
    let groups = Dictionary(grouping: profile.entries.indices) { profile.entries[$0].kind }
    let topics = groups[.topic] ?? []
    let negatives = groups[.negative] ?? []
    let liked = groups[.liked] ?? []
    let disliked = groups[.disliked] ?? []
    let m = profile.entries.count

    return (0..<embeddings.rows).map { i in
      let row = similarities.values[(i * m)..<((i + 1) * m)]
      let (topic, bestTopic) = maximum(row, over: topics)
      let (negative, _) = maximum(row, over: negatives)
      let (like, bestLiked) = nearestMean(
        row, over: liked, entries: profile.entries, count: parameters.nearest)
      let (dislike, _) = nearestMean(
        row, over: disliked, entries: profile.entries, count: parameters.nearest)
      let score =
        topic - Float(parameters.negativeWeight) * negative + Float(parameters.likeWeight) * like
        - Float(parameters.dislikeWeight) * dislike
      return ColdStartScore(
        score: score, topic: topic, negative: negative, liked: like, disliked: dislike,
        bestTopic: bestTopic, bestLiked: bestLiked)
    }
  }

  static func maximum(_ row: ArraySlice<Float>, over columns: [Int]) -> (Float, Int?) {
    var best: Int?
    var value: Float = 0
    for column in columns where best == nil || row[row.startIndex + column] > value {
      best = column
      value = row[row.startIndex + column]
    }
    return (value, best)
  }

  /// The mean of the `count` largest similarities, each weighted by its entry's recency.
  static func nearestMean(
    _ row: ArraySlice<Float>, over columns: [Int], entries: [ProfileEntry], count: Int
  ) -> (Float, Int?) {
    guard !columns.isEmpty, count > 0 else { return (0, nil) }
    let nearest = columns.sorted { row[row.startIndex + $0] > row[row.startIndex + $1] }
      .prefix(count)
    var sum: Float = 0
    var weights: Float = 0
    for column in nearest {
      sum += entries[column].weight * row[row.startIndex + column]
      weights += entries[column].weight
    }
    return (weights > 0 ? sum / weights : 0, nearest.first)
  }
}
