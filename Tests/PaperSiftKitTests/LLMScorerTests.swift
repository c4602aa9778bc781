import Foundation
import Testing

@testable import PaperSiftKit

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct LLMScorerTests {
  struct Setup {
    let server: FakeChatServer
    let database: Database
    let runID: Int64
    var settings: LLMSettings

    func scorer(topics: String = ScoringFixtures.topics, environment: [String: String] = [:])
      throws -> LLMScorer
    {
      try LLMScorer(
        settings: settings, topics: topics, database: database, environment: environment)
    }

    func count(_ sql: String) throws -> Int {
      try database.rows(sql).first?.int(0) ?? -1
    }
  }

  static func setup(_ server: FakeChatServer, batchSize: Int = 20) throws -> Setup {
    let database = try ScoringFixtures.database()
    let runID = try RunStore(database: database).startRun(date: "2025-05-05", model: "gpt-4o-mini")
    return Setup(
      server: server, database: database, runID: runID,
      settings: ScoringFixtures.settings(for: server, batchSize: batchSize))
  }

  static func expectScoresFromServer(_ result: ScoringResult, _ papers: [Paper]) {
    #expect(result.scores.map(\.paperID) == papers.map(\.id))
    for score in result.scores {
      #expect(score.relevance == FakeChatServer.relevance(of: score.paperID))
      #expect(score.novelty == FakeChatServer.novelty(of: score.paperID))
    }
  }

  @Test func scoresEveryPaperInBatches() throws {
    let server = try FakeChatServer(replies: [.wellFormed, .fenced, .jsonObject])
    defer { server.stop() }
    let setup = try Self.setup(server)
    let papers = ScoringFixtures.papers(45)
    let result = try setup.scorer().score(papers, runID: setup.runID)

    #expect(server.idsPerRequest.map(\.count) == [20, 20, 5])
    #expect(server.idsPerRequest.flatMap { $0 } == papers.map(\.id))
    Self.expectScoresFromServer(result, papers)
    #expect(result.unscored.isEmpty)
    #expect(result.requests == 3)
    #expect(try setup.count("SELECT COUNT(*) FROM scores") == 45)
    #expect(try setup.count("SELECT COUNT(*) FROM scores WHERE batch_id IS NULL") == 0)
  }

  @Test func usageAndCostAreStoredPerBatchAndRun() throws {
    let server = try FakeChatServer(replies: [])
    defer { server.stop() }
    let setup = try Self.setup(server, batchSize: 10)
    let result = try setup.scorer().score(ScoringFixtures.papers(25), runID: setup.runID)

    let batches = try RunStore(database: setup.database).batches(runID: setup.runID)
    #expect(batches.map(\.number) == [1, 2, 3])
    #expect(batches.map(\.papers) == [10, 10, 5])
    #expect(batches.map(\.status) == [.ok, .ok, .ok])
    let summed = batches.map(\.usage).reduce(TokenUsage.zero, +)
    #expect(summed == result.usage)
    #expect(result.usage.cachedPromptTokens > 0)
    #expect(batches[0].usage.cachedPromptTokens == 0)
    let price = try #require(PriceTable.builtIn.price(for: "gpt-4o-mini"))
    for batch in batches {
      #expect(abs(batch.costUSD - price.cost(of: batch.usage)) < 1e-12)
      #expect(batch.estimatedPromptTokens > 0)
      #expect(batch.estimatedCostUSD > 0)
    }
    #expect(abs(result.costUSD - batches.map(\.costUSD).reduce(0, +)) < 1e-12)
    let run = try #require(try RunStore(database: setup.database).run(setup.runID))
    #expect(run.usage == result.usage)
    #expect(abs(run.costUSD - result.costUSD) < 1e-12)
  }

  @Test func reRunSendsNoRequest() throws {
    let server = try FakeChatServer(replies: [])
    defer { server.stop() }
    let setup = try Self.setup(server)
    let papers = ScoringFixtures.papers(30)
    let first = try setup.scorer().score(papers, runID: setup.runID)
    let sent = server.requests.count

    let second = try setup.scorer().score(papers, runID: setup.runID)
    #expect(sent == 2)
    #expect(server.requests.count == sent)
    #expect(second.requests == 0)
    #expect(second.scores == first.scores)
    #expect(second.cachedIDs == papers.map(\.id))
    #expect(second.usage == .zero)
    #expect(second.costUSD == 0)
  }

  @Test func changedTopicsScoreAgain() throws {
    let server = try FakeChatServer(replies: [])
    defer { server.stop() }
    let setup = try Self.setup(server)
    let papers = ScoringFixtures.papers(3)
    let first = try setup.scorer()
    _ = try first.score(papers, runID: setup.runID)
    let second = try setup.scorer(topics: "## Relevant Topics\n\nQuantization only.\n")
    let result = try second.score(papers, runID: setup.runID)
    #expect(first.promptHash != second.promptHash)
    #expect(result.requests == 1)
    #expect(server.requests.count == 2)
    #expect(try setup.count("SELECT COUNT(DISTINCT prompt_hash) FROM scores") == 2)
  }

  @Test func noPapersSendsNothing() throws {
    let server = try FakeChatServer(replies: [])
    defer { server.stop() }
    let setup = try Self.setup(server)
    let result = try setup.scorer().score([], runID: setup.runID, budgetUSD: 1)
    #expect(server.requests.isEmpty)
    #expect(result.scores.isEmpty)
    #expect(result.unscored.isEmpty)
    #expect(result.requests == 0)
  }

  @Test func duplicatePapersAreSentOnce() throws {
    let server = try FakeChatServer(replies: [])
    defer { server.stop() }
    let setup = try Self.setup(server)
    let papers = ScoringFixtures.papers(3)
    let result = try setup.scorer().score(papers + papers, runID: setup.runID)
    #expect(server.idsPerRequest == [papers.map(\.id)])
    #expect(result.scores.count == 3)
  }

  @Test func missingPaperIsResentOnceThenUnscored() throws {
    let lost = "2505.10007"
    let server = try FakeChatServer { _, _ in .missing(lost) }
    defer { server.stop() }
    let setup = try Self.setup(server, batchSize: 10)
    let papers = ScoringFixtures.papers(10)
    let result = try setup.scorer().score(papers, runID: setup.runID)

    #expect(server.idsPerRequest == [papers.map(\.id), [lost]])
    #expect(result.unscored == [UnscoredPaper(paperID: lost, reason: "missing from answer")])
    #expect(result.scores.count == 9)
    let stored = try ScoreStore(database: setup.database).unscored(runID: setup.runID)
    #expect(stored == result.unscored)
  }

  @Test func missingPaperFoundOnRetryIsScored() throws {
    let server = try FakeChatServer(replies: [.missing("2505.10002")])
    defer { server.stop() }
    let setup = try Self.setup(server)
    let papers = ScoringFixtures.papers(4)
    let result = try setup.scorer().score(papers, runID: setup.runID)
    #expect(server.idsPerRequest == [papers.map(\.id), ["2505.10002"]])
    Self.expectScoresFromServer(result, papers)
    #expect(result.unscored.isEmpty)
  }

  @Test func leftOutPapersAreResentInFullBatches() throws {
    let server = try FakeChatServer { number, ids in
      number == 1
        ? .content(ids.prefix(2).map { FakeChatServer.line(for: $0) }.joined()) : .wellFormed
    }
    defer { server.stop() }
    let setup = try Self.setup(server, batchSize: 10)
    let papers = ScoringFixtures.papers(10)
    let result = try setup.scorer().score(papers, runID: setup.runID)
    #expect(server.idsPerRequest.map(\.count) == [10, 8])
    Self.expectScoresFromServer(result, papers)
  }

  @Test func cutOffPapersAreResentInHalves() throws {
    let server = try FakeChatServer(replies: [.cutAtLength(keep: 2)])
    defer { server.stop() }
    let setup = try Self.setup(server, batchSize: 10)
    let papers = ScoringFixtures.papers(10)
    let result = try setup.scorer().score(papers, runID: setup.runID)
    #expect(server.idsPerRequest.map(\.count) == [10, 5, 3])
    #expect(server.idsPerRequest.dropFirst().flatMap { $0 } == papers.dropFirst(2).map(\.id))
    Self.expectScoresFromServer(result, papers)
  }

  @Test func scoreOfElevenEndsAsInvalidScore() throws {
    let server = try FakeChatServer { _, _ in .scoreOfEleven("2505.10001") }
    defer { server.stop() }
    let setup = try Self.setup(server)
    let result = try setup.scorer().score(ScoringFixtures.papers(3), runID: setup.runID)
    #expect(server.requests.count == 2)
    #expect(result.unscored == [UnscoredPaper(paperID: "2505.10001", reason: "invalid score")])
    #expect(try setup.count("SELECT COUNT(*) FROM scores WHERE paper_id = '2505.10001'") == 0)
  }

  @Test func repeatedIDIsLoggedFirstKept() throws {
    let repeated = "2505.10002"
    let server = try FakeChatServer { _, ids in
      let lines = ids.map { FakeChatServer.line(for: $0) }
      return .content((lines + [FakeChatServer.line(for: repeated, relevance: 1)]).joined())
    }
    defer { server.stop() }
    let setup = try Self.setup(server)
    let papers = ScoringFixtures.papers(3)
    var result: ScoringResult?

    let log = try captureStandardError {
      result = try setup.scorer().score(papers, runID: setup.runID)
    }

    let outcome = try #require(result)
    Self.expectScoresFromServer(outcome, papers)
    #expect(server.requests.count == 1)
    // The repeated entry's relevance of 1 conflicts with the kept 6, so the
    // warning names both.
    #expect(FakeChatServer.relevance(of: repeated) == 6)
    #expect(
      log.contains(
        "LLM answer gives a paper conflicting scores; its first valid entry is kept batch=1 "
          + "paper=\(repeated) kept=\"RELEVANCE 6, NOVELTY 6\" "
          + "ignored=\"RELEVANCE 1, NOVELTY 6\"\n"), "stderr: \(log)")
    #expect(!log.contains("lists a paper more than once"), "stderr: \(log)")
  }

  @Test func truncatedAnswerResendsItsLastPaper() throws {
    let server = try FakeChatServer(replies: [.truncatedMidLine])
    defer { server.stop() }
    let setup = try Self.setup(server)
    let papers = ScoringFixtures.papers(5)
    let result = try setup.scorer().score(papers, runID: setup.runID)
    #expect(server.idsPerRequest.last == ["2505.10005"])
    Self.expectScoresFromServer(result, papers)
  }

  @Test func foreignIDsAreIgnored() throws {
    let server = try FakeChatServer(replies: [.foreignIDs])
    defer { server.stop() }
    let setup = try Self.setup(server)
    let result = try setup.scorer().score(ScoringFixtures.papers(3), runID: setup.runID)
    #expect(result.scores.count == 3)
    #expect(server.requests.count == 1)
    #expect(try setup.count("SELECT COUNT(*) FROM scores") == 3)
  }

  @Test func failedBatchLeavesOthersGoing() throws {
    let server = try FakeChatServer { _, ids in
      ids.contains("2505.10001") ? .serverError("upstream overloaded") : .wellFormed
    }
    defer { server.stop() }
    var setup = try Self.setup(server, batchSize: 5)
    setup.settings.maxAttempts = 2
    let papers = ScoringFixtures.papers(10)
    let result = try setup.scorer().score(papers, runID: setup.runID)

    #expect(server.requests.count == 3)
    #expect(result.scores.map(\.paperID) == papers.suffix(5).map(\.id))
    #expect(result.unscored.map(\.paperID) == papers.prefix(5).map(\.id))
    for paper in result.unscored {
      #expect(paper.reason.hasPrefix("request failed: Request to http://127.0.0.1"))
      #expect(paper.reason.contains("HTTP status 500"))
    }
    let batches = try RunStore(database: setup.database).batches(runID: setup.runID)
    #expect(batches.map(\.status) == [.failed, .ok])
    #expect(batches[0].error?.contains("upstream overloaded") == true)
  }

  @Test func unusableAnswerKeepsItsTokens() throws {
    // The first response gives every paper a relevance of 11, so its papers
    // are not sent again. The second batch gets valid scores.
    let server = try FakeChatServer { number, ids in
      guard number == 1 else { return .wellFormed }
      return .content(
        ids.map { FakeChatServer.line(for: $0, relevance: 11) }.joined(separator: "\n"))
    }
    defer { server.stop() }
    let setup = try Self.setup(server, batchSize: 3)
    let papers = ScoringFixtures.papers(6)
    let result = try setup.scorer().score(papers, runID: setup.runID)

    Self.expectScoresFromServer(result, Array(papers.suffix(3)))
    #expect(result.unscored.map(\.paperID) == papers.prefix(3).map(\.id))
    #expect(result.unscored.allSatisfy { $0.reason == "invalid score" })
    let batches = try RunStore(database: setup.database).batches(runID: setup.runID)
    #expect(batches.map(\.status) == [.unusable, .ok])
    #expect(batches.map(\.papers) == [3, 3])
    #expect(batches[0].usage.promptTokens > 0)
    #expect(batches[0].costUSD > 0)
    #expect(batches[0].error == nil)
    let run = try #require(try RunStore(database: setup.database).run(setup.runID))
    #expect(run.usage == batches.map(\.usage).reduce(TokenUsage.zero, +))
    #expect(run.usage == result.usage)
    #expect(
      try setup.count("SELECT COUNT(*) FROM batches WHERE status = 'unusable'") == 1)
  }

  @Test func runCountsSentAndScoredPapers() throws {
    // Batch 1 fails. Batch 2 misses 2505.10007 twice, so its retry is unusable.
    let server = try FakeChatServer { _, ids in
      ids.contains("2505.10001") ? .serverError("overloaded") : .missing("2505.10007")
    }
    defer { server.stop() }
    var setup = try Self.setup(server, batchSize: 5)
    setup.settings.maxAttempts = 1
    let result = try setup.scorer().score(ScoringFixtures.papers(10), runID: setup.runID)

    #expect(server.idsPerRequest.map(\.count) == [5, 5, 1])
    #expect(result.scores.count == 4)
    let batches = try RunStore(database: setup.database).batches(runID: setup.runID)
    #expect(batches.map(\.status) == [.failed, .ok, .unusable])
    let run = try #require(try RunStore(database: setup.database).run(setup.runID))
    // The 5 papers of batch 2 got a response, and 2505.10007 counts once although sent twice.
    #expect(run.sent == 5)
    #expect(run.scored == 4)
  }

  @Test func storedScoresAreNotCountedAgain() throws {
    let server = try FakeChatServer(replies: [])
    defer { server.stop() }
    let setup = try Self.setup(server, batchSize: 4)
    let store = RunStore(database: setup.database)
    _ = try setup.scorer().score(ScoringFixtures.papers(3), runID: setup.runID)
    let second = try store.startRun(date: "2025-05-05", model: "gpt-4o-mini")
    _ = try setup.scorer().score(ScoringFixtures.papers(5), runID: second)

    #expect(try store.run(setup.runID)?.sent == 3)
    #expect(try store.run(setup.runID)?.scored == 3)
    #expect(try store.run(second)?.sent == 2)
    #expect(try store.run(second)?.scored == 2)
  }

  /// Scores 9 papers in batches of 3 on `server` and returns the result.
  static func scoreNine(
    on server: FakeChatServer, settings adjust: (inout LLMSettings) -> Void = { _ in }
  ) throws -> (Setup, ScoringResult) {
    var setup = try Self.setup(server, batchSize: 3)
    setup.settings.apiKeyVariable = "PAPERSIFT_TEST_KEY"
    setup.settings.maxAttempts = 2
    adjust(&setup.settings)
    let scorer = try setup.scorer(environment: ["PAPERSIFT_TEST_KEY": "sk-test-key"])
    return (setup, try scorer.score(ScoringFixtures.papers(9), runID: setup.runID))
  }

  @Test func rejectedKeyStopsLaterBatches() throws {
    let server = try FakeChatServer { number, _ in
      number == 1 ? .missing("2505.10002") : .errorEchoingKey(status: 401)
    }
    defer { server.stop() }
    let (setup, result) = try Self.scoreNine(on: server)

    #expect(server.requests.count == 2)
    #expect(result.scores.map(\.paperID) == ["2505.10001", "2505.10003"])
    let reasons = Dictionary(uniqueKeysWithValues: result.unscored.map { ($0.paperID, $0.reason) })
    for id in ["2505.10004", "2505.10005", "2505.10006"] {
      #expect(reasons[id]?.hasPrefix("request failed: Request to ") == true, "\(id)")
      #expect(reasons[id]?.contains("HTTP status 401") == true, "\(id)")
    }
    // The answer to batch 1 left 2505.10002 out, and the stop keeps it from
    // being sent again, so it keeps that reason.
    #expect(reasons["2505.10002"] == "missing from answer")
    for id in ["2505.10007", "2505.10008", "2505.10009"] {
      #expect(
        reasons[id]?.hasPrefix("not sent: the server at \(server.baseURL)") == true, "\(id)")
      #expect(reasons[id]?.contains("rejected the API key") == true, "\(id)")
      #expect(reasons[id]?.contains("PAPERSIFT_TEST_KEY") == true, "\(id)")
    }
    #expect(result.unscored.allSatisfy { !$0.reason.contains("sk-test-key") })
    let stored = try ScoreStore(database: setup.database).unscored(runID: setup.runID)
    #expect(stored.sorted { $0.paperID < $1.paperID } == result.unscored)
    #expect(try setup.count("SELECT COUNT(*) FROM scores") == 2)
  }

  @Test func exhaustedQuotaStopsLaterBatches() throws {
    let server = try FakeChatServer(replies: [.wellFormed], then: .quotaExhausted)
    defer { server.stop() }
    let (setup, result) = try Self.scoreNine(on: server)

    #expect(server.requests.count == 2)
    #expect(result.scores.map(\.paperID) == ["2505.10001", "2505.10002", "2505.10003"])
    #expect(try setup.count("SELECT COUNT(*) FROM scores") == 3)
    #expect(result.unscored.map(\.paperID) == ScoringFixtures.papers(9).suffix(6).map(\.id))
    for paper in result.unscored.prefix(3) {
      #expect(paper.reason.hasPrefix("request failed: "))
      #expect(paper.reason.contains("no quota left (insufficient_quota)"))
    }
    for paper in result.unscored.suffix(3) {
      #expect(paper.reason.hasPrefix("not sent: the server at \(server.baseURL)"))
      #expect(paper.reason.contains("plan and billing"))
    }
  }

  @Test func longRetryAfterStopsLaterBatches() throws {
    let server = try FakeChatServer(replies: [.wellFormed], then: .rateLimited(retryAfter: 600))
    defer { server.stop() }
    let (setup, result) = try Self.scoreNine(on: server)

    #expect(server.requests.count == 2)
    #expect(try setup.count("SELECT COUNT(*) FROM scores") == 3)
    #expect(result.unscored.map(\.paperID) == ScoringFixtures.papers(9).suffix(6).map(\.id))
    for paper in result.unscored.prefix(3) {
      #expect(paper.reason.hasPrefix("request failed: "))
      #expect(paper.reason.contains("requested a wait of 600 s (Retry-After)"))
      #expect(!paper.reason.contains("The server is rate-limiting; wait and retry"))
    }
    for paper in result.unscored.suffix(3) {
      #expect(paper.reason.hasPrefix("not sent: the server at \(server.baseURL)"))
      #expect(paper.reason.contains("more than the 120 s that llm.maxRetryAfter allows"))
    }
  }

  @Test func unreachableServerStopsLaterBatches() throws {
    let server = try FakeChatServer(replies: [.wellFormed], then: .tooSlow(2))
    defer { server.stop() }
    var scored: ScoringResult?
    let log = try captureStandardError {
      scored = try Self.scoreNine(on: server) { settings in
        settings.requestTimeout = 0.3
      }.1
    }
    let result = try #require(scored)
    // Tests running meanwhile write to the same standard error, so only the
    // lines that name this test's server count.
    let own = log.split(separator: "\n").filter { $0.contains(server.baseURL) }

    // The first batch gets a response, the second times out on both attempts.
    #expect(server.requests.count == 3)
    let retry = own.first { $0.contains("LLM request failed; retrying attempt=1") }
    #expect(retry?.contains("raise llm.requestTimeout (now 0.3 s)") == true)
    #expect(!own.contains { $0.contains("raise the timeout") })
    #expect(
      own.contains { $0.contains("Stopping the LLM stage; later batches are not sent batch=2") })
    #expect(result.scores.map(\.paperID) == ["2505.10001", "2505.10002", "2505.10003"])
    #expect(result.unscored.map(\.paperID) == ScoringFixtures.papers(9).suffix(6).map(\.id))
    for paper in result.unscored.prefix(3) {
      #expect(paper.reason.contains("timed out"))
      #expect(paper.reason.contains("raise llm.requestTimeout (now 0.3 s)"))
    }
    for paper in result.unscored.suffix(3) {
      #expect(paper.reason.hasPrefix("not sent: the server at \(server.baseURL)"))
      #expect(paper.reason.contains("on all 2 attempts"))
      #expect(paper.reason.contains("llm.baseURL"))
      #expect(paper.reason.contains("llm.requestTimeout (now 0.3 s)"))
      #expect(paper.reason.contains("llm.maxAttempts (now 2)"))
    }
  }

  @Test func serverErrorDoesNotStopRun() throws {
    let server = try FakeChatServer { number, _ in
      number <= 2 ? .serverError("overloaded") : .wellFormed
    }
    defer { server.stop() }
    let (_, result) = try Self.scoreNine(on: server)

    #expect(server.requests.count == 4)
    #expect(result.scores.count == 6)
    #expect(result.unscored.allSatisfy { $0.reason.contains("HTTP status 500") })
  }

  @Test func budgetStopsBatchThatWouldCrossIt() throws {
    let probe = try Self.setup(try FakeChatServer(replies: []), batchSize: 10)
    let papers = ScoringFixtures.papers(30)
    let estimate = try probe.scorer().estimate(Array(papers.prefix(10)))
    // Each response reports exactly the estimated tokens, so it costs the estimate.
    let usage = TokenUsage(
      promptTokens: estimate.tokens, completionTokens: 10 * probe.settings.outputTokensPerPaper)
    let server = try FakeChatServer(replies: [], usage: usage)
    defer { server.stop() }
    let setup = try Self.setup(server, batchSize: 10)
    let budget = estimate.costUSD * 1.5
    let result = try setup.scorer().score(papers, runID: setup.runID, budgetUSD: budget)

    #expect(server.requests.count == 1)
    #expect(result.scores.map(\.paperID) == papers.prefix(10).map(\.id))
    #expect(result.unscored.map(\.paperID) == papers.suffix(20).map(\.id))
    #expect(result.unscored.allSatisfy { $0.reason == "budget" })
    #expect(result.costUSD <= budget)
    #expect(abs(result.costUSD - estimate.costUSD) < 1e-9)
    #expect(try setup.count("SELECT COUNT(*) FROM unscored WHERE reason = 'budget'") == 20)
  }

  @Test func laterEstimatesFollowReportedTokens() throws {
    let probe = try Self.setup(try FakeChatServer(replies: []), batchSize: 10)
    let papers = ScoringFixtures.papers(30)
    let raw = try probe.scorer().estimate(Array(papers.prefix(10))).tokens
    // The server reports twice the estimated prompt tokens.
    let server = try FakeChatServer(
      replies: [], usage: TokenUsage(promptTokens: 2 * raw, completionTokens: 100))
    defer { server.stop() }
    let setup = try Self.setup(server, batchSize: 10)
    _ = try setup.scorer().score(papers, runID: setup.runID)

    let batches = try RunStore(database: setup.database).batches(runID: setup.runID)
    let scorer = try probe.scorer()
    let rawPerBatch = [0, 10, 20].map { scorer.estimate(Array(papers[$0..<($0 + 10)])).tokens }
    #expect(batches[0].estimatedPromptTokens == rawPerBatch[0])
    for index in 1...2 {
      let scale = Double(batches[index].estimatedPromptTokens) / Double(rawPerBatch[index])
      #expect(abs(scale - 2) < 0.02, "batch \(index + 1) scaled by \(scale)")
    }
  }

  @Test func zeroBudgetSendsNothing() throws {
    let server = try FakeChatServer(replies: [])
    defer { server.stop() }
    let setup = try Self.setup(server)
    let result = try setup.scorer().score(
      ScoringFixtures.papers(3), runID: setup.runID, budgetUSD: 0)
    #expect(server.requests.isEmpty)
    #expect(result.unscored.count == 3)
  }

  @Test func budgetNeedsAPrice() throws {
    var settings = LLMSettings()
    settings.baseURL = "https://llm.invalid/v1"
    settings.model = "mystery-model"
    settings.apiKeyVariable = "PAPERSIFT_TEST_KEY"
    let scorer = try LLMScorer(
      settings: settings, topics: "t", database: try ScoringFixtures.database(),
      environment: ["PAPERSIFT_TEST_KEY": "sk-x"])
    #expect(scorer.price == nil)
    let error = #expect(throws: PaperSiftError.self) {
      try scorer.score(ScoringFixtures.papers(1), runID: 1, budgetUSD: 1)
    }
    #expect(error?.message.contains("mystery-model") == true)
  }

  @Test(arguments: [
    ("http://127.0.0.1:8080/v1", "mystery-model", true),
    ("http://localhost:11434/v1", "gpt-4o-mini", false),
    ("https://llm.invalid/v1", "mystery-model", false),
  ])
  func unlistedLocalModelIsAssumedFree(baseURL: String, model: String, assumedFree: Bool) throws {
    var settings = LLMSettings()
    settings.baseURL = baseURL
    settings.model = model
    settings.apiKeyVariable = "PAPERSIFT_TEST_KEY"
    let scorer = try LLMScorer(
      settings: settings, topics: "t", database: try ScoringFixtures.database(),
      environment: ["PAPERSIFT_TEST_KEY": "sk-x"])
    #expect(scorer.priceAssumedFree == assumedFree)
  }

  @Test func scoresAreCommittedAsEachBatchArrives() throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("papersift-scoring-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let path = folder.appendingPathComponent("papersift.sqlite").path
    let seen = Counter()
    let committed = LockedValue(-1)
    let counted = LockedValue<[Int?]>([])
    let server = try FakeChatServer { number, _ in
      if number == 2 {
        // Another connection, as a later process would open it after a kill.
        let other = try? Database(path: path)
        let rows = try? other?.rows("SELECT COUNT(*) FROM scores").first?.int(0)
        committed.set(rows ?? -2)
        let run = try? other?.rows("SELECT sent, scored FROM runs").first
        counted.set([run?.int(0), run?.int(1)])
        _ = seen.increment()
        return .serverError("killed")
      }
      return .wellFormed
    }
    defer { server.stop() }
    let database = try Database(path: path)
    let runID = try RunStore(database: database).startRun(date: "2025-05-05")
    var settings = ScoringFixtures.settings(for: server, batchSize: 4)
    settings.maxAttempts = 1
    let scorer = try LLMScorer(
      settings: settings, topics: ScoringFixtures.topics, database: database, environment: [:])
    _ = try scorer.score(ScoringFixtures.papers(8), runID: runID)
    #expect(committed.get() == 4)
    // The paid batch is counted before the next request goes out.
    #expect(counted.get() == [4, 4])
    let run = try #require(try RunStore(database: database).run(runID))
    #expect(run.usage.promptTokens > 0)
  }

  @Test func trainingLabelsComeFromStoredScores() throws {
    let server = try FakeChatServer(replies: [])
    defer { server.stop() }
    let setup = try Self.setup(server)
    let papers = ScoringFixtures.papers(6)
    _ = try setup.scorer().score(papers, runID: setup.runID)
    _ = try setup.scorer(topics: "other").score(Array(papers.prefix(2)), runID: setup.runID)

    let labels = try ScoreStore(database: setup.database).trainingLabels()
    #expect(labels.map(\.paperID) == papers.map(\.id))
    for label in labels {
      #expect(label.relevance == FakeChatServer.relevance(of: label.paperID))
      #expect(label.novelty == FakeChatServer.novelty(of: label.paperID))
    }
    #expect(try ScoreStore(database: setup.database).trainingLabels(model: "other-model").isEmpty)
  }

  @Test func runIsStartedAndFinished() throws {
    let database = try ScoringFixtures.database()
    let store = RunStore(database: database)
    let id = try store.startRun(date: "2025-05-05", model: "gpt-4o-mini", budgetUSD: 0.5)
    #expect(try store.run(id)?.status == .running)
    try store.finishRun(id, status: .partial, summary: RunSummary(papers: 176, aboveCutoff: 40))
    let run = try #require(try store.run(id))
    #expect(run.status == .partial)
    #expect(run.finished != nil)
    #expect(run.date == "2025-05-05")
    #expect(run.papers == 176)
    #expect(run.aboveCutoff == 40)
    // Nothing was sent, and the summary does not set the counts that batches add to.
    #expect(run.sent == 0)
    #expect(run.scored == 0)
    let row = try #require(
      try database.rows("SELECT papers, above_cutoff, budget_usd FROM runs").first)
    #expect(row.int(0) == 176)
    #expect(row.int(1) == 40)
    #expect(row.double(2) == 0.5)
  }

  @Test func apiKeyNeverLeaks() throws {
    let key = "sk-papersift-secret-\(UUID().uuidString)"
    let variable = "PAPERSIFT_SECRET_TEST_KEY"
    // The 401 comes last, because it stops the run: the paper missing from
    // the second response is then not sent again.
    let server = try FakeChatServer { _, ids in
      if ids.contains("2505.10001") { return .errorEchoingKey(status: 500) }
      if ids.contains("2505.10004") { return .missing("2505.10006") }
      if ids.contains("2505.10007") { return .errorEchoingKey(status: 401) }
      return .wellFormed
    }
    defer { server.stop() }
    let database = try ScoringFixtures.database()
    let runID = try RunStore(database: database).startRun(date: "2025-05-05")
    var settings = ScoringFixtures.settings(for: server, batchSize: 3)
    settings.apiKeyVariable = variable
    settings.maxAttempts = 2

    let previousLevel = Logger.minimumLevel
    Logger.minimumLevel = .debug
    defer { Logger.minimumLevel = previousLevel }
    var result: ScoringResult?
    let log = try captureStandardError {
      let scorer = try LLMScorer(
        settings: settings, topics: ScoringFixtures.topics, database: database,
        environment: [variable: key])
      result = try scorer.score(ScoringFixtures.papers(9), runID: runID)
    }
    let outcome = try #require(result)

    #expect(server.requests.first?.headers["authorization"] == "Bearer \(key)")
    #expect(log.contains("Bearer [redacted]"))
    #expect(!log.contains(key))
    #expect(outcome.unscored.count == 7)
    for paper in outcome.unscored { #expect(!paper.reason.contains(key)) }
    #expect(outcome.unscored.contains { $0.reason.contains("[redacted]") })
    for suffix in ["", "-wal", "-shm"] {
      let bytes = (try? Data(contentsOf: URL(fileURLWithPath: database.path + suffix))) ?? Data()
      #expect(bytes.range(of: Data(key.utf8)) == nil, "key found in database file\(suffix)")
    }
    #expect(
      try database.rows("SELECT COUNT(*) FROM batches WHERE error LIKE '%[redacted]%'")
        .first?.int(0) == 2)
  }
}

