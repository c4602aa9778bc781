import Foundation

/// A paper's cold-start score and the profile entries behind it.
public struct ColdStartScore: Sendable, Equatable {
  /// `topic - negativeWeight·negative + likeWeight·liked - dislikeWeight·max(0, disliked)`.
  public var score: Float
  /// The largest cosine to a topic entry, 0 without topics.
  public var topic: Float
  /// The largest cosine to a negative entry, 0 without negatives.
  public var negative: Float
  /// The recency-weighted mean cosine to the nearest liked or picked papers.
  public var liked: Float
  /// The recency-weighted mean cosine to the nearest disliked papers.
  public var disliked: Float
  /// The profile row of the closest topic, if any.
  public var bestTopic: Int?
  /// The profile row of the closest negative entry, whose cosine is
  /// ``negative``, if any.
  public var bestNegative: Int?
  /// The profile row of the closest liked or picked paper, if any.
  public var bestLiked: Int?
  /// The profile row of the closest disliked paper, if any.
  public var bestDisliked: Int?

  /// Returns the part of a mean cosine to disliked papers that lowers a score.
  /// A paper unlike every disliked paper (mean cosine below 0) loses nothing
  /// rather than gaining from the dislikes.
  public static func penalised(_ dislikedMean: Float) -> Float {
    max(0, dislikedMean)
  }
}

/// Scores papers against a profile with the similarity kernel, one block of
/// papers at a time.
public enum ColdStartScorer {
  /// Scores each row of `embeddings` against `profile`.
  ///
  /// A paper that the user liked or disliked, or that the LLM picked on an
  /// earlier night, is compared with the other feedback only, so that its own
  /// vector does not score or explain it.
  ///
  /// - Parameters:
  ///   - embeddings: One L2-normalised row per paper.
  ///   - paperIds: The id of each row's paper, matched against the labels of
  ///     the liked and disliked entries of `profile`.
  ///   - profile: The entries the papers are compared with.
  ///   - parameters: The weights and the number of nearest feedback entries.
  /// - Returns: One score per row of `embeddings`, in order.
  public static func score(
    embeddings: Matrix, paperIds: [String], profile: Profile, parameters: ColdStartParameters
  ) -> [ColdStartScore] {
    precondition(paperIds.count == embeddings.rows, "One paper id per embedding row")
    let groups = Dictionary(grouping: profile.entries.indices) { profile.entries[$0].kind }
    // Relevant keywords count like topics; topics come first in the profile.
    let topics = (groups[.topic] ?? []) + (groups[.keyword] ?? [])
    let negatives = groups[.negative] ?? []
    // The LLM's earlier picks count as likes; likes come first in the profile.
    let liked = (groups[.liked] ?? []) + (groups[.pick] ?? [])
    let disliked = groups[.disliked] ?? []
    let weights = profile.entries.map(\.weight)
    var ownFeedback: [String: Set<Int>] = [:]
    for column in liked + disliked {
      ownFeedback[profile.entries[column].label, default: []].insert(column)
    }
    let m = profile.entries.count
    var scores: [ColdStartScore] = []
    scores.reserveCapacity(embeddings.rows)

    SimilarityKernel.forEachBlock(papers: embeddings, profiles: profile.matrix) { rows, block in
      for local in 0..<rows.count {
        let row = UnsafeBufferPointer(rebasing: block[(local * m)..<((local + 1) * m)])
        let (topic, bestTopic) = maximum(row, over: topics)
        let (negative, bestNegative) = maximum(row, over: negatives)
        let own = ownFeedback[paperIds[rows.lowerBound + local]] ?? []
        let otherLiked = own.isEmpty ? liked : liked.filter { !own.contains($0) }
        let otherDisliked = own.isEmpty ? disliked : disliked.filter { !own.contains($0) }
        let (like, bestLiked) = nearestMean(
          row, over: otherLiked, weights: weights, count: parameters.nearest)
        let (dislike, bestDisliked) = nearestMean(
          row, over: otherDisliked, weights: weights, count: parameters.nearest)
        let score =
          topic - Float(parameters.negativeWeight) * negative + Float(parameters.likeWeight)
          * like - Float(parameters.dislikeWeight) * ColdStartScore.penalised(dislike)
        scores.append(
          ColdStartScore(
            score: score, topic: topic, negative: negative, liked: like, disliked: dislike,
            bestTopic: bestTopic, bestNegative: bestNegative, bestLiked: bestLiked,
            bestDisliked: bestDisliked))
      }
    }
    return scores
  }

  /// Returns the largest of `row[columns]` and its column, or `(0, nil)` without columns.
  static func maximum(_ row: UnsafeBufferPointer<Float>, over columns: [Int]) -> (Float, Int?) {
    var best: Int?
    var value: Float = 0
    for column in columns where best == nil || row[column] > value {
      best = column
      value = row[column]
    }
    return (value, best)
  }

  /// The mean of the `count` largest similarities among `row[columns]`, each
  /// weighted by its entry's recency weight, and the column of the largest.
  ///
  /// Keeps the `count` best in a small sorted list, so a profile of many
  /// liked papers costs `columns.count · count` comparisons, not a sort per paper.
  static func nearestMean(
    _ row: UnsafeBufferPointer<Float>, over columns: [Int], weights: [Float], count: Int
  ) -> (Float, Int?) {
    guard !columns.isEmpty, count > 0 else { return (0, nil) }
    var nearest: [Int] = []
    nearest.reserveCapacity(count + 1)
    for column in columns {
      if nearest.count == count, row[column] <= row[nearest[count - 1]] { continue }
      // Ties keep the earlier column first, as a stable sort would.
      var place = nearest.count
      while place > 0, row[nearest[place - 1]] < row[column] { place -= 1 }
      nearest.insert(column, at: place)
      if nearest.count > count { nearest.removeLast() }
    }
    var sum: Float = 0
    var total: Float = 0
    for column in nearest {
      sum += weights[column] * row[column]
      total += weights[column]
    }
    return (total > 0 ? sum / total : 0, nearest.first)
  }
}
