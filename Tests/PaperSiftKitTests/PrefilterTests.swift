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
    let expected: [Double] = [1, 2.0 / 3, 1.0 / 3, 0]
    #expect(ranked.map(\.score) == expected)
  }

  @Test func followedAuthorFirst() {
    var settings = RankingSettings()
    settings.followedAuthors = ["Ada Lovelace"]
    var papers = Self.papers
    papers[0].authors = ["ada lovelace"]
    let ranked = Prefilter(settings: settings).rank(
      papers: papers, embeddings: Self.embeddings, profile: Self.topicProfile, models: nil)
    // Paper a scores 0 + 1, tying d's 1, and still ranks first.
    #expect(ranked.map(\.paperId) == ["a", "d", "c", "b"])
    #expect(ranked[0].followedAuthor)
    #expect(ranked[0].score == 1)
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

  @Test func modelsWaitForSwitchOver() {
    var settings = RankingSettings()
    settings.minimumLabelledPapers = 10
    // A logistic model that prefers horizontal papers, against the vertical topic.
    var models = LearnedModels(trainingSize: 9)
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
    // Weighted (1·topic + 3·logistic) / 4: a 0.75, b 0.583, c 0.417, d 0.25.
    #expect(after.map(\.paperId) == ["a", "b", "c", "d"])
    #expect(after[0].logistic == 1)
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
      usedModels: false)
    // Scores: a 0 + 0.5·1 = 0.5, b 0.5 + 0.5·0.866 = 0.933, d 1 + 0 = 1.
    let expected = """
      3 papers on 2025-05-05, ranked by topics and likes only (0 labelled papers)
        1. d  1.000  Title d
           topic "vertical" (cosine 1.000)
        2. b  0.500  Title b
           closest like 2501.00001 (mean cosine of the nearest likes 0.866)
        3. a  0.000  Title a
           closest like 2501.00001 (mean cosine of the nearest likes 1.000)
      """
    #expect(RankingReport.text(ranking, top: nil, explain: true) == expected)
  }
}
