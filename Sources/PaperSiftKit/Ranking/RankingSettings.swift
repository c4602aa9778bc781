import Foundation

/// The `ranking` section of the configuration: the prefilter's inputs,
/// weights and cutoff.
///
/// The default weights and cutoff are the ones `papersift-bench recall`
/// chose on the bundled days (tuned on the earlier half, 97% of the picks
/// kept on the later half; see Benchmarks/RECALL.md), and its `--apply`
/// writes a user's own.
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
  /// The weight of each ranker in the rank average.
  public var weights = RankerWeights(profile: 0.5, logistic: 0.5, tfidf: 1.0)
  public var cold = ColdStartParameters()
  public var model = ModelParameters()
  /// The rule that `--cutoff auto` applies: `fraction`, `count` or `score`.
  public var cutoffPolicy = "fraction"
  /// The value for ``cutoffPolicy``: a share of the night, a count or a score.
  public var cutoffValue = 0.37

  public init() {}

  public init(from decoder: any Decoder) throws {
    let defaults = RankingSettings()
    let container = try decoder.container(keyedBy: CodingKeys.self)
    func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
      try container.decodeIfPresent(T.self, forKey: key) ?? fallback
    }
    topicsFile = try value(.topicsFile, defaults.topicsFile)
    followedAuthors = try value(.followedAuthors, defaults.followedAuthors)
    minimumLabelledPapers = try value(.minimumLabelledPapers, defaults.minimumLabelledPapers)
    weights = try value(.weights, defaults.weights)
    cold = try value(.cold, defaults.cold)
    model = try value(.model, defaults.model)
    cutoffPolicy = try value(.cutoffPolicy, defaults.cutoffPolicy)
    cutoffValue = try value(.cutoffValue, defaults.cutoffValue)
  }
}

/// The weight of each ranker in the rank average; a zero weight drops it.
public struct RankerWeights: Codable, Sendable, Equatable {
  /// Topics, likes and dislikes combined (the cold-start score).
  public var profile = 1.0
  /// Logistic regression on the embeddings.
  public var logistic = 1.0
  /// The linear SVM on tf-idf of words and word pairs.
  public var tfidf = 1.0

  public init(profile: Double = 1.0, logistic: Double = 1.0, tfidf: Double = 1.0) {
    self.profile = profile
    self.logistic = logistic
    self.tfidf = tfidf
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    profile = try container.decodeIfPresent(Double.self, forKey: .profile) ?? 1.0
    logistic = try container.decodeIfPresent(Double.self, forKey: .logistic) ?? 1.0
    tfidf = try container.decodeIfPresent(Double.self, forKey: .tfidf) ?? 1.0
  }
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
    nearest = try container.decodeIfPresent(Int.self, forKey: .nearest) ?? defaults.nearest
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
      try container.decodeIfPresent(Int.self, forKey: .trainingDays) ?? defaults.trainingDays
    maxFeatures =
      try container.decodeIfPresent(Int.self, forKey: .maxFeatures) ?? defaults.maxFeatures
    categoryFeatures =
      try container.decodeIfPresent(Bool.self, forKey: .categoryFeatures)
      ?? defaults.categoryFeatures
    authorFeatures =
      try container.decodeIfPresent(Bool.self, forKey: .authorFeatures)
      ?? defaults.authorFeatures
    positiveRelevance =
      try container.decodeIfPresent(Int.self, forKey: .positiveRelevance)
      ?? defaults.positiveRelevance
    positiveNovelty =
      try container.decodeIfPresent(Int.self, forKey: .positiveNovelty)
      ?? defaults.positiveNovelty
  }
}
