import Foundation

/// A way of ranking a night, compared by the replay.
public enum ReplayVariant: String, Sendable, CaseIterable, Codable {
  /// The largest cosine to the topic vectors.
  case topics
  /// Topics, negative keywords, likes and dislikes: the cold-start score.
  case profile
  /// Logistic regression on the embeddings alone.
  case logistic
  /// The tf-idf linear SVM alone.
  case tfidf
  /// The tf-idf nearest-neighbour contrast alone.
  case neighbours
  /// The equal-weight rank average of `logistic` and `tfidf`.
  case rankAverage = "rank-average"
  /// The prefilter exactly as configured, as `papersift run --cutoff auto` ranks.
  case auto
  /// `auto` with the opt-in author-count terms at ``Replay/authorCountPrior``,
  /// to measure what they would add.
  case authorCountPrior = "author-count-prior"
}

/// The labels of earlier nights that the replay's models and profile learn from.
public enum ReplayLabels: Sendable, Equatable {
  /// Every paper's recorded label.
  case everyPaper
  /// Only what PaperSift itself would have learned: the labels of the papers
  /// it would have sent that night, the top `fraction` of its `auto` ranking
  /// plus the audit sample that `run` draws. The other papers count as not
  /// picked, as the unsent papers of a scored night do in use.
  case sentPapers(fraction: Double, run: RunSettings)
}

/// One replayed night: how many of its picks each variant ranked inside
/// each top fraction of the night.
public struct ReplayDayCounts: Sendable, Codable, Equatable {
  public var date: String
  public var papers: Int
  public var picks: Int
  /// Variant name, then the fraction as text (`"0.25"`), then the count.
  public var variants: [String: [String: Int]]
}

/// Replays recorded nights in date order as a user would have lived them.
///
/// Each night from `firstScoredDay` on (0-based) is ranked by models trained
/// on at most `settings.model.trainingDays` earlier nights, the LLM's picks
/// as positives and the other papers of those nights as negatives. The
/// earlier nights' picks join the profile, aged from their night, as they
/// do in `papersift rank`, and the topics file is the one the days folder
/// names for that night. No label of the ranked night or of a later one
/// reaches its models or profile. With
/// ``ReplayLabels/sentPapers(fraction:run:)`` the models and the profile
/// learn only the labels PaperSift would have paid for.
public final class Replay {
  /// The top fractions counted for every night.
  public static let fractions: [Double] = [0.1, 0.2, 0.25, 0.3, 0.4, 0.5]

  /// The author-count weights of the ``ReplayVariant/authorCountPrior``
  /// variant: `authorCount` and `singleAuthor`, rounded from a logistic
  /// regression over the rankers' logits and the author terms, fitted on the
  /// earlier half of the bundled nights in an offline study.
  public static let authorCountPrior = (authorCount: 0.2, singleAuthor: -0.8)

  public let days: [BenchmarkDay]
  public let folder: URL
  public var settings: RankingSettings
  /// The labels of earlier nights that the models and profile learn from.
  public var labels = ReplayLabels.everyPaper
  private let embedder: any TextEmbedding
  private var embeddings: [String: Matrix] = [:]
  private var topics: [String: TopicsFile] = [:]
  private var termCache: TermCache?
  /// The papers sent on each replayed night, by date, under ``ReplayLabels/sentPapers(fraction:run:)``.
  private var sentByDate: [String: Set<String>] = [:]

  /// Topics files are read from `folder`; `embedder` embeds the papers'
  /// `embeddingText` and the topic texts.
  public init(
    days: [BenchmarkDay], folder: URL, embedder: any TextEmbedding, settings: RankingSettings
  ) {
    self.days = days
    self.folder = folder
    self.embedder = embedder
    self.settings = settings
  }

  /// Counts each scored night's picks inside the top fractions for each variant.
  public func run(
    variants: [ReplayVariant], firstScoredDay: Int = 20,
    progress: ((BenchmarkDay) -> Void)? = nil
  ) throws -> [ReplayDayCounts] {
    guard firstScoredDay < days.count else { return [] }
    return try (max(firstScoredDay, 0)..<days.count).map { index in
      let day = days[index]
      progress?(day)
      let rankings = try rankings(forDayAt: index, variants: variants)
      let picks = day.picks
      var counts: [String: [String: Int]] = [:]
      for (variant, ranking) in rankings {
        counts[variant.rawValue] = Self.countPicks(
          ranking.map(\.paperId), picks: picks, fractions: Self.fractions)
      }
      return ReplayDayCounts(
        date: day.date, papers: day.papers.count, picks: picks.count, variants: counts)
    }
  }

