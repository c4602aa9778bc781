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
    /// The topic or relevant keyword, and the liked paper, with the largest
    /// cosine, and those cosines. The liked paper is never the paper itself.
    public var closestTopic: String?
    public var topicSimilarity: Float?
    /// Whether ``closestTopic`` is a relevant keyword rather than a topic.
    public var closestTopicIsKeyword = false
    public var closestLiked: String?
    public var likedSimilarity: Float?
    /// Whether ``closestLiked`` is a paper the LLM picked on an earlier night
    /// rather than one the user liked.
    public var closestLikedIsPick = false
    /// The irrelevant or application keyword with the largest cosine, that
    /// cosine, and what it took off the cold-start score (the cosine times
    /// `ranking.cold.negativeWeight`).
    public var closestNegative: String?
    public var negativeSimilarity: Float?
    public var negativePenalty: Float?
    /// The disliked paper with the largest cosine, the mean cosine of the
    /// nearest disliked papers, and what that took off the cold-start score
    /// (the mean, where above 0, times `ranking.cold.dislikeWeight`). The disliked paper is
    /// never the paper itself.
    public var closestDisliked: String?
    public var dislikedSimilarity: Float?
    public var dislikedPenalty: Float?
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
      let negative = ranked.cold.bestNegative == nil ? nil : ranked.cold.negative
      let disliked = ranked.cold.bestDisliked == nil ? nil : ranked.cold.disliked
      return Item(
        rank: position + 1, id: ranked.paperId, title: ranking.papers[ranked.index].title,
        score: ranked.score, followedAuthor: ranked.followedAuthor,
        likedByUser: ranked.likedByUser,
        dislikedByUser: ranked.dislikedByUser,
        closestTopic: ranked.cold.bestTopic.map { entries[$0].label },
        topicSimilarity: ranked.cold.bestTopic == nil ? nil : ranked.cold.topic,
        closestTopicIsKeyword: ranked.cold.bestTopic.map { entries[$0].kind == .keyword } ?? false,
        closestLiked: ranked.cold.bestLiked.map { entries[$0].label },
        likedSimilarity: ranked.cold.bestLiked == nil ? nil : ranked.cold.liked,
        closestLikedIsPick: ranked.cold.bestLiked.map { entries[$0].kind == .pick } ?? false,
        closestNegative: ranked.cold.bestNegative.map { entries[$0].label },
        negativeSimilarity: negative,
        negativePenalty: negative.map { Float(ranking.negativeWeight) * $0 },
        closestDisliked: ranked.cold.bestDisliked.map { entries[$0].label },
        dislikedSimilarity: disliked,
        dislikedPenalty: disliked.map {
          Float(ranking.dislikeWeight) * ColdStartScore.penalised($0)
        },
        logistic: ranked.logistic, tfidf: ranked.tfidf, neighbours: ranked.neighbours,
        authorOverlap: ranked.authorOverlap)
    }
  }

  /// The ranking as lines of text; with `explain`, a second line per paper
  /// names the profile entry that contributed most and the models' scores.
  /// Titles are shown on one line without invisible characters, as
  /// ``VisibleText/singleLine(_:)`` makes them.
  public static func text(_ ranking: NightRanking, top: Int?, explain: Bool) -> String {
    var lines = header(ranking)
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

  /// Returns the lines above the ranking: what ranked the night and, until
  /// the learned models take part, how many labelled papers they have.
  static func header(_ ranking: NightRanking) -> [String] {
    let night = "\(MarkdownText.counted(ranking.papers.count, "paper")) on \(ranking.date)"
    let kinds = Set(ranking.profile.entries.map(\.kind))
    let parts = [
      kinds.contains(.topic) || kinds.contains(.keyword) ? "topics" : nil,
      kinds.contains(.liked) || kinds.contains(.disliked) ? "likes" : nil,
      kinds.contains(.pick) ? "earlier LLM picks" : nil,
    ].compactMap { $0 }
    let profile =
      parts.count < 3
      ? parts.joined(separator: " and ")
      : parts.dropLast().joined(separator: ", ") + " and " + parts[parts.count - 1]
    if ranking.usedModels {
      let withProfile = profile.isEmpty ? "" : ", with \(profile)"
      let labelled = MarkdownText.counted(ranking.trainingSize, "labelled paper")
      return ["\(night), ranked by the learned models on \(labelled)\(withProfile)."]
    }
    let models = modelsLine(ranking)
    guard ranking.isUnranked else {
      return ["\(night), ranked by \(profile) only.", models]
    }
    return [
      "\(night) in arXiv id order, because there is no topics file and no like or dislike yet.",
      models,
      "Copy Data/topics/topics.md to topics.md in the home folder and edit it, or pass "
        + "--topics FILE, or like papers with 'papersift like ID'.",
    ]
  }

  /// Returns when the learned models start, what labelled papers they have
  /// and, when the count is reached but one class is short, why they are off.
  static func modelsLine(_ ranking: NightRanking) -> String {
    let perClass = ranking.minimumPerClass
    let others = ranking.trainingSize - ranking.positives
    let fromNights = ranking.trainingSize - ranking.feedbackLabels
    var line =
      "The learned models start at \(ranking.minimumTrainingSize) labelled papers with at least "
      + counted(perClass, "pick", "picks") + " and "
      + counted(perClass, "other paper", "other papers")
      + " among them (likes, dislikes, the LLM's "
      + "scores and the other papers of nights that a run scored). They have "
      + "\(ranking.trainingSize) so far: "
      + counted(ranking.feedbackLabels, "like or dislike", "likes and dislikes") + " and "
      + counted(fromNights, "paper", "papers") + " from "
      + counted(ranking.scoredNights, "scored night", "scored nights")
      + " of the \(ranking.trainingDays)-day training window."
    if ranking.trainingSize >= ranking.minimumTrainingSize,
      ranking.positives < perClass || others < perClass
    {
      line +=
        " Of these, \(counted(ranking.positives, "is a pick", "are picks")) and "
        + "\(counted(others, "is another paper", "are other papers")), so the models stay off "
        + "until each class has \(perClass). Dislike papers you would skip, or let "
        + "'papersift run' score a night."
    }
    return line
      + " The likes and scores of \(ranking.date) count from the next night on."
  }

  /// Returns `count` followed by `singular` when it is 1, else by `plural`.
  static func counted(_ count: Int, _ singular: String, _ plural: String) -> String {
    "\(count) \(count == 1 ? singular : plural)"
  }

  static func explanation(_ item: Item) -> String {
    var parts: [String] = []
    if item.likedByUser { parts.append("you liked this paper") }
    if item.dislikedByUser { parts.append("you disliked this paper") }
    // Both the closest topic and the closest like or pick are named, the one
    // with the larger cosine first.
    var closest: [String] = []
    let topic = item.topicSimilarity ?? -.infinity
    let liked = item.likedSimilarity ?? -.infinity
    if let name = item.closestTopic {
      let kind = item.closestTopicIsKeyword ? "relevant keyword" : "topic"
      closest.append(String(format: "%@ \"%@\" (cosine %.3f)", kind, name, topic))
    }
    if let id = item.closestLiked {
      let format =
        item.closestLikedIsPick
        ? "closest earlier LLM pick %@ (mean cosine of the nearest likes and picks %.3f)"
        : "closest like %@ (mean cosine of the nearest likes %.3f)"
      let text = String(format: format, id, liked)
      if liked > topic { closest.insert(text, at: 0) } else { closest.append(text) }
    }
    parts += closest.isEmpty ? ["no topic or like"] : closest
    if let keyword = item.closestNegative, let cosine = item.negativeSimilarity,
      let penalty = item.negativePenalty, penalty != 0
    {
      let format = "negative keyword \"%@\" (cosine %.3f, minus %.3f)"
      parts.append(String(format: format, keyword, cosine, penalty))
    }
    if let id = item.closestDisliked, let cosine = item.dislikedSimilarity,
      let penalty = item.dislikedPenalty, penalty != 0
    {
      let format = "closest dislike %@ (mean cosine of the nearest dislikes %.3f, minus %.3f)"
      parts.append(String(format: format, id, cosine, penalty))
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
