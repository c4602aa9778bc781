import Foundation
import Testing

@testable import PaperSiftKit

/// Tests of the header and explanation lines of `papersift rank`.
@Suite struct RankingReportTests {
  static func ranking(
    profile: Profile, papers: [Paper] = [], embeddings: Matrix? = nil, trainingSize: Int = 0,
    usedModels: Bool = false, positives: Int = 0, feedbackLabels: Int = 0, scoredNights: Int = 0,
    settings: RankingSettings = RankingSettings(), minimumPerClass: Int = 20
  ) -> NightRanking {
    let ranked = Prefilter(settings: settings).rank(
      papers: papers, embeddings: embeddings ?? Matrix(rows: 0, columns: 3, values: []),
      profile: profile, models: nil)
    return NightRanking(
      date: "2025-05-05", papers: papers, ranked: ranked, profile: profile,
      trainingSize: trainingSize, usedModels: usedModels, minimumTrainingSize: 200,
      minimumPerClass: minimumPerClass, positives: positives, feedbackLabels: feedbackLabels,
      trainingDays: 60, scoredNights: scoredNights, negativeWeight: settings.cold.negativeWeight,
      dislikeWeight: settings.cold.dislikeWeight)
  }

  static func paper(_ id: String) -> Paper {
    Paper(id: id, title: "Title \(id)", abstract: "", authors: ["A"], categories: ["cs.LG"])
  }

