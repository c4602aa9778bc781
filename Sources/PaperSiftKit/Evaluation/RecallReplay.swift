import Foundation

/// Turns the replay's rankings into ``RecallDay`` values, with the token
/// cost of each paper and extra rankings for candidate prefilter weights.
public struct RecallReplay {
  public let replay: Replay
  /// Sets the papers per request and the prompt the token estimate is made on.
  public var llm: LLMSettings
  /// Weight combinations ranked beside the named variants, for tuning.
  public var weightCandidates: [RankerWeights]
  private var topicsTexts: [String: String] = [:]

  public init(replay: Replay, llm: LLMSettings = LLMSettings(), weightCandidates: [RankerWeights]) {
    self.replay = replay
    self.llm = llm
    self.weightCandidates = weightCandidates
  }

  /// Returns the variant name under which a weight candidate's ranking is stored.
  ///
  /// The name lists the profile, logistic, tf-idf SVM, tf-idf neighbour and
  /// author-overlap weights, then the author-count and single-author weights
  /// when either is set.
  public static func name(of weights: RankerWeights) -> String {
    func text(_ value: Double) -> String {
      value == value.rounded() ? String(Int(value)) : String(value)
    }
    var values = [
      weights.profile, weights.logistic, weights.tfidf, weights.neighbours, weights.authorOverlap,
    ]
    if weights.authorCount != 0 || weights.singleAuthor != 0 {
      values += [weights.authorCount, weights.singleAuthor]
    }
    return "weights " + values.map(text).joined(separator: "/")
  }

  /// The default tuning grid for the logit combination (162 candidates):
  /// profile in {0, 0.25, 0.5}, logistic in {0.25, 0.45, 0.65}, tf-idf SVM in
  /// {0.2, 0.4, 0.6}, tf-idf neighbours in {0, 0.25, 0.5}, author overlap in
  /// {0, 0.3}. The grid is centred on the weights of an offline study that
  /// fitted a logistic regression over the rankers' logits on the earlier
  /// half of the bundled nights. The author-count terms stay 0.
  public static let defaultWeightGrid: [RankerWeights] = {
    var result: [RankerWeights] = []
    for profile in [0.0, 0.25, 0.5] {
      for logistic in [0.25, 0.45, 0.65] {
        for tfidf in [0.2, 0.4, 0.6] {
          for neighbours in [0.0, 0.25, 0.5] {
            for authorOverlap in [0.0, 0.3] {
              result.append(
                RankerWeights(
                  profile: profile, logistic: logistic, tfidf: tfidf, neighbours: neighbours,
                  authorOverlap: authorOverlap))
            }
          }
        }
      }
    }
    return result
  }()

  /// Replays the nights from `firstDay` (0-based) on, in date order.
  ///
  /// Each night is ranked once by every ``ReplayVariant``. The weight
  /// candidates are then recombined from the `profile`, `logistic`, `tfidf`
  /// and `neighbours` rankers' scores and the author terms, as ``Prefilter``
  /// combines them. Every other setting is the replay's own ``RankingSettings``.
  public mutating func run(firstDay: Int = 0, progress: ((BenchmarkDay) -> Void)? = nil) throws
    -> [RecallDay]
  {
    guard firstDay < replay.days.count else { return [] }
    var result: [RecallDay] = []
    for index in max(firstDay, 0)..<replay.days.count {
      let day = replay.days[index]
      progress?(day)
      result.append(try recallDay(at: index))
    }
    return result
  }

  /// Ranks night `index` with every variant and weight candidate.
  mutating func recallDay(at index: Int) throws -> RecallDay {
    let day = replay.days[index]
    let picks = day.picks
    let tokens = day.papers.map(Self.paperTokens)
    var relevance: [String: Int] = [:]
    for label in day.labels { relevance[label.id] = label.relevance }
    let rankings = try replay.rankings(forDayAt: index, variants: ReplayVariant.allCases)
    var nights: [String: RankedNight] = [:]
    for (variant, ranking) in rankings {
      nights[variant.rawValue] = RankedNight(
        ranking.map { ranked in
          RankedEntry(
            isPick: picks.contains(ranked.paperId), score: ranked.score,
            tokens: tokens[ranked.index], relevance: relevance[ranked.paperId])
        })
    }

    let history = replay.days[max(0, index - replay.settings.model.trainingDays)..<index]
    let trainingSize = history.reduce(0) { $0 + $1.papers.count }
    let positives = history.reduce(0) { $0 + replay.knownPicks(of: $1).count }
    let usesModels = Prefilter(settings: replay.settings).usesModels(
      trainingSize: trainingSize, positives: positives)
    var scores = RankerScores(rankings: rankings, count: day.papers.count)
    scores.authorCounts = day.papers.map(\.authors.count)
    scores.overlaps = Prefilter.authorOverlaps(
      day.papers, positiveAuthors: Self.positiveAuthors(history, picks: replay.knownPicks(of:)))
    for weights in weightCandidates {
      let order = scores.combined(
        weights: weights, combination: replay.settings.combination,
        usesModels: usesModels)
      nights[Self.name(of: weights)] = RankedNight(
        order.map { item in
          RankedEntry(
            isPick: picks.contains(day.papers[item.index].id), score: item.score,
            tokens: tokens[item.index], relevance: relevance[day.papers[item.index].id])
        })
    }

    let builder = PromptBuilder(
      topics: try topicsText(named: day.topicsFile), model: llm.model, jsonMode: llm.jsonMode)
    return RecallDay(
      date: day.date, papers: day.papers.count, picks: picks.count,
      requestTokens: TokenEstimate.promptTokens(of: builder.messages(for: [])),
      batchSize: llm.batchSize, rankings: nights, labeller: day.labeller)
  }

