import Foundation
import Testing

@testable import PaperSiftKit

/// The digest's cost saved when the night's paid requests scored other
/// papers than those chosen at this cutoff, on the night of ``DigestTests``:
/// 30 papers, 12 above the cutoff and 5 audited, 16 of the 17 scored, and
/// $0.0320555 paid.
@Suite struct CostSavedTests {
  static let paid = 0.0320555

  /// Builds the fixture night with `scoringPapers` papers scored by its requests.
  static func content(scoringPapers: Int?) throws -> DigestContent {
    var input = try DigestTests.night()
    input.scoringPapers = scoringPapers
    return DigestBuilder.build(input)
  }

  @Test func largerCutoffLowersCostPerPaper() throws {
    let content = try Self.content(scoringPapers: 30)
    let cost = try #require(content.costSaved)

    // 0.0320555 / 30 = 0.00106851… a paper: 30 papers cost 0.0320555, the
    // 17 chosen 0.01816478…, and the 13 others 0.01389071…, each rounded
    // to 10 decimals.
    #expect(cost.scoredPapers == 16)
    #expect(cost.paidScoredPapers == 30)
    #expect(abs(cost.dollarsPerPaper - Self.paid / 30) < 1e-10)
    #expect(abs(cost.allPapersDollars - Self.paid) < 1e-10)
    #expect(abs(cost.chosenPapersDollars - Self.paid / 30 * 17) < 1e-10)
    #expect(abs(cost.savedDollars - Self.paid / 30 * 13) < 1e-10)
    #expect(
      MarkdownDigest.render(content).contains(
        "## Cost saved\n\nThe night's requests under this model and prompt cost $0.0321 and "
          + "scored 30 papers of the night, more than the 16 of the 17 papers chosen at this cutoff that "
          + "have a score, because other runs of the night chose other papers too. At their "
          + "cost per scored paper, scoring all 30 papers of the night would cost about $0.0321 "
          + "and scoring the 17 chosen about $0.0182, so this cutoff would save about $0.0139."))
  }

  @Test func scoresOfOtherNightsRaiseCostPerPaper() throws {
    let content = try Self.content(scoringPapers: 10)
    let cost = try #require(content.costSaved)

    // 0.0320555 / 10 = 0.00320555 a paper: 30 papers cost 0.0961665, the 17
    // chosen 0.05449435 and the 13 others 0.04167215.
    #expect(abs(cost.dollarsPerPaper - 0.003_205_55) < 1e-10)
    #expect(
      MarkdownDigest.render(content).contains(
        "scored 10 papers of the night, fewer than the 16 of the 17 papers chosen at this cutoff "
          + "that have a score, because requests of other nights scored the rest. At their cost per scored "
          + "paper, scoring all 30 papers of the night would cost about $0.0962 and scoring the "
          + "17 chosen about $0.0545, so this cutoff would save about $0.0417."))
  }

  @Test func noPaidScoreLeavesCostUnknown() throws {
    let content = try Self.content(scoringPapers: 0)

    #expect(content.costSaved == nil)
    #expect(content.counts.scored == 16)
    #expect(
      MarkdownDigest.render(content).contains(
        "## Cost saved\n\nThe scores shown were paid for by requests of other nights, so this "
          + "night's cost per paper is not known."))
  }

  @Test func missingPaperCountTakesScoredChosen() throws {
    let content = try Self.content(scoringPapers: nil)
    let cost = try #require(content.costSaved)

    #expect(cost.paidScoredPapers == 16)
    #expect(abs(cost.dollarsPerPaper - Self.paid / 16) < 1e-10)
  }

  @Test func everyPaperChosenSavesNothing() throws {
    var input = try DigestTests.night()
    input.sentIDs = Set(input.ranking.map(\.paper.id))
    input.auditIDs = []
    input.scores = Dictionary(
      uniqueKeysWithValues: input.ranking.map {
        ($0.paper.id, DigestInput.Score(relevance: 5, novelty: 5, comment: ""))
      })
    input.unscoredReasons = [:]

    let content = DigestBuilder.build(input)

    #expect(content.costSaved?.savedDollars == 0)
    #expect(
      MarkdownDigest.render(content).contains(
        "## Cost saved\n\nScoring 30 papers of 30 cost $0.0321. The cutoff chose every paper of "
          + "the night, so it saved nothing."))
  }

  /// Requests that returned no score are named apart, in the Markdown and
  /// the JSON, and price no paper.
  @Test func noScoreDollarsAreNamedApart() throws {
    var input = try DigestTests.night()
    input.noScoreDollars = 0.005

    let content = DigestBuilder.build(input)
    let cost = try #require(content.costSaved)

    #expect(cost.noScoreDollars == 0.005)
    #expect(abs(cost.dollarsPerPaper - Self.paid / 16) < 1e-10)
    #expect(
      MarkdownDigest.render(content).contains(
        "16 of the 17 papers chosen got a score, for $0.0321 (and $0.0050 on requests that "
          + "returned no score), and 1 got no score. At the same cost per scored paper, scoring "
          + "all 30 would have cost about $0.0601"))
    let json = String(decoding: try JSONDigest.encode(content), as: UTF8.self)
    #expect(json.contains("\"noScoreDollars\" : 0.005,"))
    #expect(
      !String(
        decoding: try JSONDigest.encode(DigestBuilder.build(try DigestTests.night())),
        as: UTF8.self
      ).contains("noScoreDollars"))
  }

  /// Amounts below $0.00005 read "under $0.0001" in sentences, never
  /// "about <$0.0001". At $0.00003 for 16 papers, all 30 cost $0.00005625
  /// (shown as $0.0001), the 17 chosen $0.000031875 and the 13 others
  /// $0.000024375.
  @Test func tinyAmountsReadUnderInSentences() throws {
    var input = try DigestTests.night()
    input.scoringDollars = 0.000_03
    input.noScoreDollars = 0.000_02

    let markdown = MarkdownDigest.render(DigestBuilder.build(input))

    #expect(
      markdown.contains(
        "16 of the 17 papers chosen got a score, for under $0.0001 (and under $0.0001 on "
          + "requests that returned no score), and 1 got no score. At the same cost per scored "
          + "paper, scoring all 30 would have cost about $0.0001 and scoring the 17 chosen "
          + "under $0.0001, so the cutoff saved under $0.0001."), "markdown: \(markdown)")
    #expect(!markdown.contains("about <"))
  }
}
