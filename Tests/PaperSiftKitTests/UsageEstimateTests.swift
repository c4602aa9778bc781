import Foundation
import Testing

@testable import PaperSiftKit

/// Responses without `usage`: the scorer counts the estimate for the budget,
/// the batches and the run, and the digest and summary mark it.
@Suite struct UsageEstimateTests {
  /// Returns the dollars of `usage` at gpt-4o-mini's built-in prices, $0.15
  /// per million prompt tokens and $0.60 per million completion tokens.
  static func miniDollars(_ usage: TokenUsage) -> Double {
    (Double(usage.promptTokens) * 0.15 + Double(usage.completionTokens) * 0.60) / 1_000_000
  }

  @Test func clientFlagsMissingUsage() throws {
    let server = try FakeChatServer(replies: [], reportsUsage: false)
    defer { server.stop() }
    let client = try ChatClient(settings: ScoringFixtures.settings(for: server), environment: [:])
    let messages = [ChatMessage(role: "user", content: "<<<PAPER 2505.10001>>>")]

    let completion = try client.complete(messages, maxOutputTokens: 100)

    #expect(!completion.usageReported)
    #expect(completion.usage == .zero)
    #expect(completion.content.contains("2505.10001"))
  }

  @Test func missingUsageCountsTheEstimate() throws {
    let server = try FakeChatServer(replies: [], reportsUsage: false)
    defer { server.stop() }
    let setup = try LLMScorerTests.setup(server, batchSize: 10)
    let papers = ScoringFixtures.papers(25)
    let scorer = try setup.scorer()

    let result = try scorer.score(papers, runID: setup.runID)

    #expect(server.requests.count == 3)
    #expect(result.scores.count == 25)
    let store = RunStore(database: setup.database)
    let batches = try store.batches(runID: setup.runID)
    #expect(batches.map(\.usageEstimated) == [true, true, true])
    var total = 0.0
    for (batch, start) in zip(batches, [0, 10, 20]) {
      let sent = Array(papers[start..<min(start + 10, papers.count)])
      // No response reported tokens, so the estimate keeps its scale of 1.
      let expected = TokenUsage(
        promptTokens: TokenEstimate.promptTokens(of: scorer.prompt.messages(for: sent)),
        completionTokens: sent.count * 110)
      #expect(batch.usage == expected)
      #expect(batch.usage.promptTokens == batch.estimatedPromptTokens)
      #expect(abs(batch.costUSD - Self.miniDollars(expected)) < 1e-12)
      total += Self.miniDollars(expected)
    }
    #expect(result.estimatedRequests == 3)
    #expect(abs(result.costUSD - total) < 1e-12)
    let run = try #require(try store.run(setup.runID))
    #expect(run.estimatedBatches == 3)
    #expect(abs(run.costUSD - total) < 1e-12)
    let night = try store.batchUsage(date: "2025-05-05")
    #expect(night.count == 1)
    #expect(night.first?.runID == setup.runID)
    #expect(night.first?.model == "gpt-4o-mini")
    #expect(night.first?.promptHash == scorer.promptHash)
    #expect(night.first?.estimatedBatches == 3)
    #expect(night.first?.usage == batches.map(\.usage).reduce(TokenUsage.zero, +))
    #expect(try setup.count("SELECT COUNT(*) FROM batches WHERE usage_estimated = 1") == 3)
  }

  @Test func missingUsageKeepsTheBudget() throws {
    let server = try FakeChatServer(replies: [], reportsUsage: false)
    defer { server.stop() }
    let setup = try LLMScorerTests.setup(server, batchSize: 10)
    let papers = ScoringFixtures.papers(30)
    let first = try setup.scorer().estimate(Array(papers.prefix(10)))
    let budget = first.costUSD * 1.5

    let result = try setup.scorer().score(papers, runID: setup.runID, budgetUSD: budget)

    #expect(server.requests.count == 1)
    #expect(result.scores.map(\.paperID) == papers.prefix(10).map(\.id))
    #expect(result.unscored.map(\.paperID) == papers.suffix(20).map(\.id))
    #expect(result.unscored.allSatisfy { $0.reason == "budget" })
    #expect(abs(result.costUSD - first.costUSD) < 1e-12)
    #expect(try setup.count("SELECT COUNT(*) FROM unscored WHERE reason = 'budget'") == 20)
  }

