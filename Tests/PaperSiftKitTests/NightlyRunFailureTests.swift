import Foundation
import Testing

@testable import PaperSiftKit

/// End-to-end runs of `papersift run` against a loopback LLM server that
/// fails every batch the same way, or reports no token usage.
@Suite(.serialized) struct NightlyRunFailureTests {
  /// Runs the first 40 papers of 2025-05-05 with `--top 15` in batches of 5
  /// on `server`, priced as gpt-4o-mini. With the audit sample of 5, 20
  /// papers make 4 batches.
  static func run(
    on server: FakeChatServer, home: URL, extra: [String] = []
  ) throws -> PaperSiftProcess.Result {
    try NightFixtures.configure(
      home: home, llmBaseURL: server.baseURL, batchSize: 5, model: "gpt-4o-mini")
    let day = try NightFixtures.smallDay(40, in: home)
    return try PaperSiftProcess(home: home).run(
      NightFixtures.runArguments(day, ["--top", "15"] + extra))
  }

  static func database(in home: URL) throws -> Database {
    try Database(path: home.appendingPathComponent("papersift.sqlite").path)
  }

  /// Returns the `batches.status` values in `home`'s database, oldest first.
  static func batchStatuses(in home: URL) throws -> [String?] {
    try database(in: home).rows("SELECT status FROM batches ORDER BY id").map { $0.string(0) }
  }

  @Test func missingUsageIsEstimatedAndBudgeted() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let server = try FakeChatServer(replies: [], reportsUsage: false)
    defer { server.stop() }

