import Foundation
import Testing

@testable import PaperSiftKit

@Suite("Recall by labeller and relevance")
struct RecallBreakdownTests {
  /// Two nights of 10 papers. The top 25% and 30% are 3 papers, the top 40% 4.
  /// gpt-4o: picks at 0 (relevance 9), 1 (8), 4 (10) and 8 (8).
  /// gpt-5: picks at 0 (7), 2 (10) and 9 (9).
  static let nights = [
    RecallDay(
      date: "2025-06-02", papers: 10, picks: 4, requestTokens: 50, batchSize: 20,
      rankings: ["auto": RecallFixtures.night("PP..P...P.", relevances: [9, 8, 10, 8])],
      labeller: "gpt-4o"),
    RecallDay(
      date: "2025-09-08", papers: 10, picks: 3, requestTokens: 50, batchSize: 20,
      rankings: ["auto": RecallFixtures.night("P.P......P", relevances: [7, 10, 9])],
      labeller: "gpt-5"),
  ]

  @Test("Hand-counted picks per group")
  func handCounted() {
    let breakdown = RecallBreakdown(
      days: Self.nights, variant: "auto", fractions: [0.25, 0.3, 0.4])
    let rows = breakdown.rows.map { ($0.name, $0.nights, $0.picks, $0.inside) }
    let expected: [(String, Int, Int, [Int])] = [
      ("gpt-4o", 1, 4, [2, 2, 2]),
      ("gpt-4o, relevance 9-10", 1, 2, [1, 1, 1]),
      ("gpt-4o, relevance 8 or lower", 1, 2, [1, 1, 1]),
      ("gpt-5", 1, 3, [2, 2, 2]),
      ("gpt-5, relevance 9-10", 1, 2, [1, 1, 1]),
      ("gpt-5, relevance 8 or lower", 1, 1, [1, 1, 1]),
      ("every night", 2, 7, [4, 4, 4]),
    ]
    #expect(rows.count == expected.count)
    for (row, want) in zip(rows, expected) {
      #expect(row.0 == want.0)
      #expect(row.1 == want.1)
      #expect(row.2 == want.2)
      #expect(row.3 == want.3)
    }
    #expect(breakdown.rows.last?.recall(at: 0) == 4.0 / 7.0)
  }

  @Test("Missing ranking counts as missed")
  func missingVariant() {
    var nights = Self.nights
    nights[1].rankings = [:]
    let breakdown = RecallBreakdown(days: nights, variant: "auto", fractions: [0.25])
    let byName = Dictionary(uniqueKeysWithValues: breakdown.rows.map { ($0.name, $0) })
    #expect(byName["gpt-5"]?.picks == 3)
    #expect(byName["gpt-5"]?.inside == [0])
    #expect(byName["gpt-5, relevance 9-10"]?.picks == 0)
    #expect(byName["every night"]?.picks == 7)
    #expect(byName["every night"]?.inside == [2])
  }

  @Test("Unknown labellers share one row")
  func unknownLabeller() {
    var nights = Self.nights
    nights[0].labeller = nil
    nights[1].labeller = nil
    let breakdown = RecallBreakdown(days: nights, variant: "auto", fractions: [0.4])
    #expect(breakdown.rows.map(\.name).first == "labeller not recorded")
    #expect(breakdown.rows.first?.picks == 7)
    #expect(breakdown.rows.first?.nights == 2)
  }

  @Test("Page shows the breakdown table")
  func pageSection() {
    let text = RecallReport.breakdownSection(Self.nights)
    #expect(text.contains("| gpt-4o, relevance 9-10 | 2 | 1 | 50.0% | 50.0% | 50.0% |"))
    #expect(text.contains("| every night | 7 | 2 | 57.1% | 57.1% | 57.1% |"))
  }
}
