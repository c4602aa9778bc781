import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct PrefilterTests {
  static func paper(_ id: String, authors: [String] = []) -> Paper {
    Paper(id: id, title: "Title \(id)", abstract: "Text", authors: authors, categories: [])
  }

  /// Papers at 0°, 30°, 60°, 90° on the unit circle.
  static let embeddings = Matrix(
    stacking: [[1, 0], [0.866_025_4, 0.5], [0.5, 0.866_025_4], [0, 1]], columns: 2)
  static let papers = ["a", "b", "c", "d"].map { paper($0) }

  static let topicProfile = Profile(
    entries: [ProfileEntry(kind: .topic, label: "vertical")],
    matrix: Matrix(stacking: [[0, 1]], columns: 2))

  @Test func topicsOnlyRanking() {
    let ranked = Prefilter(settings: RankingSettings()).rank(
      papers: Self.papers, embeddings: Self.embeddings, profile: Self.topicProfile, models: nil)
    #expect(ranked.map(\.paperId) == ["d", "c", "b", "a"])
    // With one ranker the logit combination maps percentile p to
    // 1 / (1 + (1.01 - p) / (p + 0.01)) = (p + 0.01) / 1.02.
    let expected: [Double] = [1, 2.0 / 3, 1.0 / 3, 0].map { ($0 + 0.01) / 1.02 }
    for (score, value) in zip(ranked.map(\.score), expected) {
      #expect(abs(score - value) < 1e-12)
    }
  }

  @Test func followedAuthorFirst() {
    var settings = RankingSettings()
    settings.followedAuthors = ["Ada Lovelace"]
    var papers = Self.papers
    papers[0].authors = ["ada lovelace"]
    let ranked = Prefilter(settings: settings).rank(
      papers: papers, embeddings: Self.embeddings, profile: Self.topicProfile, models: nil)
    // Paper a scores 0.01 / 1.02 + 1, above d's 1.01 / 1.02, and ranks first.
    #expect(ranked.map(\.paperId) == ["a", "d", "c", "b"])
    #expect(ranked[0].followedAuthor)
    #expect(abs(ranked[0].score - (1 + 0.01 / 1.02)) < 1e-12)
  }

  @Test func likedPaperFirst() {
    // Paper a is the only like, so its own vector is all it could be compared with.
    let profile = Profile(
      entries: [
        ProfileEntry(kind: .topic, label: "vertical"), ProfileEntry(kind: .liked, label: "a"),
      ],
      matrix: Matrix(stacking: [[0, 1], [1, 0]], columns: 2))
    let prefilter = Prefilter(settings: RankingSettings())

    let liked = prefilter.rank(
      papers: Self.papers, embeddings: Self.embeddings, profile: profile, models: nil,
      likedIds: ["a"])
    let unmarked = prefilter.rank(
      papers: Self.papers, embeddings: Self.embeddings, profile: profile, models: nil)

    #expect(liked.map(\.paperId) == ["a", "b", "c", "d"])
    #expect(liked.map(\.likedByUser) == [true, false, false, false])
    #expect(liked[0].alwaysPasses)
    #expect(!liked[0].followedAuthor)
    #expect(liked[0].cold.liked == 0)
    #expect(liked[0].cold.bestLiked == nil)
    // Cold scores: a 0 (its own like left out), b 0.5 + 0.866, c 0.866 + 0.5, d 1.
    // The lowest percentile gives a 0.01 / 1.02, plus 1 for the like.
    #expect(abs(liked[0].score - (1 + 0.01 / 1.02)) < 1e-12)
    #expect(unmarked.last?.paperId == "a")
    #expect(!unmarked.contains { $0.likedByUser })
  }

  @Test func percentilesAverageTies() {
    let expected: [Double] = [5.0 / 6, 0, 5.0 / 6, 1.0 / 3]
    #expect(Prefilter.percentiles([3, 1, 3, 2]) == expected)
  }

  @Test func rankAverageWeights() {
    // Ranker one orders a < b < c, ranker two c < b < a; weights 3 and 1.
    let first: [Float] = [0, 1, 2]
    let second: [Float] = [2, 1, 0]
    let combined = Prefilter.rankAverage(
      [(weight: 3, scores: first), (weight: 1, scores: second)], count: 3)
    let expected: [Double] = [0.25, 0.5, 0.75]
    #expect(combined == expected)
  }

  @Test func logitCombinationWeights() {
    // Ranker one orders a < b < c, ranker two c < b < a; weights 3 and 1.
    // Percentiles 0, 0.5, 1 have logits L0 = ln(0.01 / 1.01) = -4.6151, 0 and
    // 4.6151. Paper a: (3·L0 - L0) / 4 = -2.3076, so 1 / (1 + e^2.3076) = 0.0905;
    // b: 0, so 0.5; c: 2.3076, so 0.9095. Offsets 0, 0, -4 move c to
    // (2·4.6151 - 4) / 4 = 1.3076, so 0.7872.
    let first: [Float] = [0, 1, 2]
    let second: [Float] = [2, 1, 0]
    let rankers: [(weight: Double, scores: [Float])] = [(3, first), (1, second)]
    let combined = Prefilter.logitCombination(rankers, offsets: [0, 0, 0])
    #expect(abs(combined[0] - 0.0905) < 1e-4)
    #expect(abs(combined[1] - 0.5) < 1e-12)
    #expect(abs(combined[2] - 0.9095) < 1e-4)
    let shifted = Prefilter.logitCombination(rankers, offsets: [0, 0, -4])
    #expect(abs(shifted[2] - 0.7872) < 1e-4)
  }

  @Test func logitFavoursStrongVotes() {
    // Paper x is first for two rankers and last for the third (percentiles
    // 1, 1, 0); paper y is at 0.75 for all three. The rank average prefers y
    // (0.75 over 0.667); the logits, 4.615 + 4.615 - 4.615 = 4.615 against
    // 3·ln(0.76 / 0.26) = 3.218, prefer x.
    let rankers: [(weight: Double, scores: [Float])] = [
      (1, [5, 4, 3, 2, 1]), (1, [5, 4, 3, 2, 1]), (1, [1, 4, 3, 2, 5]),
    ]
    let average = Prefilter.rankAverage(rankers, count: 5)
    #expect(average[1] > average[0])
    let logit = Prefilter.logitCombination(rankers, offsets: [Double](repeating: 0, count: 5))
    #expect(logit[0] > logit[1])
  }

  @Test func authorTermsAddUp() {
    let weights = RankerWeights(authorOverlap: 0.3, authorCount: 0.2, singleAuthor: -0.8)
    // One author who wrote a positive: 0.3 + 0.2·ln 1 - 0.8 = -0.5.
    #expect(abs(Prefilter.authorTerms(authorCount: 1, overlap: true, weights) + 0.5) < 1e-12)
    // Four authors, none of a positive: 0.2·ln 4 = 0.27726.
    #expect(abs(Prefilter.authorTerms(authorCount: 4, overlap: false, weights) - 0.27726) < 1e-5)
    #expect(Prefilter.authorTerms(authorCount: 0, overlap: false, weights) == 0)
    #expect(Prefilter.authorTerms(authorCount: 1, overlap: true, RankerWeights()) == 0)
  }

  @Test func authorOverlapLiftsPaper() {
    var settings = RankingSettings()
    settings.minimumLabelledPapers = 0
    settings.minimumPapersPerClass = 1
    settings.weights = RankerWeights(profile: 1, logistic: 0, tfidf: 0, authorOverlap: 5)
    var models = LearnedModels(trainingSize: 10, positives: 5)
    models.positiveAuthors = ["ada lovelace"]
    var papers = Self.papers
    papers[0].authors = ["Grace Hopper", "ADA Lovelace"]
    // Topic logits d 4.615, c 0.678, b -0.678, a -4.615; a gains 5 to 0.385.
    let lifted = Prefilter(settings: settings).rank(
      papers: papers, embeddings: Self.embeddings, profile: Self.topicProfile, models: models)
    #expect(lifted.map(\.paperId) == ["d", "c", "a", "b"])
    #expect(lifted.map(\.authorOverlap) == [false, false, true, false])

    settings.weights.authorOverlap = 0
    let plain = Prefilter(settings: settings).rank(
      papers: papers, embeddings: Self.embeddings, profile: Self.topicProfile, models: models)
    #expect(plain.map(\.paperId) == ["d", "c", "b", "a"])
    #expect(!plain.contains { $0.authorOverlap })
  }

  @Test func explainNamesNeighboursAndOverlap() {
    let item = RankingReport.Item(
      rank: 1, id: "2501.00002", title: "Title", score: 0.9, followedAuthor: false,
      closestTopic: nil, topicSimilarity: nil, closestLiked: nil, likedSimilarity: nil,
      logistic: 1.5, tfidf: 0.25, neighbours: 0.125, authorOverlap: true)
    let expected =
      "no topic or like, logistic 1.500, tf-idf SVM 0.250, tf-idf neighbours 0.125, "
      + "author of an earlier pick or like"
    #expect(RankingReport.explanation(item) == expected)
  }

  @Test func explainNamesUserLike() {
    var item = RankingReport.Item(
      rank: 1, id: "2501.00002", title: "Title", score: 1.5, followedAuthor: false,
      likedByUser: true, closestTopic: "vertical", topicSimilarity: 0.25,
      closestLiked: "2501.00009", likedSimilarity: 0.5, logistic: nil, tfidf: nil,
      neighbours: nil, authorOverlap: false)
    #expect(
      RankingReport.explanation(item)
        == "you liked this paper, closest like 2501.00009 (mean cosine of the nearest likes 0.500), "
        + "topic \"vertical\" (cosine 0.250)")

    item.closestLiked = nil
    item.likedSimilarity = nil
    #expect(
      RankingReport.explanation(item) == "you liked this paper, topic \"vertical\" (cosine 0.250)")
  }

  @Test func rankAverageCombinationSelectable() {
    var settings = RankingSettings()
    settings.combination = .rankAverage
    let ranked = Prefilter(settings: settings).rank(
      papers: Self.papers, embeddings: Self.embeddings, profile: Self.topicProfile, models: nil)
    let expected: [Double] = [1, 2.0 / 3, 1.0 / 3, 0]
    #expect(ranked.map(\.score) == expected)
  }

  @Test func modelsWaitForSwitchOver() {
    var settings = RankingSettings()
    settings.minimumLabelledPapers = 10
    settings.minimumPapersPerClass = 4
    // A logistic model that prefers horizontal papers, against the vertical topic.
    var models = LearnedModels(trainingSize: 9, positives: 4)
    models.logistic = LogisticRegression(weights: [1, 0], bias: 0)
    settings.weights = RankerWeights(profile: 1, logistic: 3, tfidf: 0)
    let prefilter = Prefilter(settings: settings)
    let before = prefilter.rank(
      papers: Self.papers, embeddings: Self.embeddings, profile: Self.topicProfile, models: models)
    #expect(before.map(\.paperId) == ["d", "c", "b", "a"])
    #expect(before[0].logistic == nil)

    models.trainingSize = 10
    let after = prefilter.rank(
      papers: Self.papers, embeddings: Self.embeddings, profile: Self.topicProfile, models: models)
    // Topic percentiles d 1, c 2/3, b 1/3, a 0; logistic a 1, b 2/3, c 1/3, d 0.
    // Logits L(1) = 4.615, L(2/3) = 0.678, L(1/3) = -0.678, L(0) = -4.615.
    // 1·topic + 3·logistic: a 9.23, b 1.357, c -1.357, d -9.23.
    #expect(after.map(\.paperId) == ["a", "b", "c", "d"])
    #expect(after[0].logistic == 1)
  }

  /// Ten labelled papers reach the count of 10, but the models also need 4
  /// papers of each class: 3 picks and 7 others, or 7 and 3, are too few.
  @Test(arguments: [(3, false), (4, true), (6, true), (7, false)])
  func modelsWaitForEachClass(positives: Int, expected: Bool) {
    var settings = RankingSettings()
    settings.minimumLabelledPapers = 10
    settings.minimumPapersPerClass = 4
    var models = LearnedModels(trainingSize: 10, positives: positives)
    models.logistic = LogisticRegression(weights: [1, 0], bias: 0)
    settings.weights = RankerWeights(profile: 1, logistic: 3, tfidf: 0)
    let prefilter = Prefilter(settings: settings)

    let ranked = prefilter.rank(
      papers: Self.papers, embeddings: Self.embeddings, profile: Self.topicProfile, models: models)

    #expect(prefilter.usesModels(trainingSize: 10, positives: positives) == expected)
    #expect((ranked[0].logistic != nil) == expected)
    #expect(ranked.map(\.paperId) == (expected ? ["a", "b", "c", "d"] : ["d", "c", "b", "a"]))
  }

  @Test func explainNamesClosestEntry() {
    let profile = Profile(
      entries: [
        ProfileEntry(kind: .topic, label: "vertical"),
        ProfileEntry(kind: .liked, label: "2501.00001"),
      ],
      matrix: Matrix(stacking: [[0, 1], [1, 0]], columns: 2))
    var settings = RankingSettings()
    settings.cold.likeWeight = 0.5
    let papers = Array(Self.papers[0...1] + Self.papers[3...3])
    let embeddings = Self.embeddings.selectingRows([0, 1, 3])
    let ranked = Prefilter(settings: settings).rank(
      papers: papers, embeddings: embeddings, profile: profile, models: nil)
    let ranking = NightRanking(
      date: "2025-05-05", papers: papers, ranked: ranked, profile: profile, trainingSize: 0,
      usedModels: false, minimumTrainingSize: 200)
    // Scores: a 0 + 0.5·1 = 0.5, b 0.5 + 0.5·0.866 = 0.933, d 1 + 0 = 1.
    let expected = """
      3 papers on 2025-05-05, ranked by topics and likes only.
      The learned models start at 200 labelled papers with at least 20 picks and 20 other papers among them (likes, dislikes, the LLM's scores and the other papers of nights that a run scored). They have 0 so far: 0 likes and dislikes and 0 papers from 0 scored nights of the 60-day training window. The likes and scores of 2025-05-05 count from the next night on.
        1. d  0.990  Title d
           topic "vertical" (cosine 1.000), closest like 2501.00001 (mean cosine of the nearest likes 0.000)
        2. b  0.500  Title b
           closest like 2501.00001 (mean cosine of the nearest likes 0.866), topic "vertical" (cosine 0.500)
        3. a  0.010  Title a
           closest like 2501.00001 (mean cosine of the nearest likes 1.000), topic "vertical" (cosine 0.000)
      """
    #expect(RankingReport.text(ranking, top: nil, explain: true) == expected)
  }
}
