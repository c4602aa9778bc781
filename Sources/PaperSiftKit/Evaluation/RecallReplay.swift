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
  public static func name(of weights: RankerWeights) -> String {
    func text(_ value: Double) -> String {
      value == value.rounded() ? String(Int(value)) : String(value)
    }
    return "weights \(text(weights.profile))/\(text(weights.logistic))/\(text(weights.tfidf))"
  }

  /// The default tuning grid: profile, logistic and tf-idf weights each in
  /// {0, 0.5, 1}, without the all-zero combination (26 candidates).
  public static let defaultWeightGrid: [RankerWeights] = {
    let steps = [0.0, 0.5, 1.0]
    var result: [RankerWeights] = []
    for profile in steps {
      for logistic in steps {
        for tfidf in steps where profile + logistic + tfidf > 0 {
          result.append(RankerWeights(profile: profile, logistic: logistic, tfidf: tfidf))
        }
      }
    }
    return result
  }()

  /// Replays the nights from `firstDay` (0-based) on, in date order.
  ///
  /// Each night is ranked once by every ``ReplayVariant``. The weight
  /// candidates are then recombined from the `profile`, `logistic` and
  /// `tfidf` rankers' scores by the rank average that ``Prefilter`` uses.
  /// Every other setting is the replay's own ``RankingSettings``.
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
    let rankings = try replay.rankings(forDayAt: index, variants: ReplayVariant.allCases)
    var nights: [String: RankedNight] = [:]
    for (variant, ranking) in rankings {
      nights[variant.rawValue] = RankedNight(
        ranking.map { ranked in
          RankedEntry(
            isPick: picks.contains(ranked.paperId), score: ranked.score,
            tokens: tokens[ranked.index])
        })
    }

    let history = replay.days[max(0, index - replay.settings.model.trainingDays)..<index]
    let trainingSize = history.reduce(0) { $0 + $1.papers.count }
    let scores = RankerScores(rankings: rankings, count: day.papers.count)
    for weights in weightCandidates {
      let order = scores.combined(
        weights: weights,
        usesModels: trainingSize >= replay.settings.minimumLabelledPapers)
      nights[Self.name(of: weights)] = RankedNight(
        order.map { item in
          RankedEntry(
            isPick: picks.contains(day.papers[item.index].id), score: item.score,
            tokens: tokens[item.index])
        })
    }

    let builder = PromptBuilder(
      topics: try topicsText(named: day.topicsFile), model: llm.model, jsonMode: llm.jsonMode)
    return RecallDay(
      date: day.date, papers: day.papers.count, picks: picks.count,
      requestTokens: TokenEstimate.promptTokens(of: builder.messages(for: [])),
      batchSize: llm.batchSize, rankings: nights)
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

/// The separate rankers' scores of one night, by paper index.
struct RankerScores {
  var cold: [Float]
  var logistic: [Float]?
  var tfidf: [Float]?

  /// Reads the cold-start score from the `profile` ranking and the models'
  /// scores from the `logistic` and `tfidf` rankings.
  init(rankings: [ReplayVariant: [RankedPaper]], count: Int) {
    cold = [Float](repeating: 0, count: count)
    for ranked in rankings[.profile] ?? [] { cold[ranked.index] = ranked.cold.score }
    logistic = Self.column(rankings[.logistic], count: count, \.logistic)
    tfidf = Self.column(rankings[.tfidf], count: count, \.tfidf)
  }

  init(cold: [Float], logistic: [Float]?, tfidf: [Float]?) {
    self.cold = cold
    self.logistic = logistic
    self.tfidf = tfidf
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
  /// does with `weights`, a non-empty profile and no followed author.
  ///
  /// - Returns: Paper indices with their combined scores, best first.
  func combined(weights: RankerWeights, usesModels: Bool) -> [(index: Int, score: Double)] {
    let logistic = usesModels && weights.logistic > 0 ? self.logistic : nil
    let tfidf = usesModels && weights.tfidf > 0 ? self.tfidf : nil
    var rankers: [(weight: Double, scores: [Float])] = [(weights.profile, cold)]
    if let logistic { rankers.append((weights.logistic, logistic)) }
    if let tfidf { rankers.append((weights.tfidf, tfidf)) }
    let scores = Prefilter.rankAverage(rankers, count: cold.count)
    return scores.indices.map { (index: $0, score: scores[$0]) }
      .sorted { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
  }
}
