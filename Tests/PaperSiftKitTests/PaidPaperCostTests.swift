import Foundation
import Testing

@testable import PaperSiftKit

/// The cost per scored paper of the digest: requests that returned no score
/// are counted apart and price no paper, and papers that `score --date`
/// scored from another day's file count for their own day.
@Suite(.serialized) struct PaidPaperCostTests {
  /// Each request reports 1000 prompt and 100 completion tokens, which cost
  /// (1000 × 0.15 + 100 × 0.60) / 10^6 = $0.00021 at gpt-4o-mini's prices.
  static let usage = TokenUsage(promptTokens: 1_000, completionTokens: 100)
  static let requestDollars = 0.000_21

  /// Creates a home configured for gpt-4o-mini at `server`, in batches of 10,
  /// and a day file with the first 40 papers of 2025-05-05.
  static func home(server: FakeChatServer) throws -> (home: URL, day: URL) {
    let home = try TestFiles.temporaryFolder()
    try NightFixtures.configure(home: home, llmBaseURL: server.baseURL, model: "gpt-4o-mini")
    return (home, try NightFixtures.smallDay(40, in: home))
  }

  /// Checks that `cost` prices the 20 chosen papers of 2025-05-05 by their
  /// 2 requests: $0.00042 in all, $0.000021 a paper.
  static func expectTwentyPaidPapers(
    _ cost: DigestContent.CostSaved, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(cost.paidScoredPapers == 20, sourceLocation: sourceLocation)
    #expect(cost.paidDollars == 0.000_42, sourceLocation: sourceLocation)
    #expect(cost.dollarsPerPaper == 0.000_021, sourceLocation: sourceLocation)
  }

