import Foundation

/// The `ranking` section of the configuration: the prefilter's inputs,
/// weights and cutoff.
///
/// The default weights are the ones `papersift-bench recall` chose on the
/// bundled days, tuned on the earlier half. The default cutoff is the
/// cheapest fraction that keeps 95% of the picks there with those weights,
/// and it kept 97.5% on the later half (see Benchmarks/RECALL.md). The
/// benchmark's `--apply` writes a user's own.
///
/// NOTE: the switch-over point and the cold-start parameters are first
/// guesses: every replayed night already had more than 200 labels.
public struct RankingSettings: Codable, Sendable, Equatable {
  /// The topics file; a relative path is taken from the home folder.
  public var topicsFile = "topics.md"
  /// Authors whose papers always pass the prefilter, matched case-insensitively.
  public var followedAuthors: [String] = []
  /// Labelled papers (LLM picks plus likes) needed before the learned models
  /// join the ranking; below it, only topics and likes rank.
  public var minimumLabelledPapers = 200
  /// Labelled papers of each class, picks (LLM picks and likes) and other
  /// papers (the rest of scored nights and dislikes), needed before the
  /// learned models join the ranking.
  ///
  /// A model fitted on a handful of papers of one class learns those papers
  /// rather than the user's interests, as after importing a library of likes
  /// with one dislike. 20 is below the picks of one scored night in the
  /// benchmark history (1485 picks in 56 nights, about 26 a night, see
  /// Benchmarks/RECALL.md). So it does not delay the models for a user whose
  /// runs score nights, and one night's other papers exceed it many times.
  public var minimumPapersPerClass = 20
  /// The weight of each ranker and author term in the combined score.
  public var weights = RankerWeights.tuned
  /// The rule that combines the rankers' scores.
  ///
  /// NOTE: a configuration without this key gets `logit`, whose scores
  /// differ from the rank average's, so a `score` cutoff tuned before the
  /// key existed needs `papersift-bench recall --apply` again.
  public var combination = RankCombination.logit
  public var cold = ColdStartParameters()
  public var model = ModelParameters()
  /// The rule that `--cutoff auto` applies: `fraction`, `count` or `score`.
  public var cutoffPolicy = "fraction"
  /// The value for ``cutoffPolicy``: a share of the night, a count or a score.
  public var cutoffValue = 0.36

  public init() {}

