import Foundation

/// The nightly run's results for ``DigestBuilder``: the ranking, the papers
/// sent and audited, and the scores that came back.
public struct DigestInput: Codable, Sendable {
  /// One paper in the prefilter's ranking.
  public struct RankedPaper: Codable, Sendable {
    public var paper: Paper
    public var score: Double
    /// The prefilter's reason for passing the paper, nil below the cutoff.
    public var reason: DigestContent.PassReason?
    /// The user's like or dislike of the paper.
    public var feedback: DigestContent.Feedback?

    public init(
      paper: Paper, score: Double, reason: DigestContent.PassReason?,
      feedback: DigestContent.Feedback? = nil
    ) {
      self.paper = paper
      self.score = score
      self.reason = reason
      self.feedback = feedback
    }
  }

  /// The LLM's judgement of one paper.
  public struct Score: Codable, Sendable, Equatable {
    public var relevance: Int
    public var novelty: Int
    public var comment: String

    public init(relevance: Int, novelty: Int, comment: String) {
      self.relevance = relevance
      self.novelty = novelty
      self.comment = comment
    }
  }

  /// The night, `YYYY-MM-DD`.
  public var date: String
  public var model: String
  /// The whole night in ranking order, best first.
  public var ranking: [RankedPaper]
  /// The ids of the papers above the cutoff, chosen for the LLM.
  public var sentIDs: Set<String>
  /// The ids drawn by ``AuditSample`` from below the cutoff.
  public var auditIDs: Set<String>
  /// The LLM's scores by paper id, for the sent and audited papers that got one.
  public var scores: [String: Score]
  /// The cause of each missing score of a sent or audited paper, by paper
  /// id. Empty when the LLM stage was skipped before any paper reached the
  /// scorer, so that the digest lists no unscored paper then.
  public var unscoredReasons: [String: String]
  /// The tokens and dollars of the night's requests, under every model and prompt.
  public var usage: DigestContent.Usage
  /// The dollars of the night's requests under `model` and the prompt of
  /// ``scores`` that returned scores of the night's papers, which price each
  /// scored paper. Nil takes the total of ``usage``.
  public var scoringDollars: Double?
  /// The papers of the night that the requests of ``scoringDollars`` gave a
  /// score, which earlier runs of the night with another cutoff can make
  /// more than those chosen at this one. Nil takes the chosen papers that
  /// have a score.
  public var scoringPapers: Int?
  /// The dollars of the night's requests under `model` and the prompt of
  /// ``scores`` that returned no score, which price no paper. Nil counts as 0.
  public var noScoreDollars: Double?
  public var selectionRule: SelectionRule
  /// Set when the LLM stage was skipped, and then ``scores`` is ignored.
  public var skippedLLM: DigestContent.SkippedLLM?
  /// The reason this run sent no request, when ``scores`` are those that
  /// earlier runs of the night stored.
  public var noRequestReason: String?
  /// The reason every request of this run failed, when ``scores`` are those that
  /// earlier runs of the night stored.
  public var failedRequestsReason: String?
  /// How many of the top papers to list when the LLM stage was skipped.
  public var prefilterListLength: Int
  public var confidenceLevel: Double
  public var selectionPrompt: String?

  public init(
    date: String, model: String, ranking: [RankedPaper], sentIDs: Set<String>,
    auditIDs: Set<String>, scores: [String: Score], unscoredReasons: [String: String],
    usage: DigestContent.Usage, scoringDollars: Double? = nil, scoringPapers: Int? = nil,
    selectionRule: SelectionRule,
    skippedLLM: DigestContent.SkippedLLM? = nil, noRequestReason: String? = nil,
    prefilterListLength: Int = 20, confidenceLevel: Double = 0.95, selectionPrompt: String? = nil
  ) {
    self.date = date
    self.model = model
    self.ranking = ranking
    self.sentIDs = sentIDs
    self.auditIDs = auditIDs
    self.scores = scores
    self.unscoredReasons = unscoredReasons
    self.usage = usage
    self.scoringDollars = scoringDollars
    self.scoringPapers = scoringPapers
    self.selectionRule = selectionRule
    self.skippedLLM = skippedLLM
    self.noRequestReason = noRequestReason
    self.prefilterListLength = prefilterListLength
    self.confidenceLevel = confidenceLevel
    self.selectionPrompt = selectionPrompt
  }
}

