import Foundation

/// Labelled papers from earlier nights: the LLM's picks and the user's likes
/// as positives, the rest of those nights and dislikes as negatives.
public struct TrainingSet: Sendable {
  public var papers: [Paper]
  /// One embedding row per paper.
  public var embeddings: Matrix
  public var labels: [Bool]

  public init(papers: [Paper], embeddings: Matrix, labels: [Bool]) {
    precondition(papers.count == embeddings.rows && papers.count == labels.count)
    self.papers = papers
    self.embeddings = embeddings
    self.labels = labels
  }

  public var positives: Int { labels.filter { $0 }.count }
}

/// The per-user models fitted on a ``TrainingSet``.
public struct LearnedModels: @unchecked Sendable {
  public var logistic: LogisticRegression?
  public var tfidf: LinearSVM?
  public var vectorizer: TfidfVectorizer?
  /// How many labelled papers the models were fitted on.
  public var trainingSize: Int

  /// Fits the models that `weights` does not switch off.
  ///
  /// - Parameters:
  ///   - vocabularyPapers: Extra unlabelled papers (such as tonight's) that
  ///     join the tf-idf vocabulary and idf; their labels are never used.
  /// - Returns: Models with nil members when the set has no positive or no negative.
  ///   - termCache: Term ids kept from earlier fits, for retraining night after night;
  ///     ignored when made with other options.
  public static func train(
    _ set: TrainingSet, vocabularyPapers: [Paper] = [], parameters: ModelParameters,
    weights: RankerWeights, termCache: TermCache? = nil
  ) -> LearnedModels {
    var models = LearnedModels(trainingSize: set.labels.count)
    let positives = set.positives
    guard positives > 0, positives < set.labels.count else { return models }
    if weights.logistic > 0 {
      models.logistic = LogisticRegression.fit(
        features: set.embeddings, labels: set.labels, l2: parameters.logisticL2)
    }
    if weights.tfidf > 0 {
      let options = TfidfVectorizer.Options(
        maxFeatures: parameters.maxFeatures, categories: parameters.categoryFeatures,
        authors: parameters.authorFeatures)
      let cache = termCache?.options == options ? termCache : nil
      let vectorizer = TfidfVectorizer(
        fitting: set.papers + vocabularyPapers, options: options, cache: cache)
      models.vectorizer = vectorizer
      models.tfidf = LinearSVM.fit(
        features: vectorizer.transform(set.papers), labels: set.labels,
        dimension: vectorizer.dimension, c: parameters.svmC)
    }
    return models
  }
}
