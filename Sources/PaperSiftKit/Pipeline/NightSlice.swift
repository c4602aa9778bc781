import Foundation

/// The night's ranking split at the cutoff: the papers sent to the LLM, the
/// audit sample drawn from below the cutoff, and why each sent paper passed.
struct NightSlice {
  let date: String
  let ranking: NightRanking
  /// The night's papers in ranking order, best first.
  let ordered: [Paper]
  /// The prefilter score of each paper of `ordered`.
  let scores: [Double]
  let sentIDs: Set<String>
  let auditIDs: Set<String>
  let cutoff: (policy: String, value: Double)
  private let reasons: [String: DigestContent.PassReason]

  init(
    ranking: NightRanking, cutoff: CutoffPolicy, recorded: (policy: String, value: Double),
    settings: Configuration, date: String
  ) {
    self.date = date
    self.ranking = ranking
    self.ordered = ranking.ranked.map { ranking.papers[$0.index] }
    self.scores = ranking.ranked.map(\.score)
    self.cutoff = recorded

    let size = cutoff.sentCount(scores: scores)
    var sent = Set(ordered.prefix(size).map(\.id))
    var reasons: [String: DigestContent.PassReason] = [:]
    for (position, ranked) in ranking.ranked.enumerated() {
      let paper = ranking.papers[ranked.index]
      if ranked.likedByUser {
        // Papers the user liked always pass too, with the like as the reason.
        sent.insert(paper.id)
        reasons[paper.id] = .likedByUser
      } else if ranked.followedAuthor {
        // Papers by followed authors always pass, whatever their rank.
        sent.insert(paper.id)
        let name = NightSlice.followedAuthor(of: paper, in: settings.ranking.followedAuthors)
        reasons[paper.id] = .followedAuthor(name: name ?? paper.authors.first ?? "")
      } else if ranked.neverPasses {
        // Papers the user disliked are never sent, whatever the cutoff.
        sent.remove(paper.id)
      } else if position < size {
        reasons[paper.id] = NightSlice.reason(for: ranked, profile: ranking.profile)
      }
    }
    self.sentIDs = sent
    self.reasons = reasons
    self.auditIDs = Set(
      AuditSample.draw(
        ranking: ranking.ranked.filter { !$0.neverPasses }.map(\.paperId), sentIDs: sent,
        date: date, settings: settings.run))
  }

  /// The sent papers in ranking order, then the audit sample in ranking order.
  var papersToScore: [Paper] {
    ordered.filter { sentIDs.contains($0.id) } + ordered.filter { auditIDs.contains($0.id) }
  }

  /// The ranking as the digest reads it.
  var digestRanking: [DigestInput.RankedPaper] {
    zip(ordered, ranking.ranked).map { paper, ranked in
      var feedback: DigestContent.Feedback?
      if ranked.likedByUser {
        feedback = .liked
      } else if ranked.dislikedByUser {
        feedback = .disliked
      }
      return DigestInput.RankedPaper(
        paper: paper, score: ranked.score, reason: reasons[paper.id], feedback: feedback)
    }
  }

  /// Names the profile entry that contributed most to a paper's cold-start score.
  ///
  static func reason(for ranked: RankedPaper, profile: Profile)
    -> DigestContent.PassReason
  {
    let useLiked =
      ranked.cold.bestLiked != nil && ranked.cold.liked >= ranked.cold.topic
    if useLiked, let index = ranked.cold.bestLiked, profile.entries.indices.contains(index) {
      let entry = profile.entries[index]
      return entry.kind == .pick ? .earlierPick(id: entry.label) : .likedPaper(id: entry.label)
    }
    if let index = ranked.cold.bestTopic, profile.entries.indices.contains(index) {
      let entry = profile.entries[index]
      guard entry.kind == .topic else { return .relevantKeyword(keyword: entry.label) }
      return .topic(number: topicNumber(entry, in: profile), name: entry.label)
    }
    return .learnedModel(score: ranked.score)
  }

  private static func topicNumber(_ entry: ProfileEntry, in profile: Profile) -> Int {
    let topics = profile.entries.filter { $0.kind == entry.kind }
    return (topics.firstIndex(of: entry) ?? 0) + 1
  }

  static func followedAuthor(of paper: Paper, in followed: [String]) -> String? {
    let wanted = Set(followed.map { $0.lowercased() })
    return paper.authors.first { wanted.contains($0.lowercased()) }
  }
}