  /// Counts the picks among the first `ceil(fraction · n)` ids of `ranking`.
  public static func countPicks(_ ranking: [String], picks: Set<String>, fractions: [Double])
    -> [String: Int]
  {
    var result: [String: Int] = [:]
    for fraction in fractions {
      let cut = CutoffPolicy.fractionCount(fraction, of: ranking.count)
      result[String(fraction)] = ranking.prefix(cut).filter { picks.contains($0) }.count
    }
    return result
  }

  /// Ranks night `index` with each variant, training only on earlier nights.
  public func rankings(forDayAt index: Int, variants: [ReplayVariant]) throws
    -> [ReplayVariant: [RankedPaper]]
  {
    let day = days[index]
    try recordSentPapers(before: index)
    let tonight = try embeddings(of: day)
    let history = Array(days[max(0, index - settings.model.trainingDays)..<index])
    let training = try trainingSet(history, columns: tonight.columns)
    let earlierPicks = try likes(history, before: day.date)
    let topicsFile = try topicsFile(named: day.topicsFile)
    let halfLife = settings.cold.halfLifeDays
    let topicsProfile = try Profile.build(
      topics: topicsFile, feedback: [], halfLifeDays: halfLife, embedder: embedder,
      dimension: tonight.columns)
    let fullProfile = try Profile.build(
      topics: topicsFile, feedback: [], picks: earlierPicks, halfLifeDays: halfLife,
      embedder: embedder, dimension: tonight.columns)
    var ranked = variants
    if labels != .everyPaper, !ranked.contains(.auto) { ranked.append(.auto) }
    let needsModels = ranked.contains { $0 != .topics && $0 != .profile }
    let models =
      needsModels
      ? LearnedModels.train(
        training, vocabularyPapers: day.papers, parameters: settings.model,
        weights: RankerWeights(
          profile: 1, logistic: 1, tfidf: 1, neighbours: 1, authorOverlap: 1),
        termCache: termCache(for: settings.model))
      : nil
    let empty = Profile(entries: [], matrix: Matrix(rows: 0, columns: tonight.columns, values: []))

    var result: [ReplayVariant: [RankedPaper]] = [:]
    for variant in ranked {
      var variantSettings = settings
      variantSettings.followedAuthors = []
      var profile = empty
      switch variant {
      case .topics:
        variantSettings.cold.negativeWeight = 0
        variantSettings.weights = RankerWeights(profile: 1, logistic: 0, tfidf: 0)
        profile = topicsProfile
      case .profile:
        variantSettings.weights = RankerWeights(profile: 1, logistic: 0, tfidf: 0)
        profile = fullProfile
      case .logistic:
        variantSettings.weights = RankerWeights(profile: 0, logistic: 1, tfidf: 0)
        variantSettings.minimumLabelledPapers = 0
        variantSettings.minimumPapersPerClass = 1
      case .tfidf:
        variantSettings.weights = RankerWeights(profile: 0, logistic: 0, tfidf: 1)
        variantSettings.minimumLabelledPapers = 0
        variantSettings.minimumPapersPerClass = 1
      case .neighbours:
        variantSettings.weights = RankerWeights(profile: 0, logistic: 0, tfidf: 0, neighbours: 1)
        variantSettings.minimumLabelledPapers = 0
        variantSettings.minimumPapersPerClass = 1
      case .rankAverage:
        variantSettings.weights = RankerWeights(profile: 0, logistic: 1, tfidf: 1)
        variantSettings.combination = .rankAverage
        variantSettings.minimumLabelledPapers = 0
        variantSettings.minimumPapersPerClass = 1
      case .auto:
        profile = fullProfile
      case .authorCountPrior:
        variantSettings.weights.authorCount = Self.authorCountPrior.authorCount
        variantSettings.weights.singleAuthor = Self.authorCountPrior.singleAuthor
        profile = fullProfile
      }
      let weights = variantSettings.weights
      var variantModels = models
      variantModels?.logistic = weights.logistic > 0 ? models?.logistic : nil
      variantModels?.tfidf = weights.tfidf > 0 ? models?.tfidf : nil
      variantModels?.neighbours = weights.neighbours > 0 ? models?.neighbours : nil
      variantModels?.positiveAuthors =
        weights.authorOverlap != 0 ? models?.positiveAuthors ?? [] : []
      // The replayed likes, earlier nights' picks, do not make a paper pass,
      // because no `likedIds` are given. A night can list an earlier pick
      // again, and then the scorer leaves the paper's own vector out of its
      // like term.
      result[variant] = Prefilter(settings: variantSettings).rank(
        papers: day.papers, embeddings: tonight, profile: profile, models: variantModels)
    }
    if let auto = result[.auto] { recordSentPapers(auto.map(\.paperId), of: day) }
    return result.filter { variants.contains($0.key) }
  }