/// Assembles a ``DigestContent`` from the night's ranking and scores: applies
/// the selection rule, sorts the picks, counts the audit and prices the cutoff.
public enum DigestBuilder {
  /// Builds the digest content for `input`, with its dollar amounts rounded
  /// to ``Dollars/decimals`` decimals.
  ///
  /// A sent or audited paper without a score and without a reason in
  /// `unscoredReasons` is listed as unscored with the reason "no score
  /// returned".
  public static func build(_ input: DigestInput) -> DigestContent {
    let input = normalized(input)
    let chosenIDs = input.sentIDs.union(input.auditIDs)
    let counts = DigestContent.Counts(
      papers: input.ranking.count, aboveCutoff: input.sentIDs.count,
      audited: input.auditIDs.count,
      scored: input.skippedLLM == nil ? chosenIDs.filter { input.scores[$0] != nil }.count : 0)
    let papers: [DigestContent.SelectedPaper]
    let recall: RecallEstimate?
    var unscored: [DigestContent.UnscoredPaper] = []

    if let skipped = input.skippedLLM {
      papers = prefilterTop(input)
      recall = nil
      // Papers that reached the scorer have a stored reason, also when the
      // budget let none be sent, so none of them is dropped from the list.
      if skipped.requestsFailed || !input.unscoredReasons.isEmpty {
        unscored = unscoredPapers(input)
      }
    } else {
      papers = picks(input)
      recall = estimateRecall(input)
      unscored = unscoredPapers(input)
    }

    // A skipped stage prices the chosen papers by estimate.
    let paidPapers = input.skippedLLM == nil ? input.scoringPapers ?? counts.scored : 0
    var costSaved: DigestContent.CostSaved?
    if paidPapers > 0 || (counts.chosen > 0 && input.skippedLLM != nil) {
      costSaved = DigestContent.CostSaved(
        chosenPapers: counts.chosen, scoredPapers: counts.scored, allPapers: counts.papers,
        paidDollars: input.scoringDollars ?? input.usage.totalDollars,
        paidScoredPapers: paidPapers,
        estimatedDollars: input.skippedLLM?.estimatedUsage.totalDollars,
        noScoreDollars: input.noScoreDollars ?? 0)
    }
    let content = DigestContent(
      date: input.date, model: input.model, usage: input.usage, counts: counts,
      selectionRule: input.selectionRule, papers: papers, costSaved: costSaved,
      recall: recall, unscored: unscored, skippedLLM: input.skippedLLM,
      noRequestReason: input.skippedLLM == nil ? input.noRequestReason : nil,
      failedRequestsReason: input.skippedLLM == nil ? input.failedRequestsReason : nil,
      selectionPrompt: input.selectionPrompt)
    // The Markdown and the JSON digest are both written from these amounts.
    return content.roundingDollars()
  }

  /// Sorts picks like the digests the benchmark labels come from: relevance,
  /// then novelty, both descending, then prefilter rank ascending.
  public static func sortPicks(_ papers: [DigestContent.SelectedPaper])
    -> [DigestContent.SelectedPaper]
  {
    papers.sorted { left, right in
      let leftKey = (-(left.relevance ?? 0), -(left.novelty ?? 0), left.prefilterRank)
      let rightKey = (-(right.relevance ?? 0), -(right.novelty ?? 0), right.prefilterRank)
      return leftKey < rightKey
    }
  }