  public init(from decoder: any Decoder) throws {
    let defaults = RankingSettings()
    let container = try decoder.container(keyedBy: CodingKeys.self)
    func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
      try container.decodeIfPresent(T.self, forKey: key) ?? fallback
    }
    topicsFile = try value(.topicsFile, defaults.topicsFile)
    followedAuthors = try value(.followedAuthors, defaults.followedAuthors)
    minimumLabelledPapers =
      try container.decodeWholeNumber(forKey: .minimumLabelledPapers)
      ?? defaults.minimumLabelledPapers
    minimumPapersPerClass =
      try container.decodeWholeNumber(forKey: .minimumPapersPerClass)
      ?? defaults.minimumPapersPerClass
    weights = try value(.weights, defaults.weights)
    combination = try value(.combination, defaults.combination)
    cold = try value(.cold, defaults.cold)
    model = try value(.model, defaults.model)
    cutoffPolicy = try value(.cutoffPolicy, defaults.cutoffPolicy)
    cutoffValue = try value(.cutoffValue, defaults.cutoffValue)
  }

  /// Checks the counts that a configuration file may set out of range.
  ///
  /// - Throws: ``PaperSiftError`` with code `configuration` naming the key,
  ///   the value and the accepted range.
  public func validate() throws {
    // A million labels would take decades of nights, so a larger minimum
    // would only switch the models off silently.
    try SettingRange.checkCount(
      "ranking.minimumLabelledPapers", minimumLabelledPapers, in: 0...1_000_000)
    // A model needs at least one paper of each class.
    try SettingRange.checkCount(
      "ranking.minimumPapersPerClass", minimumPapersPerClass, in: 1...500_000)
    try checkPerClassFitsTotal()
    // 100 years of nights at most, so that the window's date arithmetic cannot overflow.
    try SettingRange.checkCount("ranking.model.trainingDays", model.trainingDays, in: 1...36_500)

    try SettingRange.checkCount("ranking.model.maxFeatures", model.maxFeatures, in: 1...1_000_000)
    try SettingRange.checkNumber(
      "ranking.model.logisticL2", model.logisticL2, in: 0...1e6, excludingLower: true)
    try SettingRange.checkNumber(
      "ranking.model.svmC", model.svmC, in: 0...1e6, excludingLower: true)
    try SettingRange.checkCount(
      "ranking.model.positiveNeighbours", model.positiveNeighbours, in: 1...100_000)
    try SettingRange.checkCount(
      "ranking.model.negativeNeighbours", model.negativeNeighbours, in: 1...100_000)
    try SettingRange.checkCount(
      "ranking.model.positiveRelevance", model.positiveRelevance, in: 1...10)
    try SettingRange.checkCount("ranking.model.positiveNovelty", model.positiveNovelty, in: 1...10)

    try SettingRange.checkCount("ranking.cold.nearest", cold.nearest, in: 1...1000)
    try SettingRange.checkNumber(
      "ranking.cold.halfLifeDays", cold.halfLifeDays, in: 0...36_500, excludingLower: true)

    for (key, value) in [
      ("cold.negativeWeight", cold.negativeWeight), ("cold.likeWeight", cold.likeWeight),
      ("cold.dislikeWeight", cold.dislikeWeight), ("weights.profile", weights.profile),
      ("weights.logistic", weights.logistic), ("weights.tfidf", weights.tfidf),
      ("weights.neighbours", weights.neighbours),
    ] {
      try SettingRange.checkNumber("ranking.\(key)", value, in: 0...100)
    }

    for (key, value) in [
      ("weights.authorOverlap", weights.authorOverlap),
      ("weights.authorCount", weights.authorCount), ("weights.singleAuthor", weights.singleAuthor),
    ] {
      try SettingRange.checkNumber("ranking.\(key)", value, in: -100...100)
    }
  }
}

extension RankingSettings {
  /// Rejects a per-class minimum whose two classes need more papers than
  /// `minimumLabelledPapers`, which would silently move the models' start
  /// from that key to twice the per-class minimum. A total minimum of 0
  /// leaves the start to the per-class minimum alone.
  ///
  /// - Throws: ``PaperSiftError`` with code `configuration` naming both keys.
  func checkPerClassFitsTotal() throws {
    let needed = 2 * minimumPapersPerClass
    guard minimumLabelledPapers > 0, needed > minimumLabelledPapers else { return }
    let maxPerClass = minimumLabelledPapers / 2
    let lower =
      maxPerClass >= 1 ? "ranking.minimumPapersPerClass to at most \(maxPerClass), or " : ""
    throw PaperSiftError(
      .configuration,
      "Invalid ranking.minimumPapersPerClass \(minimumPapersPerClass) in the configuration: "
        + "its picks and other papers make \(needed) labelled papers, more than "
        + "ranking.minimumLabelledPapers \(minimumLabelledPapers), so the learned models would "
        + "start at \(needed), not at \(minimumLabelledPapers). Set " + lower
        + "ranking.minimumLabelledPapers to at least \(needed).")
  }
}