  /// Paper "a" has the smaller topic cosine and comes second in the night,
  /// but ranks first, because the negative keyword costs "b" more.
  @Test func explainShowsNegativePenalty() {
    let profile = Profile(
      entries: [
        ProfileEntry(kind: .topic, label: "t"), ProfileEntry(kind: .negative, label: "RL"),
      ],
      matrix: Matrix(stacking: [[1, 0, 0], [0, 0, 1]], columns: 3))
    let small = Float(0.02).squareRoot()
    let embeddings = Matrix(stacking: [[0.8, 0, 0.6], [0.7, 0.7, small]], columns: 3)
    let ranking = Self.ranking(
      profile: profile, papers: [Self.paper("b"), Self.paper("a")], embeddings: embeddings)

    // a: 0.7 - 0.5·0.1414 = 0.629; b: 0.8 - 0.5·0.6 = 0.5. Two papers: the
    // first has percentile 1 and scores 1.01 / 1.02, the second 0.01 / 1.02.
    let lines = RankingReport.text(ranking, top: nil, explain: true)
      .split(separator: "\n").dropFirst(2).map(String.init)
    #expect(
      lines == [
        "  1. a  0.990  Title a",
        "     topic \"t\" (cosine 0.700), negative keyword \"RL\" (cosine 0.141, minus 0.071)",
        "  2. b  0.010  Title b",
        "     topic \"t\" (cosine 0.800), negative keyword \"RL\" (cosine 0.600, minus 0.300)",
      ])
    let items = RankingReport.items(ranking, top: nil)
    #expect(items.map(\.closestNegative) == ["RL", "RL"])
    #expect(abs((items[1].negativeSimilarity ?? 0) - 0.6) < 1e-6)
    #expect(abs((items[1].negativePenalty ?? 0) - 0.3) < 1e-6)
  }

  /// Paper "a" has the larger topic cosine but ranks second, because it is
  /// closer to the disliked paper, whose cosine counts twice here.
  @Test func explainShowsDislikePenalty() {
    let profile = Profile(
      entries: [
        ProfileEntry(kind: .topic, label: "t"),
        ProfileEntry(kind: .disliked, label: "2505.00009"),
      ],
      matrix: Matrix(stacking: [[1, 0, 0], [0, 0, 1]], columns: 3))
    let small = Float(0.02).squareRoot()
    let embeddings = Matrix(stacking: [[0.8, 0, 0.6], [0.7, 0.7, small]], columns: 3)
    var settings = RankingSettings()
    settings.cold.dislikeWeight = 2
    let ranking = Self.ranking(
      profile: profile, papers: [Self.paper("a"), Self.paper("b")], embeddings: embeddings,
      settings: settings)

    // b: 0.7 - 2·0.1414 = 0.417; a: 0.8 - 2·0.6 = -0.4.
    let lines = RankingReport.text(ranking, top: nil, explain: true)
      .split(separator: "\n").dropFirst(2).map(String.init)
    #expect(
      lines == [
        "  1. b  0.990  Title b",
        "     topic \"t\" (cosine 0.700), closest dislike 2505.00009 (mean cosine of the "
          + "nearest dislikes 0.141, minus 0.283)",
        "  2. a  0.010  Title a",
        "     topic \"t\" (cosine 0.800), closest dislike 2505.00009 (mean cosine of the "
          + "nearest dislikes 0.600, minus 1.200)",
      ])
    let items = RankingReport.items(ranking, top: nil)
    #expect(items.map(\.closestDisliked) == ["2505.00009", "2505.00009"])
    #expect(abs((items[1].dislikedSimilarity ?? 0) - 0.6) < 1e-6)
    #expect(abs((items[1].dislikedPenalty ?? 0) - 1.2) < 1e-6)
    #expect(abs((items[0].dislikedPenalty ?? 0) - 2 * small) < 1e-6)
  }

  /// A relevant keyword counts like a topic but is named as a keyword, as
  /// the digest names it.
  @Test func explainNamesKeywordAsKeyword() {
    let profile = Profile(
      entries: [
        ProfileEntry(kind: .topic, label: "Sparse retrieval"),
        ProfileEntry(kind: .keyword, label: "Mixture of Experts (MoE)"),
      ],
      matrix: Matrix(stacking: [[1, 0, 0], [0, 1, 0]], columns: 3))
    let other = Float(0.19).squareRoot()
    let embeddings = Matrix(stacking: [[0.6, 0.8, 0], [0.9, other, 0]], columns: 3)
    let ranking = Self.ranking(
      profile: profile, papers: [Self.paper("k"), Self.paper("t")], embeddings: embeddings)

    let lines = RankingReport.text(ranking, top: nil, explain: true)
      .split(separator: "\n").dropFirst(2).map(String.init)

    // k is closest to the keyword (0.8), t to the topic (0.9), so t ranks first.
    #expect(
      lines == [
        "  1. t  0.990  Title t",
        "     topic \"Sparse retrieval\" (cosine 0.900)",
        "  2. k  0.010  Title k",
        "     relevant keyword \"Mixture of Experts (MoE)\" (cosine 0.800)",
      ])
    let items = RankingReport.items(ranking, top: nil)
    #expect(items.map(\.closestTopicIsKeyword) == [false, true])
  }

  @Test func zeroPenaltyIsNotShown() {
    let item = RankingReport.Item(
      rank: 1, id: "a", title: "Title", score: 0.5, followedAuthor: false, closestTopic: "t",
      topicSimilarity: 0.5, closestNegative: "RL", negativeSimilarity: 0.2, negativePenalty: 0,
      authorOverlap: false)
    #expect(RankingReport.explanation(item) == "topic \"t\" (cosine 0.500)")
  }

  @Test func headerWithoutAnythingToRankBy() {
    let ranking = Self.ranking(
      profile: Profile(entries: [], matrix: Matrix(rows: 0, columns: 3, values: [])),
      trainingSize: 3, positives: 1, feedbackLabels: 1, scoredNights: 1)

    #expect(ranking.isUnranked)
    #expect(
      RankingReport.header(ranking) == [
        "0 papers on 2025-05-05 in arXiv id order, because there is no topics file and no like "
          + "or dislike yet.",
        "The learned models start at 200 labelled papers with at least 20 picks and 20 other "
          + "papers among them (likes, dislikes, the LLM's scores and the other papers of nights "
          + "that a run scored). They have 3 so far: 1 like or dislike and 2 papers from 1 "
          + "scored night of the 60-day training window. The likes and scores of 2025-05-05 "
          + "count from the next night on.",
        "Copy Data/topics/topics.md to topics.md in the home folder and edit it, or pass "
          + "--topics FILE, or like papers with 'papersift like ID'.",
      ])
  }

  /// One paper, one labelled paper and no earlier night: each count takes
  /// its own singular or plural.
  @Test func headerCountsAgreeWithNouns() {
    let profile = Profile(
      entries: [ProfileEntry(kind: .topic, label: "Sparse retrieval")],
      matrix: Matrix(stacking: [[1, 0, 0]], columns: 3))
    let ranking = Self.ranking(
      profile: profile, papers: [Self.paper("a")],
      embeddings: Matrix(stacking: [[1, 0, 0]], columns: 3), trainingSize: 1, feedbackLabels: 1)

    #expect(
      RankingReport.header(ranking) == [
        "1 paper on 2025-05-05, ranked by topics only.",
        "The learned models start at 200 labelled papers with at least 20 picks and 20 other "
          + "papers among them (likes, dislikes, the LLM's scores and the other papers of nights "
          + "that a run scored). They have 1 so far: 1 like or dislike and 0 papers from 0 "
          + "scored nights of the 60-day training window. The likes and scores of 2025-05-05 "
          + "count from the next night on.",
      ])

    var learned = ranking
    learned.usedModels = true
    learned.papers = []
    #expect(
      RankingReport.header(learned) == [
        "0 papers on 2025-05-05, ranked by the learned models on 1 labelled paper, with topics."
      ])
  }

  /// 463 likes and one dislike reach the 200 labelled papers, but one
  /// other paper is below the 20 each class needs, and the header names that class.
  @Test func headerNamesShortClass() {
    let ranking = Self.ranking(
      profile: Profile(entries: [], matrix: Matrix(rows: 0, columns: 3, values: [])),
      trainingSize: 464, positives: 463, feedbackLabels: 464)

    #expect(
      RankingReport.modelsLine(ranking)
        == "The learned models start at 200 labelled papers with at least 20 picks and 20 "
        + "other papers among them (likes, dislikes, the LLM's scores and the other papers of "
        + "nights that a run scored). They have 464 so far: 464 likes and dislikes and 0 papers "
        + "from 0 scored nights of the 60-day training window. Of these, 463 are picks and 1 "
        + "is another paper, so the models stay off until each class has 20. Dislike papers "
        + "you would skip, or let 'papersift run' score a night. The likes and scores of "
        + "2025-05-05 count from the next night on.")
  }

  /// A per-class minimum of 1 reads "1 pick and 1 other paper".
  @Test func headerCountsOnePerClassInTheSingular() {
    let ranking = Self.ranking(
      profile: Profile(entries: [], matrix: Matrix(rows: 0, columns: 3, values: [])),
      trainingSize: 0, minimumPerClass: 1)

    #expect(
      RankingReport.modelsLine(ranking).hasPrefix(
        "The learned models start at 200 labelled papers with at least 1 pick and 1 other "
          + "paper among them (likes,"))
  }

  @Test func headerWithLearnedModels() {
    let ranking = Self.ranking(
      profile: Profile(entries: [], matrix: Matrix(rows: 0, columns: 3, values: [])),
      trainingSize: 4471, usedModels: true)

    #expect(!ranking.isUnranked)
    #expect(
      RankingReport.header(ranking) == [
        "0 papers on 2025-05-05, ranked by the learned models on 4471 labelled papers."
      ])
  }
}