    let result = try Self.run(on: server, home: home)

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(server.requests.count == 4)
    let database = try Self.database(in: home)
    let row = try #require(
      try database.rows(
        """
        SELECT COUNT(*), SUM(usage_estimated), SUM(prompt_tokens), SUM(completion_tokens),
          SUM(cost_usd)
        FROM batches
        """
      ).first)
    #expect(row.int(0) == 4)
    #expect(row.int(1) == 4)
    // 5 papers a batch at the default 110 output tokens a paper.
    #expect(row.int(3) == 4 * 5 * 110)
    let promptTokens = try #require(row.int(2))
    let dollars = try #require(row.double(4))
    let expectedDollars =
      (Double(promptTokens) * 0.15 + Double(4 * 5 * 110) * 0.60) / 1_000_000
    #expect(abs(dollars - expectedDollars) < 1e-12)
    #expect(try NightFixtures.firstRun(in: home).estimatedBatches == 4)

    let digest = try NightFixtures.digest(in: home)
    #expect(digest.usage.estimatedRequests == 4)
    #expect(digest.usage.totalTokens == promptTokens + 4 * 5 * 110)
    #expect(abs(digest.usage.totalDollars - dollars) < 1e-9)
    let markdown = try NightFixtures.markdown(in: home)
    #expect(
      markdown.contains(
        MarkdownDigest.usageTable(digest.usage) + "\n\n**Estimated:** 4 requests have no "
          + "token usage from the server"))
    #expect(result.errorOutput.contains("LLM response has no usage; its tokens are counted by "))
    let summary = String(format: "$%.4f", digest.usage.totalDollars)
    #expect(
      (result.output + result.errorOutput).contains(
        "\(summary) (\(summary) this run; the night's total counts 4 requests by estimate)"))

    // A budget of one and a half batches, by the first run's estimate, sends one batch.
    let batches = try RunStore(database: database).batches(runID: 1)
    let budget = batches[0].costUSD * 1.5
    let budgetHome = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: budgetHome) }
    let budgeted = try FakeChatServer(replies: [], reportsUsage: false)
    defer { budgeted.stop() }

    let limited = try Self.run(
      on: budgeted, home: budgetHome, extra: ["--budget", String(format: "%.8f", budget)])

    #expect(limited.status == 3, "stderr: \(limited.errorOutput)")
    #expect(budgeted.requests.count == 1)
    let limitedDigest = try NightFixtures.digest(in: budgetHome)
    #expect(limitedDigest.unscored.count == 15)
    #expect(limitedDigest.unscored.allSatisfy { $0.reason == DigestBuilder.budgetReason })
    #expect(limitedDigest.usage.totalDollars <= budget)
    #expect(limitedDigest.usage.totalDollars > 0)
    #expect(
      limited.errorOutput.contains(String(format: "this run, whose --budget is $%.4f;", budget)))
  }

  @Test func budgetBelowFirstBatchSkipsStage() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let server = try FakeChatServer(replies: [])
    defer { server.stop() }

    let result = try Self.run(on: server, home: home, extra: ["--budget", "0"])

    // The papers stay unscored, so the run is partial, but nothing failed.
    #expect(result.status == 3, "stderr: \(result.errorOutput)")
    #expect(server.requests.isEmpty)
    let digest = try NightFixtures.digest(in: home)
    let skipped = try #require(digest.skippedLLM)
    #expect(skipped.failed == nil)
    #expect(
      skipped.reason
        == "no request was sent, because the estimated cost of the first batch would cross "
        + "the budget (--budget)")
    #expect(digest.usage.totalTokens == 0)
    // Exit status 3 promises the unscored papers in the digest: 15 above
    // the cutoff and the 5 of the audit sample, none of them sent.
    #expect(digest.unscored.count == 20)
    #expect(digest.unscored.filter(\.inAuditSample).count == 5)
    for paper in digest.unscored {
      #expect(paper.reason == "not sent, because the budget (--budget) was reached", "\(paper.id)")
    }
    #expect(
      result.errorOutput.contains(
        "LLM stage skipped (no request was sent, because the estimated cost of the first "
          + "batch would cross the budget (--budget))"))
    #expect(!result.errorOutput.contains("LLM stage failed"))
    let markdown = try NightFixtures.markdown(in: home)
    #expect(markdown.contains("**The LLM stage was skipped: no request was sent"))
    #expect(
      markdown.contains(
        "The papers chosen for the LLM, 15 above the cutoff and 5 drawn for the audit, have no "
          + "score."))
    let run = try NightFixtures.firstRun(in: home)
    #expect(run.status == .partial)
    #expect(run.sent == 0)
    #expect(try Self.batchStatuses(in: home).isEmpty)
  }

  @Test func proseAnswersStopTheStage() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let refusal = "I am sorry, I cannot help with that."
    let server = try FakeChatServer { _, _ in .content(refusal) }
    defer { server.stop() }

    let result = try Self.run(on: server, home: home)

    #expect(result.status == 3, "stderr: \(result.errorOutput)")
    #expect(server.requests.count == 2)
    #expect(try Self.batchStatuses(in: home) == ["unusable", "unusable"])
    let database = try Self.database(in: home)
    #expect(try database.rows("SELECT COUNT(*) FROM unscored").first?.int(0) == 20)
    #expect(try database.rows("SELECT COUNT(*) FROM scores").first?.int(0) == 0)

    let sent = Set(server.idsPerRequest.flatMap { $0 })
    let digest = try NightFixtures.digest(in: home)
    let cause = "no paper got a score, and the first cause was: answer was not JSON"
    #expect(digest.skippedLLM?.reason == cause)
    #expect(digest.skippedLLM?.requestsFailed == true)
    #expect(digest.unscored.count == 20)
    for paper in digest.unscored {
      if sent.contains(paper.id) {
        #expect(paper.reason == "answer was not JSON", "\(paper.id)")
      } else {
        #expect(
          paper.reason.hasPrefix("not sent: the answers to 2 batches in a row were not JSON"),
          "\(paper.id)")
      }
    }
    #expect(sent.count == 10)
    let markdown = try NightFixtures.markdown(in: home)
    #expect(markdown.contains("**The LLM stage failed: \(cause).**"))
    #expect(
      markdown.contains(
        "No paper got a score in this run. What the night's requests cost, earlier runs' "
          + "included:"))
    #expect(!markdown.contains("missing from answer"))
    #expect(
      result.errorOutput.contains(
        "cause=\"answer was not JSON\" answer_start=\"\(refusal)\""))
    #expect(result.errorOutput.contains("Stopping the LLM stage; later batches are not sent"))
    #expect((result.output + result.errorOutput).contains("LLM stage failed (\(cause))"))
  }

  @Test func serverErrorsStopTheStage() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let server = try FakeChatServer { _, _ in .serverError("upstream down") }
    defer { server.stop() }

    let result = try Self.run(on: server, home: home)

    #expect(result.status == 3, "stderr: \(result.errorOutput)")
    // Two attempts for each of the first two batches, none for the other two.
    #expect(server.requests.count == 4)
    #expect(try Self.batchStatuses(in: home) == ["failed", "failed"])

    let digest = try NightFixtures.digest(in: home)
    #expect(
      digest.skippedLLM?.reason.hasPrefix(
        "no paper got a score, and the first cause was: Request to ") == true)
    let stopped = digest.unscored.filter { $0.reason.hasPrefix("not sent: ") }
    #expect(stopped.count == 10)
    let markdown = try NightFixtures.markdown(in: home)
    #expect(
      markdown.contains(
        "not sent: the server at \(server.baseURL)/chat/completions answered HTTP status 500 "
          + "to 2 batches in a row, after 2 attempts each"))
  }

  @Test func failedRunOverStoredScoresReportsFailure() throws {
    let night = try SmallNight(papers: 40)
    defer { night.close() }
    let (scored, _, _) = try night.scoreOnce()
    // The next run chooses more papers, and every request for them fails.
    let failing = try FakeChatServer { _, _ in .errorStatus(404, body: "no such model") }
    defer { failing.stop() }
    try NightFixtures.configure(home: night.home, llmBaseURL: failing.baseURL)

    let result = try PaperSiftProcess(home: night.home).run(
      NightFixtures.runArguments(night.day, ["--top", "24"]))

    #expect(scored.status == 0, "stderr: \(scored.errorOutput)")
    #expect(result.status == 3, "stderr: \(result.errorOutput)")
    #expect(!failing.requests.isEmpty)
    let digest = try NightFixtures.digest(in: night.home)
    #expect(digest.skippedLLM == nil)
    let reason = try #require(digest.failedRequestsReason)
    #expect(reason.hasPrefix("no paper got a score, and the first cause was: "), "\(reason)")
    #expect(reason.contains("404"), "\(reason)")
    let markdown = try NightFixtures.markdown(in: night.home)
    #expect(
      markdown.contains(
        "**The LLM stage failed this run: \(MarkdownDigest.withoutFinalPeriod(reason)).** The "
          + "scores below were stored by earlier runs of this night, and the papers that got no "
          + "score are listed at the end."))
  }

  @Test(arguments: [(FakeReply.noChoices, true), (FakeReply.eventStream, false)])
  func unusableResponsesStopAndArePaid(reply: FakeReply, reportsUsage: Bool) throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    // A response that reports usage reports 1000 prompt and 100 completion
    // tokens, $0.00021 at gpt-4o-mini's $0.15 and $0.60 per million.
    let server = try FakeChatServer(
      replies: [], then: reply, usage: TokenUsage(promptTokens: 1_000, completionTokens: 100),
      reportsUsage: reportsUsage)
    defer { server.stop() }

    let result = try Self.run(on: server, home: home)

    #expect(result.status == 3, "stderr: \(result.errorOutput)")
    // Of the 4 batches, the two responses stop the stage before the third.
    #expect(server.requests.count == 2)
    #expect(try Self.batchStatuses(in: home) == ["unusable", "unusable"])
    let digest = try NightFixtures.digest(in: home)
    #expect(digest.skippedLLM?.requestsFailed == true)
    #expect(digest.unscored.count == 20)
    let unsent = digest.unscored.filter { $0.reason.hasPrefix("not sent: the server at ") }
    #expect(unsent.count == 10)
    let markdown = try NightFixtures.markdown(in: home)
    #expect(
      markdown.contains(
        "No paper got a score in this run. What the night's requests cost, earlier runs' "
          + "included:\n\n" + MarkdownDigest.usageTable(digest.usage)))
    #expect(!markdown.contains("so the digest counts no cost"))
    if reportsUsage {
      #expect(digest.usage.promptTokens == 2_000)
      #expect(digest.usage.completionTokens == 200)
      #expect(abs(digest.usage.totalDollars - 0.000_42) < 1e-12)
      #expect(digest.usage.estimatedRequests == nil)
      #expect(result.errorOutput.contains("2200 tokens, $0.0004 ($0.0004 this run)"))
    } else {
      // 5 papers a batch at the default 110 output tokens a paper.
      #expect(digest.usage.completionTokens == 2 * 5 * 110)
      #expect(digest.usage.promptTokens > 0)
      #expect(digest.usage.estimatedRequests == 2)
      #expect(markdown.contains("**Estimated:** 2 requests have no token usage from the server"))
    }
  }
}