/// The weight of each ranker in the combined score, and of the author terms.
///
/// A zero ranker weight drops that ranker. The author terms are in the
/// units of a ranker's logit (see ``RankCombination/logit``) and apply only
/// to that combination.
public struct RankerWeights: Codable, Sendable, Equatable {
  /// Topics, likes and dislikes combined (the cold-start score).
  public var profile = 1.0
  /// Logistic regression on the embeddings.
  public var logistic = 1.0
  /// The linear SVM on tf-idf of words and word pairs.
  public var tfidf = 1.0
  /// The tf-idf nearest-neighbour contrast (``TfidfNeighbours``).
  public var neighbours = 0.0
  /// Added when an author of the paper, compared in lowercase, is an author
  /// of a positive of the training window (an LLM pick or a like). It
  /// applies only once the learned models join the ranking.
  public var authorOverlap = 0.0
  /// Multiplies the natural logarithm of the paper's author count.
  ///
  /// Off by default. On the bundled days, papers with many authors are
  /// picked more often because a filter upstream of the labelling LLM kept
  /// papers by authors with a high h-index, which is unrelated to a user's
  /// interests.
  public var authorCount = 0.0
  /// Added when the paper has exactly one author. Off by default for the
  /// reason given at ``authorCount``.
  public var singleAuthor = 0.0

  /// The weights that `papersift-bench recall` chose on the bundled days
  /// (see Benchmarks/RECALL.md).
  public static let tuned = RankerWeights(
    profile: 0.5, logistic: 0.25, tfidf: 0.6, neighbours: 0.5, authorOverlap: 0.3)

  public init(
    profile: Double = 1.0, logistic: Double = 1.0, tfidf: Double = 1.0, neighbours: Double = 0,
    authorOverlap: Double = 0, authorCount: Double = 0, singleAuthor: Double = 0
  ) {
    self.profile = profile
    self.logistic = logistic
    self.tfidf = tfidf
    self.neighbours = neighbours
    self.authorOverlap = authorOverlap
    self.authorCount = authorCount
    self.singleAuthor = singleAuthor
  }

  /// Decodes the weights. A missing `profile`, `logistic` or `tfidf` is 1,
  /// and the author-count terms default to 0. A missing `neighbours` or
  /// `authorOverlap` takes its ``tuned`` value, so that a configuration
  /// written before they existed gains them.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    func value(_ key: CodingKeys, _ fallback: Double) throws -> Double {
      try container.decodeIfPresent(Double.self, forKey: key) ?? fallback
    }
    profile = try value(.profile, 1.0)
    logistic = try value(.logistic, 1.0)
    tfidf = try value(.tfidf, 1.0)
    neighbours = try value(.neighbours, Self.tuned.neighbours)
    authorOverlap = try value(.authorOverlap, Self.tuned.authorOverlap)
    authorCount = try value(.authorCount, 0)
    singleAuthor = try value(.singleAuthor, 0)
  }
}

extension RankerWeights: CustomStringConvertible {
  /// The weights as a list of names and values; the author-count terms only when set.
  public var description: String {
    var parts = [
      "profile \(profile)", "logistic \(logistic)", "tf-idf SVM \(tfidf)",
      "tf-idf neighbours \(neighbours)", "author overlap \(authorOverlap)",
    ]
    if authorCount != 0 || singleAuthor != 0 {
      parts += ["author count \(authorCount)", "single author \(singleAuthor)"]
    }
    return parts.joined(separator: ", ")
  }
}

/// The rule by which the prefilter combines its rankers' scores into one.
public enum RankCombination: String, Codable, Sendable, CaseIterable, ConfigurationChoice {
  public init(from decoder: any Decoder) throws {
    self = try Self.decodeChoice(from: decoder)
  }

  /// The weighted sum of each ranker's logit percentile
  /// `ln((p + 0.01) / (1.01 - p))` plus the author terms, divided by the sum
  /// of the ranker weights and mapped into (0, 1) by the logistic function.
  /// The logit lets one ranker's strong opinion at either end of the night
  /// outweigh several lukewarm ones.
  case logit
  /// The weighted mean of each ranker's percentile, in [0, 1]; the author
  /// terms are ignored.
  case rankAverage = "rank-average"
}