  @Test func reportedUsageIsNotMarked() throws {
    let server = try FakeChatServer(replies: [])
    defer { server.stop() }
    let setup = try LLMScorerTests.setup(server, batchSize: 10)

    let result = try setup.scorer().score(ScoringFixtures.papers(12), runID: setup.runID)

    #expect(result.estimatedRequests == 0)
    let batches = try RunStore(database: setup.database).batches(runID: setup.runID)
    #expect(batches.map(\.usageEstimated) == [false, false])
    #expect(try RunStore(database: setup.database).run(setup.runID)?.estimatedBatches == 0)
  }

  @Test func versionThreeDatabaseGainsTheMark() throws {
    let storage = try TemporaryDatabase()
    defer { storage.close() }
    let path = storage.folder.appendingPathComponent("schema3.sqlite").path
    let old = try Database(path: path, busyTimeoutMilliseconds: 1_000, schemaVersion: 3)
    try old.run(
      """
      INSERT INTO runs (date, started, status, llm_model, sent, scored)
      VALUES ('2025-05-05', '2025-05-05T01:30:00Z', 'running', 'gpt-4o-mini', 0, 0)
      """)
    let runID = old.lastInsertRowID
    try old.run(
      """
      INSERT INTO batches (run_id, number, papers, model, prompt_hash, prompt_tokens, status,
        created)
      VALUES (?, 1, 5, 'gpt-4o-mini', 'h', 0, 'ok', '2025-05-05T01:31:00Z')
      """, [.integer(runID)])
    #expect(try old.scalar("PRAGMA user_version") == .integer(3))

    let upgraded = try Database(path: path)
    let store = RunStore(database: upgraded)
    #expect(try upgraded.scalar("PRAGMA user_version") == .integer(Int64(Migrations.all.count)))
    #expect(try store.batches(runID: runID).map(\.usageEstimated) == [false])
    #expect(try store.run(runID)?.estimatedBatches == 0)

    _ = try store.recordBatch(
      BatchRecord(
        runID: runID, number: 2, papers: 5, model: "gpt-4o-mini", promptHash: "h",
        estimatedPromptTokens: 900, estimatedCostUSD: 0.0002,
        usage: TokenUsage(promptTokens: 900, completionTokens: 550), costUSD: 0.0002,
        status: .ok, usageEstimated: true))
    #expect(try store.batches(runID: runID).map(\.usageEstimated) == [false, true])
    #expect(try store.run(runID)?.estimatedBatches == 1)
    #expect(try store.run(runID)?.usage.promptTokens == 900)
    #expect(throws: PaperSiftError.self) {
      try upgraded.run("UPDATE batches SET usage_estimated = 2 WHERE number = 1")
    }
  }

  @Test func digestMarksEstimatedUsage() throws {
    var input = try DigestTests.night()
    input.usage.estimatedRequests = 2
    let content = DigestBuilder.build(input)

    let markdown = MarkdownDigest.render(content)
    let json = String(decoding: try JSONDigest.encode(content), as: UTF8.self)

    #expect(content.usage.estimatedRequests == 2)
    #expect(
      markdown.contains(
        MarkdownDigest.usageTable(content.usage) + "\n\n**Estimated:** 2 requests have no "
          + "token usage from the server (their response reported none, or their run was killed "
          + "while they waited), so the table counts their tokens by the estimate that --budget "
          + "also uses.\n"))
    #expect(json.contains(#""estimatedRequests" : 2"#))
    #expect(try JSONDigest.decode(Data(json.utf8)) == content)
  }

  @Test func digestWithoutEstimateHasNoMark() throws {
    let content = DigestBuilder.build(try DigestTests.night())

    #expect(content.usage.estimatedRequests == nil)
    #expect(!MarkdownDigest.render(content).contains("**Estimated:**"))
    let json = String(decoding: try JSONDigest.encode(content), as: UTF8.self)
    #expect(!json.contains("estimatedRequests"))
  }

  @Test(arguments: [(1, "1 request"), (5, "5 requests")])
  func summaryMarksEstimatedUsage(requests: Int, text: String) {
    var outcome = NightlyRunOutcome(status: .done, date: "2025-05-05")
    outcome.usage = DigestContent.Usage(
      promptTokens: 1_000, completionTokens: 200, cachedTokens: 0, promptDollars: 0.00015,
      completionDollars: 0.00012, cachedDollars: 0, estimatedRequests: requests)
    outcome.spentUSD = 0.00027

    #expect(
      outcome.summary.hasSuffix(
        "1200 tokens, $0.0003 ($0.0003 this run; the night's total counts \(text) by "
          + "estimate)"))
  }
}