  @Test func failedRequestsPriceNoPaper() throws {
    // The first run's 2 requests get chat completions without choices, which
    // stop the stage; the second run's 2 requests are scored.
    let server = try FakeChatServer(
      replies: [.noChoices, .noChoices], then: .wellFormed, usage: Self.usage)
    defer { server.stop() }
    let (home, day) = try Self.home(server: server)
    defer { try? FileManager.default.removeItem(at: home) }
    let papersift = try PaperSiftProcess(home: home)

    // The default cutoff sends ceil(0.36 × 40) = 15 papers and 5 for the
    // audit: 20 papers in 2 requests.
    let failed = try papersift.run(NightFixtures.runArguments(day))
    let failedDigest = try NightFixtures.digest(in: home)
    let failedMarkdown = try NightFixtures.markdown(in: home)
    let scored = try papersift.run(NightFixtures.runArguments(day))

    #expect(failed.status == 3, "stderr: \(failed.errorOutput)")
    #expect(scored.status == 0, "stderr: \(scored.errorOutput)")
    #expect(server.requests.count == 4)
    // No paper got a score: the 2 failed requests, 2 × $0.00021, are what
    // the stage spent, and the cost per paper is the estimate's.
    let failedCost = try #require(failedDigest.costSaved)
    #expect(failedDigest.skippedLLM?.failed == true)
    #expect(failedCost.paidDollars == 0)
    #expect(failedCost.noScoreDollars == 0.000_42)
    #expect(failedMarkdown.contains("No paper got a score, although the requests cost $0.0004. "))

    // The night paid 4 × $0.00021 = $0.00084, of which $0.00042 scored the
    // 20 chosen papers: $0.000021 a paper, $0.00084 for all 40 and a saving
    // of $0.00042. Counting the failed requests would double each amount.
    let digest = try NightFixtures.digest(in: home)
    #expect(abs(digest.usage.totalDollars - 4 * Self.requestDollars) < 1e-12)
    let cost = try #require(digest.costSaved)
    Self.expectTwentyPaidPapers(cost)
    #expect(cost.noScoreDollars == 0.000_42)
    #expect(cost.allPapersDollars == 0.000_84)
    #expect(abs(cost.savedDollars - 0.000_42) < 1e-15)
    let markdown = try NightFixtures.markdown(in: home)
    #expect(
      markdown.contains(
        "Scoring 20 papers of 40 cost $0.0004 (and $0.0004 on requests that returned no score). "
          + "Scoring all 40 at the same cost per paper would have cost about $0.0008, so the "
          + "cutoff saved about $0.0004."), "markdown: \(markdown)")
    let json = try String(
      contentsOf: home.appendingPathComponent("digests/digest-2025-05-05.json"), encoding: .utf8)
    #expect(json.contains("\"noScoreDollars\" : 0.00042,"))
  }

  @Test func otherDayPapersCountForTheirDay() throws {
    let server = try FakeChatServer(replies: [], usage: Self.usage)
    defer { server.stop() }
    let (home, day) = try Self.home(server: server)
    defer { try? FileManager.default.removeItem(at: home) }
    let papersift = try PaperSiftProcess(home: home)
    // 10 papers of 2025-05-06, stored under their day, and the same lines
    // in a file without a day.
    let lines =
      try String(
        contentsOf: TestFiles.repositoryRoot.appendingPathComponent(
          "Data/benchmark/2025-05-06.papers.jsonl"), encoding: .utf8
      ).split(separator: "\n").prefix(10).joined(separator: "\n") + "\n"
    let otherDay = try TestFiles.write(lines, named: "2025-05-06.papers.jsonl", in: home)
    let undated = try TestFiles.write(lines, named: "undated.jsonl", in: home)
    let topics = NightFixtures.topicsFile.path

    let imported = try papersift.run(["import", otherDay.path])
    // One request of $0.00021 scores the 10 papers, stored under 2025-05-05.
    let other = try papersift.run(
      ["score", "--topics", topics, "--date", "2025-05-05", undated.path])
    // 20 papers of 2025-05-05 in 2 requests, $0.00042.
    let night = try papersift.run(NightFixtures.runArguments(day))

    for result in [imported, other, night] {
      #expect(result.status == 0, "stderr: \(result.errorOutput)")
    }
    #expect(server.requests.count == 3)
    // The night's usage counts every request of its runs, $0.00063.
    let digest = try NightFixtures.digest(in: home)
    #expect(abs(digest.usage.totalDollars - 3 * Self.requestDollars) < 1e-12)
    // Only the 20 papers of 2025-05-05 and their $0.00042 price a paper.
    let cost = try #require(digest.costSaved)
    Self.expectTwentyPaidPapers(cost)
    #expect(cost.scoredPapers == 20)
    #expect(cost.noScoreDollars == nil)
    let markdown = try NightFixtures.markdown(in: home)
    #expect(
      markdown.contains(
        "Scoring 20 papers of 40 cost $0.0004. Scoring all 40 at the same cost per paper would "
          + "have cost about $0.0008, so the cutoff saved about $0.0004."), "markdown: \(markdown)")
    #expect(!markdown.contains("other runs of the night"))
  }

  /// A request that scored 3 papers of the night and 1 of another day
  /// prices the night's papers with 3/4 of its dollars.
  @Test func mixedDayRequestCountsItsShare() throws {
    let database = try ScoringFixtures.database()
    let papers = ScoringFixtures.papers(4)
    let store = PaperStore(database: database)
    try store.importDay(date: "2025-05-05", papers: Array(papers.prefix(3)))
    try store.importDay(date: "2025-05-06", papers: [papers[3]])
    let runs = RunStore(database: database)
    let runID = try runs.startRun(date: "2025-05-05", model: "gpt-4o-mini", promptHash: "p")
    func batch(_ number: Int, status: BatchStatus) throws -> Int64 {
      try runs.recordBatch(
        BatchRecord(
          runID: runID, number: number, papers: 4, model: "gpt-4o-mini", promptHash: "p",
          estimatedPromptTokens: 0, estimatedCostUSD: 0, usage: Self.usage,
          costUSD: Self.requestDollars, status: status))
    }
    let scoredBatch = try batch(1, status: .ok)
    _ = try batch(2, status: .unusable)
    try ScoreStore(database: database).save(
      papers.map { PaperScore(paperID: $0.id, relevance: 5, novelty: 5, comment: "") },
      model: "gpt-4o-mini", promptHash: "p", batchID: scoredBatch)

    let usage = try NightUsage(
      runs, date: "2025-05-05", runID: runID, model: "gpt-4o-mini", promptHash: "p",
      prices: .builtIn)

    #expect(usage.setupScoredPapers == 3)
    #expect(abs(usage.setupDollars - 0.75 * Self.requestDollars) < 1e-15)
    #expect(abs(usage.setupNoScoreDollars - Self.requestDollars) < 1e-15)
    #expect(abs(usage.night.totalDollars - 2 * Self.requestDollars) < 1e-15)
  }
}