/// The parameters that combine topics, likes and dislikes into the cold-start score.
public struct ColdStartParameters: Codable, Sendable, Equatable {
  /// Multiplies the maximum cosine to the negative vectors (irrelevant and
  /// application keywords) before it is subtracted.
  public var negativeWeight = 0.5
  /// Multiplies the similarity to liked papers before it is added.
  public var likeWeight = 1.0
  /// Multiplies the similarity to disliked papers before it is subtracted.
  public var dislikeWeight = 1.0
  /// How many of the nearest liked (or disliked) papers are averaged.
  public var nearest = 5
  /// Days after which a like counts half as much.
  public var halfLifeDays = 90.0

  public init() {}

  public init(from decoder: any Decoder) throws {
    let defaults = ColdStartParameters()
    let container = try decoder.container(keyedBy: CodingKeys.self)
    negativeWeight =
      try container.decodeIfPresent(Double.self, forKey: .negativeWeight)
      ?? defaults.negativeWeight
    likeWeight = try container.decodeIfPresent(Double.self, forKey: .likeWeight) ?? 1.0
    dislikeWeight = try container.decodeIfPresent(Double.self, forKey: .dislikeWeight) ?? 1.0
    nearest = try container.decodeWholeNumber(forKey: .nearest) ?? defaults.nearest
    halfLifeDays =
      try container.decodeIfPresent(Double.self, forKey: .halfLifeDays) ?? defaults.halfLifeDays
  }
}

/// Hyperparameters of the learned models.
public struct ModelParameters: Codable, Sendable, Equatable {
  /// The L2 penalty of the logistic regression, as 1 / C.
  public var logisticL2 = 1.0
  /// The SVM's C; larger fits the training days more closely.
  public var svmC = 0.1
  /// Days of history the models are trained on.
  public var trainingDays = 60
  /// Words and word pairs kept in the tf-idf vocabulary, the most frequent first.
  public var maxFeatures = 20_000
  /// Training positives averaged by the tf-idf neighbour contrast.
  public var positiveNeighbours = 30
  /// Training negatives averaged by the tf-idf neighbour contrast.
  public var negativeNeighbours = 100
  /// Adds each paper's categories as tf-idf tokens.
  public var categoryFeatures = true
  /// Adds each paper's authors as tf-idf tokens, so that authors of liked papers count.
  public var authorFeatures = false
  /// The LLM relevance (1-10) at or above which a scored paper is a positive.
  public var positiveRelevance = 8
  /// The LLM novelty (1-10) at or above which a scored paper is a positive.
  public var positiveNovelty = 7

  public init() {}

  public init(from decoder: any Decoder) throws {
    let defaults = ModelParameters()
    let container = try decoder.container(keyedBy: CodingKeys.self)
    logisticL2 =
      try container.decodeIfPresent(Double.self, forKey: .logisticL2) ?? defaults.logisticL2
    svmC = try container.decodeIfPresent(Double.self, forKey: .svmC) ?? defaults.svmC
    trainingDays =
      try container.decodeWholeNumber(forKey: .trainingDays) ?? defaults.trainingDays
    maxFeatures =
      try container.decodeWholeNumber(forKey: .maxFeatures) ?? defaults.maxFeatures
    positiveNeighbours =
      try container.decodeWholeNumber(forKey: .positiveNeighbours)
      ?? defaults.positiveNeighbours
    negativeNeighbours =
      try container.decodeWholeNumber(forKey: .negativeNeighbours)
      ?? defaults.negativeNeighbours
    categoryFeatures =
      try container.decodeIfPresent(Bool.self, forKey: .categoryFeatures)
      ?? defaults.categoryFeatures
    authorFeatures =
      try container.decodeIfPresent(Bool.self, forKey: .authorFeatures)
      ?? defaults.authorFeatures
    positiveRelevance =
      try container.decodeWholeNumber(forKey: .positiveRelevance)
      ?? defaults.positiveRelevance
    positiveNovelty =
      try container.decodeWholeNumber(forKey: .positiveNovelty)
      ?? defaults.positiveNovelty
  }
}
