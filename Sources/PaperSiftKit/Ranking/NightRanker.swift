import Foundation

/// A night ranked by the prefilter, with what went into it.
public struct NightRanking: Sendable {
  public var date: String
  /// The night's papers; ``RankedPaper/index`` points into it.
  public var papers: [Paper]
  /// Best first.
  public var ranked: [RankedPaper]
  public var profile: Profile
  /// Labelled papers available for the learned models.
  public var trainingSize: Int
  /// Whether the learned models took part, as ``Prefilter/usesModels(trainingSize:positives:)``
  /// decides.
  public var usedModels: Bool
  /// The labelled papers the learned models need before they take part.
  public var minimumTrainingSize: Int = RankingSettings().minimumLabelledPapers
  /// The papers of each class, picks and others, that they need among those.
  public var minimumPerClass: Int = RankingSettings().minimumPapersPerClass
  /// The picks (LLM picks and likes) among the labelled papers.
  public var positives = 0
  /// The labelled papers that the user liked or disliked.
  public var feedbackLabels = 0
  /// The days before ``date`` whose nights the learned models train on.
  public var trainingDays: Int = ModelParameters().trainingDays
  /// The nights of those days that list a labelled paper the user neither
  /// liked nor disliked: a paper the LLM scored, or another paper of a
  /// night that a run scored.
  public var scoredNights = 0
  /// The weight of the negative keywords' cosine in the cold-start score.
  public var negativeWeight: Double = ColdStartParameters().negativeWeight
  /// The weight of the disliked papers' mean cosine in the cold-start score.
  public var dislikeWeight: Double = ColdStartParameters().dislikeWeight

  /// Whether nothing ranked the night: no topic, like or dislike, and no
  /// learned model, so its papers keep the order of their ids.
  public var isUnranked: Bool { profile.entries.isEmpty && !usedModels }
}

/// Ranks a stored night: reads its inputs, trains the models, scores.
public enum NightRanker {
  /// Returns the error for night papers without a usable vector. Its message
  /// names the stored lengths when vectors of another length exist.
  static func missingEmbeddingsError(
    _ missing: [String], of count: Int, date: String, inputs: StoredRankingInputs
  ) throws -> PaperSiftError {
    let model = inputs.modelId.map { " of the model '\($0)'" } ?? ""
    var message =
      "\(missing.count) of the \(count) papers of \(date) have no stored embedding\(model) "
      + "of dimension \(inputs.dimension), such as \(missing[0])."
    let others = try inputs.storedDimensions(of: missing).filter { $0 != inputs.dimension }
    if !others.isEmpty {
      let listed = others.map(String.init).joined(separator: ", ")
      message +=
        " Their stored vectors have dimension \(listed): the encoder returned vectors of "
        + "another length since they were stored. Embed the night again with the current "
        + "encoder (papersift rank and papersift run do)."
    } else {
      message += " Embed the night first (papersift rank and papersift run do)."
    }
    return PaperSiftError(.notFound, message)
  }

