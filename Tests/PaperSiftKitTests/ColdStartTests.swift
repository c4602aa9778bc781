import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct ColdStartTests {
  /// Papers on the unit circle at 0°, 60° and 90°.
  static let papers = Matrix(stacking: [[1, 0], [0.5, 0.866_025_4], [0, 1]], columns: 2)
  /// The ids of the three papers, which no profile label below matches.
  static let paperIds = ["2501.00001", "2501.00002", "2501.00003"]

  static func profile(_ rows: [(ProfileEntry, [Float])]) -> Profile {
    Profile(entries: rows.map(\.0), matrix: Matrix(stacking: rows.map(\.1), columns: 2))
  }

  @Test func topicMaximumRanks() {
    let profile = Self.profile([
      (ProfileEntry(kind: .topic, label: "x"), [1, 0]),
      (ProfileEntry(kind: .topic, label: "y"), [0, 1]),
    ])
    let scores = ColdStartScorer.score(
      embeddings: Self.papers, paperIds: Self.paperIds, profile: profile,
      parameters: ColdStartParameters())
    #expect(scores.map(\.topic) == [1, 0.866_025_4, 1])
    #expect(scores.map(\.bestTopic) == [0, 1, 1])
  }

  @Test func keywordCountsLikeTopicAndNamesItselfAsReason() {
    let profile = Self.profile([
      (ProfileEntry(kind: .topic, label: "x"), [1, 0]),
      (ProfileEntry(kind: .keyword, label: "y keyword"), [0, 1]),
    ])
    let scores = ColdStartScorer.score(
      embeddings: Self.papers, paperIds: Self.paperIds, profile: profile,
      parameters: ColdStartParameters())
    #expect(scores.map(\.topic) == [1, 0.866_025_4, 1])
    #expect(scores.map(\.bestTopic) == [0, 1, 1])
    let ranked = RankedPaper(
      index: 2, paperId: "2501.00001", score: 1, cold: scores[2], logistic: nil, tfidf: nil,
      followedAuthor: false)
    #expect(
      NightSlice.reason(for: ranked, profile: profile) == .relevantKeyword(keyword: "y keyword"))
    let first = RankedPaper(
      index: 0, paperId: "2501.00002", score: 1, cold: scores[0], logistic: nil, tfidf: nil,
      followedAuthor: false)
    #expect(NightSlice.reason(for: first, profile: profile) == .topic(number: 1, name: "x"))
  }

  @Test func nearestLikedAveragesTheBestFew() {
    // Liked papers at 0°, 30°, 60° and 90° with weights 1, 2, 1, 1; the
    // paper at 0° averages its two nearest: (1·1 + 2·cos 30°) / 3.
    let angles: [Float] = [0, 30, 60, 90]
    let weights: [Float] = [1, 2, 1, 1]
    let profile = Self.profile(
      zip(angles, weights).map { angle, weight in
        let radians = angle * .pi / 180
        return (
          ProfileEntry(kind: .liked, label: "\(angle)", weight: weight),
          [cos(radians), sin(radians)]
        )
      })
    var parameters = ColdStartParameters()
    parameters.nearest = 2
    let scores = ColdStartScorer.score(
      embeddings: Self.papers, paperIds: Self.paperIds, profile: profile, parameters: parameters)
    #expect(abs(scores[0].liked - (1 + 2 * 0.866_025_4) / 3) < 1e-6)
    #expect(scores[0].bestLiked == 0)
    // The paper at 90°: nearest 90° (weight 1) and 60° (weight 1).
    #expect(abs(scores[2].liked - (1 + 0.866_025_4) / 2) < 1e-6)
    #expect(scores[2].bestLiked == 3)
  }

  @Test func picksCountAsLikes() {
    // A like at 90° and an earlier LLM pick at 0°, both of weight 1.
    let profile = Self.profile([
      (ProfileEntry(kind: .liked, label: "2412.00001"), [0, 1]),
      (ProfileEntry(kind: .pick, label: "2501.00001"), [1, 0]),
    ])
    var parameters = ColdStartParameters()
    parameters.nearest = 1
    let scores = ColdStartScorer.score(
      embeddings: Self.papers, paperIds: Self.paperIds, profile: profile, parameters: parameters)
    // The paper at 60° is nearer the like (cos 30° = 0.866) than the pick (0.5).
    #expect(abs(scores[1].liked - 0.866_025_4) < 1e-6)
    #expect(scores[1].bestLiked == 0)
    // The paper at 0° is the pick itself, so only the like at 90° counts (0).
    #expect(abs(scores[0].liked) < 1e-6)
    #expect(scores[0].bestLiked == 0)
    // The paper at 90° sits on the like.
    #expect(abs(scores[2].liked - 1) < 1e-6)
  }

  @Test func profileAgesPickEntries() throws {
    let like = FeedbackVector(paperId: "2412.00001", liked: true, ageDays: 0, embedding: [0, 1])
    let pick = FeedbackVector(paperId: "2501.00001", liked: false, ageDays: 30, embedding: [1, 0])
    let profile = try Profile.build(
      topics: nil, feedback: [like], picks: [pick], halfLifeDays: 30,
      embedder: AxisEmbedding(), dimension: 2)
    #expect(profile.entries.map(\.kind) == [.liked, .pick])
    #expect(profile.entries.map(\.label) == ["2412.00001", "2501.00001"])
    #expect(profile.entries.map(\.weight) == [1, 0.5])
    #expect(Array(profile.matrix.row(1)) == [1, 0])
  }

  @Test func pickVectorsSkipUserLikes() {
    func paper(_ id: String, _ night: String) -> Paper {
      Paper(
        id: id, title: id, abstract: "", authors: [], categories: [], announced: night)
    }
    let training = TrainingSet(
      papers: [
        paper("2501.00001", "2025-01-01"), paper("2501.00002", "2025-01-01"),
        paper("2501.00003", "2025-01-21"), paper("2501.00004", "2025-01-21"),
      ],
      embeddings: Matrix(stacking: [[1, 0], [0, 1], [0.6, 0.8], [0.8, 0.6]], columns: 2),
      labels: [true, false, true, true])
    // 2501.00004 is a positive because the user liked it: a like, not a pick.
    let picks = NightRanker.pickVectors(
      training, excluding: ["2501.00004"], date: "2025-01-31")
    #expect(picks.map(\.paperId) == ["2501.00001", "2501.00003"])
    #expect(picks.map(\.ageDays) == [30, 10])
    #expect(picks.map(\.embedding) == [[1, 0], [0.6, 0.8]])
    #expect(picks.allSatisfy { $0.liked })
  }

  @Test func negativeSubtracts() {
    var parameters = ColdStartParameters()
    parameters.negativeWeight = 0.5
    let profile = Self.profile([
      (ProfileEntry(kind: .topic, label: "x"), [1, 0]),
      (ProfileEntry(kind: .negative, label: "y"), [0, 1]),
    ])
    let scores = ColdStartScorer.score(
      embeddings: Self.papers, paperIds: Self.paperIds, profile: profile, parameters: parameters)
    // 0°: 1 - 0.5·0 = 1; 60°: 0.5 - 0.5·0.866 = 0.067; 90°: 0 - 0.5·1 = -0.5.
    #expect(abs(scores[0].score - 1) < 1e-6)
    #expect(abs(scores[1].score - 0.066_987_3) < 1e-6)
    #expect(abs(scores[2].score + 0.5) < 1e-6)
  }

  @Test func closestNegativeIsRecorded() {
    let profile = Self.profile([
      (ProfileEntry(kind: .topic, label: "x"), [1, 0]),
      (ProfileEntry(kind: .negative, label: "n1"), [0, 1]),
      (ProfileEntry(kind: .negative, label: "n2"), [0.6, 0.8]),
    ])
    let scores = ColdStartScorer.score(
      embeddings: Self.papers, paperIds: Self.paperIds, profile: profile,
      parameters: ColdStartParameters())
    // Cosines to n1 and n2: 0° 0 and 0.6; 60° 0.866 and 0.3 + 0.693 = 0.993; 90° 1 and 0.8.
    #expect(scores.map(\.bestNegative) == [2, 2, 1])
    #expect(abs(scores[0].negative - 0.6) < 1e-6)
    #expect(abs(scores[1].negative - 0.992_820_3) < 1e-6)
    #expect(abs(scores[2].negative - 1) < 1e-6)
    #expect(scores.allSatisfy { $0.bestTopic == 0 })
  }

  @Test func likesWeightedByRecency() {
    var parameters = ColdStartParameters()
    parameters.nearest = 2
    // Two likes: the 0° paper at weight 1, the 90° paper at weight 0.25.
    let profile = Self.profile([
      (ProfileEntry(kind: .liked, label: "a", weight: 1), [1, 0]),
      (ProfileEntry(kind: .liked, label: "b", weight: 0.25), [0, 1]),
    ])
    let scores = ColdStartScorer.score(
      embeddings: Self.papers, paperIds: Self.paperIds, profile: profile, parameters: parameters)
    // Paper at 90°: (1·0 + 0.25·1) / 1.25 = 0.2; at 0°: (1·1 + 0.25·0) / 1.25 = 0.8.
    #expect(abs(scores[2].liked - 0.2) < 1e-6)
    #expect(abs(scores[0].liked - 0.8) < 1e-6)
    #expect(scores[2].bestLiked == 1)
  }

  @Test func dislikeLowersRank() {
    let profile = Self.profile([
      (ProfileEntry(kind: .topic, label: "x"), [0.707_106_8, 0.707_106_8]),
      (ProfileEntry(kind: .disliked, label: "d"), [1, 0]),
    ])
    let scores = ColdStartScorer.score(
      embeddings: Self.papers, paperIds: Self.paperIds, profile: profile,
      parameters: ColdStartParameters())
    let order = scores.indices.sorted { scores[$0].score > scores[$1].score }
    // Topic cosines 0.707, 0.966, 0.707; dislike cosines 1, 0.5, 0; scores
    // -0.293, 0.466, 0.707: the dislike pushes the 30° paper below the 90° one.
    #expect(order == [2, 1, 0])
  }

  /// A dislike opposite to a paper (cosine -1) takes nothing off its score
  /// and adds nothing to it either: the score is the topic cosine alone.
  @Test func unlikeDislikeAddsNothing() {
    let profile = Self.profile([
      (ProfileEntry(kind: .topic, label: "x"), [1, 0]),
      (ProfileEntry(kind: .disliked, label: "d"), [-1, 0]),
    ])
    let scores = ColdStartScorer.score(
      embeddings: Self.papers, paperIds: Self.paperIds, profile: profile,
      parameters: ColdStartParameters())

    // The paper at 0°: topic cosine 1, dislike cosine -1.
    #expect(abs(scores[0].disliked + 1) < 1e-6)
    #expect(abs(scores[0].score - 1) < 1e-6)
    // The paper at 60°: topic cosine 0.5, dislike cosine -0.5.
    #expect(abs(scores[1].score - 0.5) < 1e-6)
  }

  @Test func ownFeedbackLeftOut() {
    // Paper 2501.00001 (0°) is liked and paper 2501.00003 (90°) is disliked;
    // the other like "x" is at 90° and the other dislike "y" at 0°.
    let profile = Self.profile([
      (ProfileEntry(kind: .liked, label: "2501.00001"), [1, 0]),
      (ProfileEntry(kind: .liked, label: "x"), [0, 1]),
      (ProfileEntry(kind: .disliked, label: "2501.00003"), [0, 1]),
      (ProfileEntry(kind: .disliked, label: "y"), [1, 0]),
    ])
    let scores = ColdStartScorer.score(
      embeddings: Self.papers, paperIds: Self.paperIds, profile: profile,
      parameters: ColdStartParameters())

    // The liked paper meets only "x" (cosine 0) among the likes, and both dislikes.
    #expect(scores[0].liked == 0)
    #expect(scores[0].bestLiked == 1)
    #expect(abs(scores[0].disliked - 0.5) < 1e-6)
    // The disliked paper meets both likes, and only "y" (cosine 0) among the dislikes.
    #expect(abs(scores[2].liked - 0.5) < 1e-6)
    #expect(scores[2].bestLiked == 1)
    #expect(scores[2].disliked == 0)
    #expect(abs(scores[2].score - 0.5) < 1e-6)
    // The paper at 60° has no feedback of its own and meets all four entries.
    #expect(abs(scores[1].liked - (0.5 + 0.866_025_4) / 2) < 1e-6)
    #expect(abs(scores[1].disliked - (0.5 + 0.866_025_4) / 2) < 1e-6)
  }

  @Test func onlyLikeIsOwnVector() {
    let profile = Self.profile([(ProfileEntry(kind: .liked, label: "2501.00001"), [1, 0])])
    let scores = ColdStartScorer.score(
      embeddings: Self.papers, paperIds: Self.paperIds, profile: profile,
      parameters: ColdStartParameters())

    #expect(scores[0].liked == 0)
    #expect(scores[0].bestLiked == nil)
    #expect(scores[0].score == 0)
    #expect(scores[1].bestLiked == 0)
    #expect(abs(scores[1].liked - 0.5) < 1e-6)
  }

  @Test func recencyHalfLife() throws {
    let feedback = [
      FeedbackVector(paperId: "new", liked: true, ageDays: 0, embedding: [1, 0]),
      FeedbackVector(paperId: "old", liked: true, ageDays: 30, embedding: [0, 1]),
    ]
    let profile = try Profile.build(
      topics: nil, feedback: feedback, halfLifeDays: 30, embedder: NoTextEmbedding(),
      dimension: 2)
    #expect(profile.entries.map(\.weight) == [1, 0.5])
    #expect(profile.entries.map(\.kind) == [.liked, .liked])
  }
}
