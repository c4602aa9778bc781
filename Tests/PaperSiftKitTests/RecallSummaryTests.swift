import Foundation
import Testing

@testable import PaperSiftKit

@Suite("Recall summary")
struct RecallSummaryTests {
  /// Night A: 10 papers of 100 tokens, picks at ranks 1, 2, 5 and 9,
  /// requests of 3 papers with 50 fixed tokens each.
  /// Night B: 4 papers of 10, 20, 30 and 40 tokens, a pick at rank 3,
  /// requests of 3 papers with 5 fixed tokens each.
  let days = [
    RecallFixtures.day("2025-05-01", "PP..P...P."),
    RecallFixtures.day(
      "2025-05-02", "..P.", tokens: [10, 20, 30, 40], requestTokens: 5, batchSize: 3),
  ]

  @Test("fraction cutoff by hand")
  func fractionCutoff() {
    let summary = RecallSummary(days: days, variant: "v", policy: CutoffPolicy(.fraction, 0.25))
    // A sends ceil(0.25 * 10) = 3 papers ("PP."): 2 picks, 1 request,
    // 50 + 3 * 100 = 350 tokens. B sends ceil(0.25 * 4) = 1 paper (".")
    // with no pick, 1 request, 5 + 10 = 15 tokens.
    #expect(summary.papersSent == 4)
    #expect(summary.picks == 5)
    #expect(summary.picksInside == 2)
    #expect(summary.recall == 2.0 / 5.0)
    // Mean of the nights: (2/4 + 0/1) / 2.
    #expect(summary.meanRecall == 0.25)
    #expect(summary.worstDay == "2025-05-02")
    #expect(summary.worstRecall == 0)
    #expect(summary.tokensSent == 365)
    // Every paper: A needs 4 requests, 4 * 50 + 1000 = 1200; B needs 2,
    // 2 * 5 + 100 = 110.
    #expect(summary.tokensAll == 1310)
    #expect(abs(summary.tokensSavedShare - 945.0 / 1310.0) < 1e-12)
    #expect(abs(summary.sentShare - 4.0 / 14.0) < 1e-12)
  }

  @Test("count cutoff by hand")
  func countCutoff() {
    let summary = RecallSummary(days: days, variant: "v", policy: CutoffPolicy(.count, 5))
    // A sends 5 ("PP..P"): 3 picks, 2 requests, 2 * 50 + 500 = 600 tokens.
    // B has only 4 papers, so it sends all: 1 pick, 110 tokens.
    #expect(summary.papersSent == 9)
    #expect(summary.picksInside == 4)
    #expect(summary.recall == 0.8)
    #expect(summary.meanRecall == (0.75 + 1) / 2)
    #expect(summary.worstDay == "2025-05-01")
    #expect(summary.worstRecall == 0.75)
    #expect(summary.tokensSent == 710)
  }

  @Test("score cutoff by hand")
  func scoreCutoff() {
    let night = RecallFixtures.day(
      "2025-05-03", "PP..P", scores: [0.9, 0.8, 0.6, 0.55, 0.5], requestTokens: 0)
    let summary = RecallSummary(days: [night], variant: "v", policy: CutoffPolicy(.score, 0.55))
    // Scores 0.9, 0.8, 0.6 and 0.55 reach 0.55: "PP..", 2 of 3 picks.
    #expect(summary.papersSent == 4)
    #expect(summary.picksInside == 2)
    #expect(summary.tokensSent == 400)
  }

  @Test("night without picks leaves the mean")
  func nightWithoutPicks() {
    let nights = [
      RecallFixtures.day("2025-05-01", "P..."), RecallFixtures.day("2025-05-02", "...."),
    ]
    let summary = RecallSummary(days: nights, variant: "v", policy: CutoffPolicy(.count, 1))
    #expect(summary.recall == 1)
    #expect(summary.meanRecall == 1)
    #expect(summary.worstDay == "2025-05-01")
  }

  @Test("missing variant sends nothing")
  func missingVariant() {
    let summary = RecallSummary(days: days, variant: "other", policy: CutoffPolicy(.count, 5))
    #expect(summary.picksInside == 0)
    #expect(summary.papersSent == 0)
    #expect(summary.tokensSent == 0)
    #expect(summary.tokensAll == 1310)
  }

  @Test(
    "fraction counts",
    arguments: [
      (0.3, 10, 3), (0.1, 10, 1), (0.25, 176, 44), (0.25, 4, 1), (0.25, 5, 2), (1.0, 7, 7),
      (0.0, 7, 0), (1.5, 7, 7), (0.1, 0, 0),
    ])
  func fractionCounts(fraction: Double, papers: Int, expected: Int) {
    #expect(CutoffPolicy.fractionCount(fraction, of: papers) == expected)
  }

  @Test("count and score sent counts")
  func sentCounts() {
    let scores = [0.9, 0.7, 0.5, 0.5, 0.1]
    #expect(CutoffPolicy(.count, 2.7).sentCount(scores: scores) == 2)
    #expect(CutoffPolicy(.count, 0).sentCount(scores: scores) == 0)
    #expect(CutoffPolicy(.count, 50).sentCount(scores: scores) == 5)
    #expect(CutoffPolicy(.score, 0.5).sentCount(scores: scores) == 4)
    #expect(CutoffPolicy(.score, 0.95).sentCount(scores: scores) == 0)
  }

  @Test("policy read from settings")
  func policyFromSettings() throws {
    var settings = RankingSettings()
    settings.cutoffPolicy = "count"
    settings.cutoffValue = 40
    #expect(try CutoffPolicy(settings: settings) == CutoffPolicy(.count, 40))
    settings.cutoffPolicy = "top"
    #expect(throws: PaperSiftError.self) { try CutoffPolicy(settings: settings) }
  }

  @Test("day counts per fraction")
  func dayCounts() {
    // Fractions of 10 papers cut 1, 2, 3, 3, 4 and 5 papers of "PP..P...P.".
    let counts = days[0].counts(variant: "v", fractions: Replay.fractions)
    #expect(counts == ["0.1": 1, "0.2": 2, "0.25": 2, "0.3": 2, "0.4": 2, "0.5": 3])
  }
}