/// Serializes ``captureStandardError(_:)``, because each call swaps the
/// process's file descriptor 2 and concurrent tests would restore each
/// other's file.
private let standardErrorCapture = NSLock()

/// Runs `body` with file descriptor 2 sent to a temporary file and returns
/// what was written there, output of other tests running meanwhile included.
func captureStandardError(_ body: () throws -> Void) throws -> String {
  standardErrorCapture.lock()
  defer { standardErrorCapture.unlock() }
  let url = FileManager.default.temporaryDirectory
    .appendingPathComponent("stderr-\(UUID().uuidString).log")
  _ = FileManager.default.createFile(atPath: url.path, contents: nil)
  defer { try? FileManager.default.removeItem(at: url) }
  let file = open(url.path, O_WRONLY)
  let saved = dup(2)
  dup2(file, 2)
  close(file)
  do {
    try body()
  } catch {
    dup2(saved, 2)
    close(saved)
    throw error
  }
  dup2(saved, 2)
  close(saved)
  return try String(contentsOf: url, encoding: .utf8)
}

/// A value shared between a server thread and a test.
final class LockedValue<Value: Sendable>: @unchecked Sendable {
  private let lock = NSLock()
  private var value: Value

  init(_ value: Value) { self.value = value }

  func get() -> Value {
    lock.lock()
    defer { lock.unlock() }
    return value
  }

  func set(_ newValue: Value) {
    lock.lock()
    defer { lock.unlock() }
    value = newValue
  }
}