  /// Returns the lowercased author names of the nights' picks, the
  /// positives that ``LearnedModels`` collects from the same nights.
  static func positiveAuthors(
    _ nights: some Collection<BenchmarkDay>, picks known: (BenchmarkDay) -> Set<String>
  ) -> Set<String> {
    var result: Set<String> = []
    for night in nights {
      let picks = known(night)
      for paper in night.papers where picks.contains(paper.id) {
        result.formUnion(paper.authors.map { $0.lowercased() })
      }
    }
    return result
  }

  /// Returns a paper's estimated share of a prompt: its block and its id in
  /// the list of ids to answer, estimated as the scorer does.
  public static func paperTokens(_ paper: Paper) -> Int {
    TokenEstimate.tokens(in: PromptBuilder.block(for: paper) + "\n" + paper.id + ", ")
  }

  mutating func topicsText(named name: String) throws -> String {
    if let cached = topicsTexts[name] { return cached }
    let url = replay.folder.appendingPathComponent(name)
    do {
      let text = try String(contentsOf: url, encoding: .utf8)
      topicsTexts[name] = text
      return text
    } catch {
      throw PaperSiftError(
        .io, "Unable to read the topics file '\(url.path)': \(error.localizedDescription).",
        underlying: error)
    }
  }
}

/// The separate rankers' scores of one night, by paper index, with the
/// papers' author counts and overlaps for the author terms.
struct RankerScores {
  var cold: [Float]
  var logistic: [Float]?
  var tfidf: [Float]?
  var neighbours: [Float]?
  var authorCounts: [Int]
  var overlaps: [Bool]

  /// Reads the cold-start score from the `profile` ranking and the models'
  /// scores from the `logistic`, `tfidf` and `neighbours` rankings; the
  /// author counts and overlaps start at 0 and false.
  init(rankings: [ReplayVariant: [RankedPaper]], count: Int) {
    cold = [Float](repeating: 0, count: count)
    for ranked in rankings[.profile] ?? [] { cold[ranked.index] = ranked.cold.score }
    logistic = Self.column(rankings[.logistic], count: count, \.logistic)
    tfidf = Self.column(rankings[.tfidf], count: count, \.tfidf)
    neighbours = Self.column(rankings[.neighbours], count: count, \.neighbours)
    authorCounts = [Int](repeating: 0, count: count)
    overlaps = [Bool](repeating: false, count: count)
  }

  init(cold: [Float], logistic: [Float]?, tfidf: [Float]?, neighbours: [Float]? = nil) {
    self.cold = cold
    self.logistic = logistic
    self.tfidf = tfidf
    self.neighbours = neighbours
    authorCounts = [Int](repeating: 0, count: cold.count)
    overlaps = [Bool](repeating: false, count: cold.count)
  }

  static func column(
    _ ranking: [RankedPaper]?, count: Int, _ key: KeyPath<RankedPaper, Float?>
  ) -> [Float]? {
    guard let ranking, ranking.contains(where: { $0[keyPath: key] != nil }) else { return nil }
    var result = [Float](repeating: 0, count: count)
    for ranked in ranking { result[ranked.index] = ranked[keyPath: key] ?? 0 }
    return result
  }

  /// Ranks the night as ``Prefilter/rank(papers:embeddings:profile:models:)``
  /// does with `weights` and `combination`, a non-empty profile and no
  /// followed author.
  ///
  /// - Returns: Paper indices with their combined scores, best first.
  func combined(weights: RankerWeights, combination: RankCombination, usesModels: Bool)
    -> [(index: Int, score: Double)]
  {
    var rankers: [(weight: Double, scores: [Float])] = [(weights.profile, cold)]
    if usesModels {
      if let logistic, weights.logistic > 0 { rankers.append((weights.logistic, logistic)) }
      if let tfidf, weights.tfidf > 0 { rankers.append((weights.tfidf, tfidf)) }
      if let neighbours, weights.neighbours > 0 {
        rankers.append((weights.neighbours, neighbours))
      }
    }
    let overlaps = usesModels && weights.authorOverlap != 0 ? overlaps : overlaps.map { _ in false }
    let scores = Prefilter.combine(
      rankers, authorCounts: authorCounts, overlaps: overlaps, weights: weights,
      combination: combination)
    return scores.indices.map { (index: $0, score: scores[$0]) }
      .sorted { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
  }
}
