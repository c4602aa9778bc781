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
          + "scored 30 papers, more than the 16 of the 17 papers chosen at this cutoff that "
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
        "scored 10 papers, fewer than the 16 of the 17 papers chosen at this cutoff that have a "
          + "score, because requests of other nights scored the rest. At their cost per scored "
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
}