  /// Returns the picks of `day` that the models may learn from: every pick,
  /// or the picks among the papers sent that night.
  public func knownPicks(of day: BenchmarkDay) -> Set<String> {
    guard labels != .everyPaper, let sent = sentByDate[day.date] else { return day.picks }
    return day.picks.intersection(sent)
  }

  /// Ranks, in date order, the nights before `index` whose sent papers are
  /// not yet known, so that every earlier night's labels are.
  func recordSentPapers(before index: Int) throws {
    guard labels != .everyPaper else { return }
    for earlier in 0..<index where sentByDate[days[earlier].date] == nil {
      _ = try rankings(forDayAt: earlier, variants: [.auto])
    }
  }

  /// Stores the papers PaperSift would have sent for `day` given its `auto`
  /// ranking: the top fraction and the audit sample drawn below it.
  func recordSentPapers(_ ranking: [String], of day: BenchmarkDay) {
    guard case .sentPapers(let fraction, let run) = labels, sentByDate[day.date] == nil else {
      return
    }
    var sent = Set(ranking.prefix(CutoffPolicy.fractionCount(fraction, of: ranking.count)))
    sent.formUnion(AuditSample.draw(ranking: ranking, sentIDs: sent, date: day.date, settings: run))
    sentByDate[day.date] = sent
  }

  func embeddings(of day: BenchmarkDay) throws -> Matrix {
    if let cached = embeddings[day.date] { return cached }
    let matrix = try embedder.embed(day.papers.map(\.embeddingText))
    embeddings[day.date] = matrix
    return matrix
  }

  func trainingSet(_ history: [BenchmarkDay], columns: Int) throws -> TrainingSet {
    var papers: [Paper] = []
    var values: [Float] = []
    var labels: [Bool] = []
    for day in history {
      let matrix = try embeddings(of: day)
      let picks = knownPicks(of: day)
      papers += day.papers
      values += matrix.values
      labels += day.papers.map { picks.contains($0.id) }
    }
    return TrainingSet(
      papers: papers, embeddings: Matrix(rows: papers.count, columns: columns, values: values),
      labels: labels)
  }

  func likes(_ history: [BenchmarkDay], before date: String) throws -> [FeedbackVector] {
    var result: [FeedbackVector] = []
    for day in history {
      let matrix = try embeddings(of: day)
      let picks = knownPicks(of: day)
      let age = Self.daysBetween(day.date, date)
      for (row, paper) in day.papers.enumerated() where picks.contains(paper.id) {
        result.append(
          FeedbackVector(
            paperId: paper.id, liked: true, ageDays: age, embedding: Array(matrix.row(row))))
      }
    }
    return result
  }

  func termCache(for parameters: ModelParameters) -> TermCache {
    let options = TfidfVectorizer.Options(
      maxFeatures: parameters.maxFeatures, categories: parameters.categoryFeatures,
      authors: parameters.authorFeatures)
    if let termCache, termCache.options == options { return termCache }
    let cache = TermCache(options: options)
    termCache = cache
    return cache
  }

  func topicsFile(named name: String) throws -> TopicsFile {
    if let cached = topics[name] { return cached }
    let parsed = try TopicsFile.load(from: folder.appendingPathComponent(name))
    topics[name] = parsed
    return parsed
  }

  static func daysBetween(_ start: String, _ end: String) -> Double {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withFullDate]
    guard let first = formatter.date(from: start), let second = formatter.date(from: end) else {
      return 0
    }
    return second.timeIntervalSince(first) / 86_400
  }
}