  /// Ranks the papers announced on `date`.
  ///
  /// A nil `topics` ranks by feedback and models only; `embedder` embeds the
  /// topic texts and is needed only when `topics` is set. The papers the user
  /// liked always pass, as followed authors' papers do, and those they
  /// disliked rank last and never pass.
  ///
  /// `trainingPapers`, which ``NightEmbedding`` returns after embedding them,
  /// spares reading the training papers again. They are read from `inputs`
  /// when it is nil or was read for another night or window.
  ///
  /// - Throws: ``PaperSiftError`` with code `notFound` when a paper of the
  ///   night has no stored embedding.
  public static func rank(
    date: String, inputs: StoredRankingInputs, settings: RankingSettings, topics: TopicsFile?,
    embedder: (any TextEmbedding)?, trainingPapers: TrainingPapers? = nil
  ) throws -> NightRanking {
    let papers = try inputs.papers(announcedOn: date)
    let vectors = try inputs.embeddings(of: papers.map(\.id))
    let missing = zip(papers, vectors).filter { $0.1 == nil }.map(\.0.id)
    guard missing.isEmpty else {
      throw try missingEmbeddingsError(missing, of: papers.count, date: date, inputs: inputs)
    }
    let embeddings = Matrix(
      rows: papers.count, columns: inputs.dimension, values: vectors.flatMap { $0 ?? [] })

    let days = settings.model.trainingDays
    let window =
      try trainingPapers.flatMap { $0.date == date && $0.days == days ? $0 : nil }
      ?? inputs.trainingPapersWithVectors(before: date, days: days)
    let training = try inputs.trainingSet(
      from: window, minimumRelevance: settings.model.positiveRelevance,
      minimumNovelty: settings.model.positiveNovelty)

    let feedback = try inputs.feedbackVectors(relativeTo: date)
    let profileEmbedder: any TextEmbedding = embedder ?? NoTextEmbedding()
    let profile = try Profile.build(
      topics: embedder == nil ? nil : topics, feedback: feedback,
      picks: pickVectors(training, excluding: Set(feedback.map(\.paperId)), date: date),
      halfLifeDays: settings.cold.halfLifeDays, embedder: profileEmbedder,
      dimension: inputs.dimension)
    let prefilter = Prefilter(settings: settings)
    let usesModels = prefilter.usesModels(
      trainingSize: training.labels.count, positives: training.positives)
    let models =
      usesModels
      ? LearnedModels.train(
        training, vocabularyPapers: papers, parameters: settings.model, weights: settings.weights)
      : nil
    let ranked = prefilter.rank(
      papers: papers, embeddings: embeddings, profile: profile, models: models,
      likedIds: Set(feedback.filter(\.liked).map(\.paperId)),
      dislikedIds: Set(feedback.filter { !$0.liked }.map(\.paperId)))
    let feedbackIds = Set(feedback.map(\.paperId))
    let nightLabelled = Set(training.papers.map(\.id)).subtracting(feedbackIds)
    return NightRanking(
      date: date, papers: papers, ranked: ranked, profile: profile,
      trainingSize: training.labels.count,
      usedModels: models?.logistic != nil || models?.tfidf != nil || models?.neighbours != nil,
      minimumTrainingSize: settings.minimumLabelledPapers,
      minimumPerClass: settings.minimumPapersPerClass, positives: training.positives,
      feedbackLabels: training.papers.count(where: { feedbackIds.contains($0.id) }),
      trainingDays: days,
      scoredNights: try inputs.nightCount(before: date, days: days, listing: nightLabelled),
      negativeWeight: settings.cold.negativeWeight, dislikeWeight: settings.cold.dislikeWeight)
  }
}

extension NightRanker {
  /// Returns the LLM's picks among the training papers for the profile, aged
  /// from the night they were announced. These are the positives that the
  /// user neither liked nor disliked.
  ///
  /// The recall benchmark found that they lift the share of picks in the top
  /// 25% of a night by 1.3 points when PaperSift learns only from the papers
  /// it sent (Benchmarks/RECALL.md).
  static func pickVectors(_ training: TrainingSet, excluding feedbackIds: Set<String>, date: String)
    -> [FeedbackVector]
  {
    let night = StoredRankingInputs.parseDate(date)
    return training.papers.indices.compactMap { row in
      let paper = training.papers[row]
      guard training.labels[row], !feedbackIds.contains(paper.id) else { return nil }
      var age = 0.0
      if let night, let announced = paper.announced.flatMap(StoredRankingInputs.parseDate) {
        age = night.timeIntervalSince(announced) / 86_400
      }
      return FeedbackVector(
        paperId: paper.id, liked: true, ageDays: age,
        embedding: Array(training.embeddings.row(row)))
    }
  }
}

/// Stands in when no encoder is available; never called with texts.
struct NoTextEmbedding: TextEmbedding {
  func embed(_ texts: [String]) throws -> Matrix {
    throw PaperSiftError(
      .model, "No text encoder is available to embed \(texts.count) topic texts.")
  }
}
