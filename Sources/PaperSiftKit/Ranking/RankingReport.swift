import Foundation

/// Text and JSON output of `papersift rank`.
public enum RankingReport {
  /// One ranked paper as `rank --json` prints it.
  public struct Item: Codable, Sendable, Equatable {
    public var rank: Int
    public var id: String
    public var title: String
    public var score: Double
    public var followedAuthor: Bool
    /// Whether the user liked the paper, which makes it pass whatever its score.
    public var likedByUser = false
    /// Whether the user disliked the paper.
    public var dislikedByUser = false
    /// The topic or liked paper with the largest cosine, and that cosine. The
    /// liked paper is never the paper itself.
    public var closestTopic: String?
    public var topicSimilarity: Float?
    public var closestLiked: String?
    public var likedSimilarity: Float?
    public var logistic: Float?
    public var tfidf: Float?
    /// The tf-idf neighbour contrast.
    public var neighbours: Float?
    /// Whether an author of the paper wrote an earlier pick or like.
    public var authorOverlap: Bool
  }

  public static func items(_ ranking: NightRanking, top: Int?) -> [Item] {
    let shown = ranking.ranked.prefix(top ?? ranking.ranked.count)
    return shown.enumerated().map { position, ranked in
      let entries = ranking.profile.entries
      return Item(
        rank: position + 1, id: ranked.paperId, title: ranking.papers[ranked.index].title,
        score: ranked.score, followedAuthor: ranked.followedAuthor,
        likedByUser: ranked.likedByUser,
        dislikedByUser: ranked.dislikedByUser,
        closestTopic: ranked.cold.bestTopic.map { entries[$0].label },
        topicSimilarity: ranked.cold.bestTopic == nil ? nil : ranked.cold.topic,
        closestLiked: ranked.cold.bestLiked.map { entries[$0].label },
        likedSimilarity: ranked.cold.bestLiked == nil ? nil : ranked.cold.liked,
        logistic: ranked.logistic, tfidf: ranked.tfidf, neighbours: ranked.neighbours,
        authorOverlap: ranked.authorOverlap)
    }
  }

  /// The ranking as lines of text; with `explain`, a second line per paper
  /// names the profile entry that contributed most and the models' scores.
  /// Titles are shown on one line without invisible characters, as
  /// ``VisibleText/singleLine(_:)`` makes them.
  public static func text(_ ranking: NightRanking, top: Int?, explain: Bool) -> String {
    let kinds = Set(ranking.profile.entries.map(\.kind))
    let profileParts =
      [
        kinds.contains(.topic) || kinds.contains(.keyword) ? "topics" : nil,
        kinds.contains(.liked) || kinds.contains(.disliked) ? "likes" : nil,
      ].compactMap { $0 }
    let profile =
      profileParts.isEmpty ? "no topics or likes" : profileParts.joined(separator: " and ")
    let models =
      ranking.usedModels
      ? "learned models on \(ranking.trainingSize) labelled papers, with \(profile)"
      : "\(profile) only; the learned models start at \(ranking.minimumTrainingSize) labelled "
        + "papers with picks among them (likes, dislikes and the papers of nights the LLM "
        + "scored), \(ranking.trainingSize) so far"
    var lines = ["\(ranking.papers.count) papers on \(ranking.date), ranked by \(models)"]
    for item in items(ranking, top: top) {
      let marks = [
        item.followedAuthor ? " [followed author]" : "", item.likedByUser ? " [liked]" : "",
        item.dislikedByUser ? " [disliked]" : "",
      ]
      let mark = marks.joined()
      let title = VisibleText.singleLine(item.title)
      lines.append(
        String(format: "%3d. %@  %.3f  %@%@", item.rank, item.id, item.score, title, mark))
      guard explain else { continue }
      lines.append("     " + explanation(item))
    }
    return lines.joined(separator: "\n")
  }

  static func explanation(_ item: Item) -> String {
    var parts: [String] = []
    if item.likedByUser { parts.append("you liked this paper") }
    if item.dislikedByUser { parts.append("you disliked this paper") }
    let topic = item.topicSimilarity ?? -.infinity
    let liked = item.likedSimilarity ?? -.infinity
    if let name = item.closestTopic, topic >= liked {
      parts.append(String(format: "topic \"%@\" (cosine %.3f)", name, topic))
    } else if let id = item.closestLiked {
      parts.append(
        String(format: "closest like %@ (mean cosine of the nearest likes %.3f)", id, liked))
    } else {
      parts.append("no topic or like")
    }
    if let logistic = item.logistic { parts.append(String(format: "logistic %.3f", logistic)) }
    if let tfidf = item.tfidf { parts.append(String(format: "tf-idf SVM %.3f", tfidf)) }
    if let neighbours = item.neighbours {
      parts.append(String(format: "tf-idf neighbours %.3f", neighbours))
    }
    if item.authorOverlap { parts.append("author of an earlier pick or like") }
    return parts.joined(separator: ", ")
  }
}