  /// Keeps the first entry of a paper ranked twice, keeps the sent and audit
  /// ids that are in the ranking, and drops sent papers from the audit, so
  /// the counts cannot contradict each other.
  private static func normalized(_ input: DigestInput) -> DigestInput {
    var copy = input
    var ranked = Set<String>()
    copy.ranking = input.ranking.filter { ranked.insert($0.paper.id).inserted }
    copy.sentIDs = input.sentIDs.intersection(ranked)
    copy.auditIDs = input.auditIDs.intersection(ranked).subtracting(copy.sentIDs)
    return copy
  }

  private static func picks(_ input: DigestInput) -> [DigestContent.SelectedPaper] {
    var picks: [DigestContent.SelectedPaper] = []
    for (offset, entry) in input.ranking.enumerated() {
      let id = entry.paper.id
      guard input.sentIDs.contains(id) || input.auditIDs.contains(id),
        let score = input.scores[id],
        input.selectionRule.selects(relevance: score.relevance, novelty: score.novelty)
      else { continue }
      picks.append(
        DigestContent.SelectedPaper(
          paper: entry.paper, prefilterRank: offset + 1, prefilterScore: entry.score,
          reason: reason(for: entry, input: input), score: score, feedback: entry.feedback))
    }
    return sortPicks(picks)
  }

  private static func prefilterTop(_ input: DigestInput) -> [DigestContent.SelectedPaper] {
    let listed = input.ranking.enumerated().filter { input.sentIDs.contains($0.element.paper.id) }
    return listed.prefix(max(input.prefilterListLength, 0)).map { offset, entry in
      DigestContent.SelectedPaper(
        paper: entry.paper, prefilterRank: offset + 1, prefilterScore: entry.score,
        reason: reason(for: entry, input: input), score: nil, feedback: entry.feedback)
    }
  }

  private static func reason(
    for entry: DigestInput.RankedPaper, input: DigestInput
  ) -> DigestContent.PassReason {
    if input.auditIDs.contains(entry.paper.id) { return .auditSample }
    return entry.reason ?? .other(text: "within the prefilter cutoff")
  }

  private static func estimateRecall(_ input: DigestInput) -> RecallEstimate {
    let rule = input.selectionRule
    func isPick(_ id: String) -> Bool {
      guard let score = input.scores[id] else { return false }
      return rule.selects(relevance: score.relevance, novelty: score.novelty)
    }
    let scoredAudit = input.auditIDs.filter { input.scores[$0] != nil }
    return RecallEstimate(
      picksAboveCutoff: input.sentIDs.filter(isPick).count,
      unscoredAboveCutoff: input.sentIDs.filter { input.scores[$0] == nil }.count,
      papersBelowCutoff: input.ranking.count - input.sentIDs.count,
      sampleSize: scoredAudit.count,
      samplePicks: scoredAudit.filter(isPick).count,
      confidenceLevel: input.confidenceLevel)
  }

  private static func unscoredPapers(_ input: DigestInput) -> [DigestContent.UnscoredPaper] {
    input.ranking.compactMap { entry in
      let id = entry.paper.id
      guard input.sentIDs.contains(id) || input.auditIDs.contains(id),
        input.scores[id] == nil
      else { return nil }
      return DigestContent.UnscoredPaper(
        id: id, title: VisibleText.singleLine(entry.paper.title), link: entry.paper.absURL,
        reason: readableReason(input.unscoredReasons[id]),
        inAuditSample: input.auditIDs.contains(id))
    }
  }

  /// Turns a stored reason into a sentence for the digest.
  static func readableReason(_ stored: String?) -> String {
    switch stored {
    case nil: "no score returned"
    case "\(UnscoredReason.budget)": budgetReason
    case let reason?: reason
    }
  }

  /// The digest's reason for a paper that the budget left unsent.
  static let budgetReason = "not sent, because the budget (--budget) was reached"
}
