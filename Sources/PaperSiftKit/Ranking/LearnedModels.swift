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
public struct LearnedModels: Sendable {
  public var logistic: LogisticRegression?
  public var tfidf: LinearSVM?
  public var neighbours: TfidfNeighbours?
  /// Turns papers into the rows of ``tfidf`` and ``neighbours``.
  public var vectorizer: TfidfVectorizer?
  /// The lowercased author names of the training positives.
  public var positiveAuthors: Set<String> = []
  /// How many labelled papers the models were fitted on.
  public var trainingSize: Int
  /// The number of those papers that are picks.
  public var positives: Int

  /// Fits the models that `weights` does not switch off, and collects the
  /// positives' authors when the author-overlap weight is set.
  ///
  /// `vocabularyPapers` are extra unlabelled papers (such as tonight's) that
  /// join the tf-idf vocabulary and idf; their labels are never used.
  /// `termCache` keeps term ids from earlier fits for retraining night after
  /// night, and is ignored when made with other options. The models are nil
  /// when the set has no positive or no negative.
  public static func train(
    _ set: TrainingSet, vocabularyPapers: [Paper] = [], parameters: ModelParameters,
    weights: RankerWeights, termCache: TermCache? = nil
  ) -> LearnedModels {
    let positives = set.positives
    var models = LearnedModels(trainingSize: set.labels.count, positives: positives)
    guard positives > 0, positives < set.labels.count else { return models }
    if weights.authorOverlap != 0 {
      for (paper, label) in zip(set.papers, set.labels) where label {
        models.positiveAuthors.formUnion(paper.authors.map { $0.lowercased() })
      }
    }
    if weights.logistic > 0 {
      models.logistic = LogisticRegression.fit(
        features: set.embeddings, labels: set.labels, l2: parameters.logisticL2)
    }
    if weights.tfidf > 0 || weights.neighbours > 0 {
      let options = TfidfVectorizer.Options(
        maxFeatures: parameters.maxFeatures, categories: parameters.categoryFeatures,
        authors: parameters.authorFeatures)
      let cache = termCache?.options == options ? termCache : nil
      let vectorizer = TfidfVectorizer(
        fitting: set.papers + vocabularyPapers, options: options, cache: cache)
      models.vectorizer = vectorizer
      let rows = vectorizer.transform(set.papers)
      if weights.tfidf > 0 {
        models.tfidf = LinearSVM.fit(
          features: rows, labels: set.labels, dimension: vectorizer.dimension,
          c: parameters.svmC)
      }
      if weights.neighbours > 0 {
        models.neighbours = TfidfNeighbours(
          rows: rows, labels: set.labels, dimension: vectorizer.dimension,
          positiveNeighbours: parameters.positiveNeighbours,
          negativeNeighbours: parameters.negativeNeighbours)
      }
    }
    return models
  }
}
