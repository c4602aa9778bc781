import Foundation
import Testing

@testable import PaperSiftKit

#if canImport(Glibc)
  import Glibc
#endif

/// End-to-end runs of `papersift run` on real papers, with the real model, a
/// real SQLite file, and a loopback server in place of the paid LLM.
@Suite(.serialized) struct NightlyRunTests {
  @Test func bundledDayEndToEnd() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let server = try FakeChatServer(replies: [])
    defer { server.stop() }
    try NightFixtures.configure(home: home, llmBaseURL: server.baseURL, batchSize: 20)
    let feed = try TestFiles.feed(TestFiles.rssDay)

    let result = try PaperSiftProcess(home: home).run(
      NightFixtures.runArguments(feed, ["--fraction", "0.25"]))

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    let digest = try NightFixtures.digest(in: home)
    // 176 new and cross-listed papers; replacements are dropped by default.
    #expect(digest.counts.papers == 176)
    // ceil(0.25 * 176) = 44 above the cutoff; the audit draws max(5, ceil(0.03 * 176)) = 6.
    #expect(digest.counts.aboveCutoff == 44)
    #expect(digest.counts.audited == 6)
    let sentIDs = Set(server.idsPerRequest.flatMap { $0 })
    #expect(sentIDs.count == 50)
    #expect(digest.unscored.isEmpty)

    let rule = digest.selectionRule
    let expected = sentIDs.filter { id in
      rule.selects(
        relevance: FakeChatServer.relevance(of: id), novelty: FakeChatServer.novelty(of: id))
    }
    #expect(Set(digest.papers.map(\.id)) == expected)
    let markdown = try NightFixtures.markdown(in: home)
    #expect(markdown.hasPrefix("# Personalized Daily Arxiv Papers 05/05/2025"))
    #expect(markdown.contains("Total scanned papers: 176"))
    #expect(markdown.contains("Total relevant papers: \(expected.count)"))
    for paper in digest.papers {
      #expect(markdown.contains("**ArXiv ID:** \(paper.id)"))
      #expect(markdown.contains("papersift like \(paper.id)"))
    }
    #expect(MarkdownDigest.render(digest) == markdown)
    #expect(result.output.contains("digest-2025-05-05.md"))
    let run = try NightFixtures.firstRun(in: home)
    #expect(run.status == .ok)
    #expect(run.papers == 176)
    #expect(run.aboveCutoff == 44)
    #expect(run.audited == 6)
    #expect(run.sent == 50)
    #expect(run.scored == 50)
  }

  @Test func rerunSendsNothingAndWritesSameDigest() throws {
    let night = try SmallNight(papers: 40)
    defer { night.close() }
    let (home, server, day) = (night.home, night.server, night.day)
    let papersift = try PaperSiftProcess(home: home)

    let first = try papersift.run(NightFixtures.runArguments(day, ["--top", "12"]))
    let requestsAfterFirst = server.requests.count
    let firstMarkdown = try NightFixtures.markdown(in: home)
    let firstJSON = try Data(
      contentsOf: home.appendingPathComponent("digests/digest-2025-05-05.json"))
    let second = try papersift.run(NightFixtures.runArguments(day, ["--top", "12"]))

    #expect(first.status == 0, "stderr: \(first.errorOutput)")
    #expect(second.status == 0, "stderr: \(second.errorOutput)")
    // Only the run on the new home creates the database and logs a notice.
    #expect(first.errorOutput.contains("Creating a new PaperSift database"))
    #expect(!second.errorOutput.contains("Creating a new PaperSift database"))
    #expect(requestsAfterFirst == 2)
    #expect(server.requests.count == requestsAfterFirst)
    #expect(try NightFixtures.markdown(in: home) == firstMarkdown)
    let secondJSON = try Data(
      contentsOf: home.appendingPathComponent("digests/digest-2025-05-05.json"))
    #expect(secondJSON == firstJSON)
    #expect(second.errorOutput.contains("(\u{24}0.0000 this run)"))
  }

  @Test func killedRunResumesWithoutPayingAgain() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    // Every reply takes 1.5 s, so the run is killed while batches are in flight.
    let slow = try FakeChatServer(replies: [], then: .tooSlow(1.5))
    defer { slow.stop() }
    try NightFixtures.configure(home: home, llmBaseURL: slow.baseURL, batchSize: 4)
    let day = try NightFixtures.smallDay(40, in: home)
    let papersift = try PaperSiftProcess(home: home)

    let started = try papersift.start(NightFixtures.runArguments(day, ["--top", "20"]))
    slow.waitForRequests(3)
    Thread.sleep(forTimeInterval: 0.3)
    kill(started.0.processIdentifier, SIGKILL)
    _ = try PaperSiftProcess.finish(started)

    let database = try Database(path: home.appendingPathComponent("papersift.sqlite").path)
    let paid = try database.rows("SELECT paper_id FROM scores").compactMap { $0.string(0) }
    #expect(paid.count >= 8, "at least two batches of 4 were answered before the kill")
    #expect(try database.scalar("PRAGMA integrity_check") == .text("ok"))
    // The request waiting for its response at the kill is noted as in flight.
    let waiting = try database.scalar("SELECT COUNT(*) FROM requests_in_flight")
    #expect(waiting == .integer(1))

    let fast = try FakeChatServer(replies: [])
    defer { fast.stop() }
    try NightFixtures.configure(home: home, llmBaseURL: fast.baseURL, batchSize: 4)
    let rerun = try papersift.run(NightFixtures.runArguments(day, ["--top", "20"]))

    #expect(rerun.status == 0, "stderr: \(rerun.errorOutput)")
    let resent = Set(fast.idsPerRequest.flatMap { $0 })
    #expect(resent.isDisjoint(with: paid))
    let statuses = try database.rows("SELECT status FROM runs ORDER BY id").compactMap {
      $0.string(0)
    }
    #expect(statuses == ["interrupted", "ok"])
    let digest = try NightFixtures.digest(in: home)
    #expect(digest.unscored.isEmpty)
    #expect(digest.counts.aboveCutoff == 20)
    // The killed request may have been billed: it is a failed batch of the
    // interrupted run at its estimate, counted in the night's usage.
    let lost = try RunStore(database: database).batches(runID: 1).filter {
      $0.error == RunStore.lostRequestError
    }
    #expect(lost.count == 1)
    #expect(lost.first?.status == .failed)
    #expect(lost.first?.usageEstimated == true)
    #expect((lost.first?.usage.promptTokens ?? 0) > 0)
    #expect(lost.first?.usage.promptTokens == lost.first?.estimatedPromptTokens)
    #expect(try database.scalar("SELECT COUNT(*) FROM requests_in_flight") == .integer(0))
    #expect((digest.usage.estimatedRequests ?? 0) >= 1)
    #expect(rerun.errorOutput.contains("A run ended while LLM requests waited for their responses"))
  }

  @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
  func signalMarksRunInterrupted(signal: Int32, status: Int32) throws {
    // The signal arrives while the second batch is in flight. The run waits
    // for that paid response, stores it and sends no third batch.
    let run = try SecondBatchInFlight(replyDelay: 3)
    defer { run.close() }

    kill(run.started.0.processIdentifier, signal)
    let result = try PaperSiftProcess.finish(run.started)

    #expect(result.status == status, "stderr: \(result.errorOutput)")
    #expect(result.errorOutput.contains("Stopping once the LLM request in flight is stored"))
    #expect(result.errorOutput.contains("Run interrupted. The batches already scored are stored"))
    #expect(run.server.requests.count == 2)
    let database = try run.database
    let runs = try database.rows("SELECT status, finished FROM runs")
    #expect(runs.count == 1)
    #expect(runs.first?.string(0) == "interrupted")
    #expect(runs.first?.string(1) != nil)
    let paid = try database.scalar("SELECT COUNT(*) FROM scores")
    #expect(paid == .integer(8))
    // The interrupted run counts both batches it paid for.
    let record = try NightFixtures.firstRun(in: run.home)
    #expect(record.sent == 8)
    #expect(record.scored == 8)
    // The counts of the slice are recorded before the first request:
    // 12 papers above the cut-off and 5 of the other 8 audited.
    #expect(record.papers == 20)
    #expect(record.aboveCutoff == 12)
    #expect(record.audited == 5)
    #expect(try database.scalar("SELECT COUNT(*) FROM requests_in_flight") == .integer(0))
    // The lock is free: taking it without waiting succeeds.
    let lock = try RunLock(url: run.home.appendingPathComponent("run.lock"), timeout: 0)
    lock.release()
  }

  @Test func secondSignalStopsWithoutWaiting() throws {
    // The second reply would take 30 s: only a second signal ends the wait.
    let run = try SecondBatchInFlight(replyDelay: 30)
    defer { run.close() }

    let signalled = Date()
    kill(run.started.0.processIdentifier, SIGTERM)
    Thread.sleep(forTimeInterval: 0.5)
    kill(run.started.0.processIdentifier, SIGINT)
    let result = try PaperSiftProcess.finish(run.started)

    // The exit status is the first signal's, SIGTERM's.
    #expect(result.status == 143, "stderr: \(result.errorOutput)")
    #expect(
      result.errorOutput.contains(
        "notice [run] Stopping at once on a second signal, without waiting signal=SIGINT "
          + "exit_status=143\n"), "stderr: \(result.errorOutput)")
    #expect(Date().timeIntervalSince(signalled) < 10)
    let database = try run.database
    #expect(try database.scalar("SELECT COUNT(*) FROM scores") == .integer(4))
    #expect(try database.scalar("SELECT COUNT(*) FROM requests_in_flight") == .integer(1))
    // A run that stops at once keeps the counts of its slice.
    let record = try NightFixtures.firstRun(in: run.home)
    #expect(record.papers == 20)
    #expect(record.aboveCutoff == 12)
    #expect(record.audited == 5)
  }

  @Test func signalStopsRetryWait() throws {
    // The second batch gets a rate limit with a Retry-After of 60 s, and the
    // signal comes during that wait.
    let run = try SecondBatchInFlight(secondReply: .rateLimited(retryAfter: 60))
    defer { run.close() }

    let signalled = Date()
    kill(run.started.0.processIdentifier, SIGTERM)
    let result = try PaperSiftProcess.finish(run.started)

    #expect(result.status == 143, "stderr: \(result.errorOutput)")
    #expect(Date().timeIntervalSince(signalled) < 10)
    #expect(run.server.requests.count == 2, "no retry and no later batch after the signal")
    let database = try run.database
    let statuses = try RunStore(database: database).batches(runID: 1).map(\.status)
    #expect(statuses == [.ok, .failed])
    #expect(try database.scalar("SELECT COUNT(*) FROM requests_in_flight") == .integer(0))
  }

  @Test func signalWhileEmbeddingEndsRun() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let server = try FakeChatServer(replies: [], then: .wellFormed)
    defer { server.stop() }
    try NightFixtures.configure(home: home, llmBaseURL: server.baseURL, batchSize: 4)
    let day = try NightFixtures.smallDay(400, in: home)
    let papersift = try PaperSiftProcess(home: home)

    let started = try papersift.start(NightFixtures.runArguments(day, ["--top", "12"]))
    // The first stored batch of vectors shows that the embedding stage runs.
    let path = home.appendingPathComponent("papersift.sqlite").path
    func embedded() -> Int64 {
      guard FileManager.default.fileExists(atPath: path),
        case .integer(let count) = try? Database(path: path).scalar(
          "SELECT COUNT(*) FROM embeddings")
      else { return 0 }
      return count
    }
    let deadline = Date().addingTimeInterval(120)
    while embedded() == 0, started.0.isRunning, Date() < deadline {
      Thread.sleep(forTimeInterval: 0.05)
    }
    #expect(embedded() > 0)
    #expect(embedded() < 400, "the signal comes before the embedding ends")
    kill(started.0.processIdentifier, SIGTERM)
    let result = try PaperSiftProcess.finish(started)

    #expect(result.status == 143, "stderr: \(result.errorOutput)")
    #expect(server.requests.isEmpty, "nothing is sent after the signal")
    let database = try Database(path: home.appendingPathComponent("papersift.sqlite").path)
    // The run row starts before the embedding, so the signal marks it.
    let runs = try database.rows("SELECT status, finished, sent FROM runs")
    #expect(runs.count == 1)
    #expect(runs.first?.string(0) == "interrupted")
    #expect(runs.first?.string(1) != nil)
    #expect(runs.first?.int(2) == 0)
    #expect(
      result.errorOutput.contains(
        "notice [run] Run interrupted before it sent any LLM request, so nothing was paid for "
          + "signal=SIGTERM exit_status=143\n"), "stderr: \(result.errorOutput)")
    #expect(!result.errorOutput.contains("The batches already scored are stored"))
    // The lock is free: taking it without waiting succeeds.
    let lock = try RunLock(url: home.appendingPathComponent("run.lock"), timeout: 0)
    lock.release()
  }

  @Test func noLLMRunStatesSkipAndCost() throws {
    let night = try SmallNight(papers: 40)
    defer { night.close() }
    let (home, server, day) = (night.home, night.server, night.day)

    let result = try PaperSiftProcess(home: home).run(
      NightFixtures.runArguments(day, ["--top", "10", "--no-llm"]))

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(server.requests.isEmpty)
    let digest = try NightFixtures.digest(in: home)
    let skipped = try #require(digest.skippedLLM)
    #expect(skipped.reason == "--no-llm was given")
    #expect(skipped.estimatedUsage.promptTokens > 0)
    #expect(digest.usage == .zero)
    let markdown = try NightFixtures.markdown(in: home)
    #expect(markdown.contains("The LLM stage was skipped"))
    let skipLine = try #require(Self.skipLine(in: result.errorOutput))
    #expect(skipLine.contains(" would_send_prompt_tokens=\(skipped.estimatedUsage.promptTokens) "))
    #expect(skipLine.contains(" would_cost_usd="))
  }

  /// Returns the log line in `errorOutput` that reports the skipped LLM stage.
  static func skipLine(in errorOutput: String) -> Substring? {
    errorOutput.split(separator: "\n").first { $0.contains("Skipping the LLM stage") }
  }

  @Test func noLLMRerunKeepsStoredScores() throws {
    let night = try SmallNight(papers: 40, model: "gpt-4o-mini")
    defer { night.close() }
    let (home, server, day) = (night.home, night.server, night.day)
    let papersift = try PaperSiftProcess(home: home)
    let (scored, paid, requests) = try night.scoreOnce()

    let again = try papersift.run(NightFixtures.runArguments(day, ["--top", "12", "--no-llm"]))

    #expect(scored.status == 0, "stderr: \(scored.errorOutput)")
    #expect(again.status == 0, "stderr: \(again.errorOutput)")
    #expect(server.requests.count == requests)
    let digest = try NightFixtures.digest(in: home)
    #expect(digest.skippedLLM == nil)
    #expect(digest.noRequestReason == "--no-llm was given")
    #expect(!digest.papers.isEmpty)
    #expect(digest.papers == paid.papers)
    #expect(digest.counts == paid.counts)
    #expect(digest.usage == paid.usage)
    #expect(digest.usage.totalDollars > 0)
    #expect(digest.recall == paid.recall)
    #expect(digest.unscored.isEmpty)
    #expect(digest.selectionPrompt == paid.selectionPrompt)
    let markdown = try NightFixtures.markdown(in: home)
    #expect(
      markdown.contains(
        "**The LLM stage sent no request this run: --no-llm was given.** The scores below were "
          + "stored by earlier runs of this night"))
    #expect(markdown.contains("- Sent to the LLM this run: none, because --no-llm was given"))
    #expect(markdown.contains("Total relevant papers: \(paid.papers.count)"))
    #expect(!markdown.contains("was skipped"))
    #expect(
      again.errorOutput.contains(
        "\(paid.papers.count) selected, 0 unscored, scores stored by earlier runs, no request "
          + "sent (--no-llm was given)"))
    #expect(again.errorOutput.contains("(\u{24}0.0000 this run)"))
    // The digest shows the stored scores, so the line gives no estimate of a cost.
    let skipLine = try #require(Self.skipLine(in: again.errorOutput))
    #expect(skipLine.hasSuffix(#"Skipping the LLM stage reason="--no-llm was given""#))
    #expect(!skipLine.contains("usd"))
  }

  @Test func noLLMListsPapersWithoutStoredScore() throws {
    let night = try SmallNight(papers: 40)
    defer { night.close() }
    let (home, server, day) = (night.home, night.server, night.day)
    let papersift = try PaperSiftProcess(home: home)
    let scored = try papersift.run(NightFixtures.runArguments(day, ["--top", "12"]))
    let paidIDs = Set(server.idsPerRequest.flatMap { $0 })
    let requests = server.requests.count

    // A wider cutoff chooses papers that the first run never sent.
    let wider = try papersift.run(NightFixtures.runArguments(day, ["--top", "20", "--no-llm"]))

    #expect(scored.status == 0, "stderr: \(scored.errorOutput)")
    #expect(wider.status == 0, "stderr: \(wider.errorOutput)")
    #expect(server.requests.count == requests)
    let digest = try NightFixtures.digest(in: home)
    #expect(digest.noRequestReason == "--no-llm was given")
    #expect(digest.counts.aboveCutoff == 20)
    // The audit draws max(5, ceil(0.03 * 40)) = 5 of the 20 papers below the cutoff.
    #expect(digest.counts.audited == 5)
    let unscoredIDs = Set(digest.unscored.map(\.id))
    #expect(digest.counts.scored + unscoredIDs.count == 25)
    #expect(unscoredIDs.isDisjoint(with: paidIDs))
    // The 12 papers of the first run are above the wider cutoff too.
    #expect(digest.counts.scored >= 12)
    #expect(!unscoredIDs.isEmpty)
    #expect(digest.unscored.allSatisfy { $0.reason == "not sent, because --no-llm was given" })
    #expect(Set(digest.papers.map(\.id)).isSubset(of: paidIDs))
    // Papers 13 to 20 that the first run did not audit were never sent, so
    // the picks above the cutoff, and with them recall, are not known.
    let recall = try #require(digest.recall)
    let unscoredAbove = digest.unscored.filter { !$0.inAuditSample }.count
    #expect(unscoredAbove > 0)
    #expect(recall.unscoredAboveCutoff == unscoredAbove)
    #expect(recall.recall == nil)
    #expect(recall.recallLow == nil)
    #expect(recall.recallHigh == nil)
    let markdown = try NightFixtures.markdown(in: home)
    #expect(markdown.contains(": not sent, because --no-llm was given"))
    #expect(markdown.contains("No recall estimate, because \(unscoredAbove) paper"))
    #expect(
      wider.errorOutput.contains(
        "\(unscoredIDs.count) unscored, scores stored by earlier runs, no request sent"))
  }

  /// A `--no-llm` run whose cutoff takes the whole night, after a run that
  /// scored its top 12 and audited 5 of the 28 papers below them.
  @Test func noLLMWholeNightLeavesRecallUnknown() throws {
    let night = try SmallNight(papers: 40)
    defer { night.close() }
    let (home, day) = (night.home, night.day)
    let (scored, paid, requests) = try night.scoreOnce()

    let whole = try PaperSiftProcess(home: home).run(
      NightFixtures.runArguments(day, ["--top", "1000", "--no-llm"]))

    #expect(scored.status == 0, "stderr: \(scored.errorOutput)")
    #expect(whole.status == 0, "stderr: \(whole.errorOutput)")
    #expect(night.server.requests.count == requests)
    #expect(paid.recall?.recall != nil)
    let digest = try NightFixtures.digest(in: home)
    #expect(
      digest.counts == DigestContent.Counts(papers: 40, aboveCutoff: 40, audited: 0, scored: 17))
    #expect(digest.unscored.count == 23)
    let recall = try #require(digest.recall)
    #expect(recall.papersBelowCutoff == 0)
    #expect(recall.unscoredAboveCutoff == 23)
    #expect(recall.recall == nil)
    #expect(recall.recallLow == nil)
    #expect(recall.recallHigh == nil)
    #expect(
      recall.noRecallReason
        == "23 papers above the cutoff have no score, so the picks above the cutoff are not known")
    let markdown = try NightFixtures.markdown(in: home)
    #expect(!markdown.contains("Every paper of the night"))
    #expect(
      markdown.contains("- Papers below the cutoff: none, so the cutoff itself lost no picks"))
    let json = try String(
      contentsOf: home.appendingPathComponent("digests/digest-\(digest.date).json"), encoding: .utf8
    )
    #expect(!json.contains(#""recall" : 1"#))
  }

  @Test func inputRunNamesPendingFeedback() throws {
    let night = try SmallNight(papers: 20)
    defer { night.close() }
    let (home, day) = (night.home, night.day)
    // A like given offline, on a paper that is in no input file.
    let database = try Database(path: home.appendingPathComponent("papersift.sqlite").path)
    _ = try FeedbackStore(database: database).record(
      [try ArxivIdentifier(parsing: "2401.00077")], label: .liked, source: "test")

    let result = try PaperSiftProcess(home: home).run(
      NightFixtures.runArguments(day, ["--no-llm"]))

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(result.errorOutput.contains("stays pending and does not count tonight"))
    #expect(result.errorOutput.contains("papers=1 ids=2401.00077"))
  }

  @Test func missingKeySkipsLLMStage() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    var configuration = Configuration()
    configuration.embedding.modelDirectory = EncoderFixtures.modelDirectory.path
    configuration.llm.apiKeyVariable = "PAPERSIFT_TEST_UNSET_KEY"
    configuration.run.outputFolder = home.appendingPathComponent("digests").path
    try configuration.save(to: home.appendingPathComponent("config.json"))
    let day = try NightFixtures.smallDay(20, in: home)

    let result = try PaperSiftProcess(home: home).run(NightFixtures.runArguments(day))

    // A cron job must notice the missing key: a warning and exit status 3.
    #expect(result.status == 3, "stderr: \(result.errorOutput)")
    #expect(result.errorOutput.contains("warning [run] Skipping the LLM stage"))
    let digest = try NightFixtures.digest(in: home)
    #expect(digest.skippedLLM?.reason.contains("PAPERSIFT_TEST_UNSET_KEY") == true)
    let markdown = try NightFixtures.markdown(in: home)
    #expect(markdown.contains("The LLM stage was skipped"))
    // The chosen papers got no score, so the digest must not say "None" of them is unscored.
    #expect(!markdown.contains("## Unscored papers\n\nNone."))
    #expect(
      markdown.contains(
        "## Unscored papers\n\nNo paper got a score, because the LLM stage was skipped: no API "
          + "key in $PAPERSIFT_TEST_UNSET_KEY"))
    #expect(
      markdown.contains(
        "The papers chosen for the LLM, \(digest.counts.aboveCutoff) above the cutoff and "
          + "\(digest.counts.audited) drawn for the audit, have no score."))
  }

  @Test func pastedKeyVariableIsRejected() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let key = "sk-TRIAL-SECRET-KEY-\(UUID().uuidString)"
    var configuration = Configuration()
    configuration.embedding.modelDirectory = EncoderFixtures.modelDirectory.path
    configuration.llm.apiKeyVariable = key
    configuration.run.outputFolder = home.appendingPathComponent("digests").path
    try configuration.save(to: home.appendingPathComponent("config.json"))
    let day = try NightFixtures.smallDay(20, in: home)

    let result = try PaperSiftProcess(home: home).run(NightFixtures.runArguments(day))

    #expect(result.status == 2, "stderr: \(result.errorOutput)")
    #expect(result.errorOutput.contains("Invalid llm.apiKeyVariable"))
    #expect(!result.errorOutput.contains(key))
    #expect(!result.output.contains(key))
    let digests = home.appendingPathComponent("digests")
    #expect(!FileManager.default.fileExists(atPath: digests.path))
  }

  @Test func invalidBaseURLOptionIsNamed() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try NightFixtures.configure(home: home, llmBaseURL: nil)
    let day = try NightFixtures.smallDay(20, in: home)

    let result = try PaperSiftProcess(home: home).run(
      NightFixtures.runArguments(day, ["--llm-base-url", "ftp://127.0.0.1/v1"]))

    #expect(result.status == 2, "stderr: \(result.errorOutput)")
    #expect(result.errorOutput.contains("Invalid --llm-base-url 'ftp://127.0.0.1/v1'"))
    #expect(!result.errorOutput.contains("in the configuration"))
  }

  @Test func emptyNightExitsZero() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try NightFixtures.configure(home: home, llmBaseURL: nil)
    let feed = try TestFiles.feed(TestFiles.rssEmpty)

    let result = try PaperSiftProcess(home: home).run(NightFixtures.runArguments(feed))

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(result.errorOutput.contains("No new papers announced on 2025-05-05"))
    #expect(result.output.isEmpty)
  }

  @Test func unscoredPaperGivesExitThree() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    // The server always leaves out the first paper of the day, 2411.09200.
    let server = try FakeChatServer(replies: [], then: .missing("2411.09200"))
    defer { server.stop() }
    try NightFixtures.configure(home: home, llmBaseURL: server.baseURL)
    let day = try NightFixtures.smallDay(20, in: home)

    let result = try PaperSiftProcess(home: home).run(
      NightFixtures.runArguments(day, ["--fraction", "1"]))

    #expect(result.status == 3, "stderr: \(result.errorOutput)")
    let digest = try NightFixtures.digest(in: home)
    #expect(digest.unscored.map(\.id) == ["2411.09200"])
    let markdown = try NightFixtures.markdown(in: home)
    #expect(markdown.contains("2411.09200"))
  }

  @Test func latin1TopicsFileIsInvalidInput() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let day = try NightFixtures.smallDay(5, in: home)
    let topics = home.appendingPathComponent("topics-latin1.md")
    // "1. Caf\u{e9}" in Latin-1: byte 6 is 0xE9.
    try Data([0x31, 0x2E, 0x20, 0x43, 0x61, 0x66, 0xE9, 0x0A]).write(to: topics)

    let result = try PaperSiftProcess(home: home).run(
      ["run", "--no-llm", "--input", day.path, "--topics", topics.path])

    #expect(result.status == 2, "stderr: \(result.errorOutput)")
    #expect(result.errorOutput.contains("is not valid UTF-8 (byte 6 of 8)"))
  }

  @Test func unreachableLLMFallsBackToRanking() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let server = try FakeChatServer(replies: [])
    let baseURL = server.baseURL
    server.stop()
    try NightFixtures.configure(home: home, llmBaseURL: baseURL)
    let day = try NightFixtures.smallDay(20, in: home)

    let result = try PaperSiftProcess(home: home).run(
      NightFixtures.runArguments(day, ["--top", "5"]))

    #expect(result.status == 3, "stderr: \(result.errorOutput)")
    let digest = try NightFixtures.digest(in: home)
    let skipped = try #require(digest.skippedLLM)
    #expect(
      skipped.reason.hasPrefix("no paper got a score, and the first cause was: Request to "))
    #expect(skipped.requestsFailed)
    #expect(!digest.papers.isEmpty)
    // Exit 3 promises the unscored papers in the digest, with their reasons.
    #expect(digest.unscored.count == 5 + digest.counts.audited)
    #expect(digest.unscored.allSatisfy { $0.reason.hasPrefix("request failed: ") })
    let markdown = try NightFixtures.markdown(in: home)
    #expect(markdown.contains("**The LLM stage failed: no paper got a score"))
    #expect(!markdown.contains("request failed: The LLM request failed"))
    #expect(!markdown.contains("..**"))
    #expect(markdown.contains("but no paper got a score"))
    #expect(!markdown.contains("failure was request failed"))
    #expect(
      markdown.contains("Total relevant papers: not known, because the LLM stage failed."))
    #expect(
      markdown.contains(
        "The requests failed without a response that counts tokens, such as with an HTTP "
          + "error status or a timeout, so the digest counts no cost."))
    #expect(markdown.contains("## Cost saved\n\nNo paper got a score. Scoring the "))
    #expect(
      (result.output + result.errorOutput).contains("LLM stage failed (no paper got a score"))
  }

  @Test func invalidScoresShowPaidCost() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    // Every response gives each paper a relevance of 11, so no score is stored,
    // but every response reports tokens that are paid for.
    let server = try FakeChatServer(
      usage: TokenUsage(promptTokens: 1_000, completionTokens: 100, cachedPromptTokens: 0)
    ) { _, ids in
      .content(ids.map { FakeChatServer.line(for: $0, relevance: 11) }.joined(separator: "\n"))
    }
    defer { server.stop() }
    try NightFixtures.configure(home: home, llmBaseURL: server.baseURL, model: "gpt-4o-mini")
    let day = try NightFixtures.smallDay(20, in: home)

    let result = try PaperSiftProcess(home: home).run(
      NightFixtures.runArguments(day, ["--top", "5"]))

    #expect(result.status == 3, "stderr: \(result.errorOutput)")
    let database = try Database(path: home.appendingPathComponent("papersift.sqlite").path)
    let row = try #require(
      try database.rows("SELECT SUM(prompt_tokens), SUM(cost_usd), COUNT(*) FROM batches").first)
    let statuses = try database.rows("SELECT DISTINCT status FROM batches").map { $0.string(0) }
    #expect(statuses == ["unusable"])
    let paidTokens = try #require(row.int(0))
    let paidDollars = try #require(row.double(1))
    // gpt-4o-mini: 1000 prompt tokens at $0.15 and 100 completion tokens at
    // $0.60 per million make $0.00021 a request.
    #expect(row.int(2) == server.requests.count)
    #expect(abs(paidDollars - 0.00021 * Double(server.requests.count)) < 1e-9)
    let digest = try NightFixtures.digest(in: home)
    #expect(digest.skippedLLM?.requestsFailed == true)
    #expect(
      digest.skippedLLM?.reason == "no paper got a score, and the first cause was: invalid score")
    #expect(digest.usage.promptTokens == paidTokens)
    #expect(abs(digest.usage.totalDollars - paidDollars) < 1e-9)
    // The requests returned no score, so they price no paper and are
    // counted apart.
    let cost = try #require(digest.costSaved)
    #expect(cost.paidDollars == 0)
    #expect(abs((cost.noScoreDollars ?? 0) - paidDollars) < 1e-9)
    #expect(cost.estimatedDollars != nil)
    let markdown = try NightFixtures.markdown(in: home)
    #expect(
      markdown.contains(
        "No paper got a score, although the requests cost \(String(format: "$%.4f", paidDollars))."
      ))
    #expect(
      markdown.contains(
        "No paper got a score in this run. What the night's requests cost, earlier runs' "
          + "included:"))
    #expect(markdown.contains(MarkdownDigest.usageTable(digest.usage)))
    let dollars = String(format: "$%.4f", paidDollars)
    #expect(result.errorOutput.contains("LLM stage failed"))
    #expect(
      result.errorOutput.contains(
        "\(paidTokens + digest.usage.completionTokens) tokens, \(dollars)"))
  }

  @Test func budgetStopCountsScoredAuditOnly() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    // Every response reports 1,000,000 prompt and 100 completion tokens, so
    // at gpt-4o-mini's $0.15 and $0.60 per million each batch costs
    // $0.15006. The estimate of a batch stays below $0.01, so a budget of
    // $0.20 sends the two batches above the cutoff and stops the audit's.
    let server = try FakeChatServer(
      replies: [], usage: TokenUsage(promptTokens: 1_000_000, completionTokens: 100))
    defer { server.stop() }
    try NightFixtures.configure(
      home: home, llmBaseURL: server.baseURL, batchSize: 5, model: "gpt-4o-mini")
    let day = try NightFixtures.smallDay(20, in: home)

    let result = try PaperSiftProcess(home: home).run(
      NightFixtures.runArguments(day, ["--top", "10", "--budget", "0.20"]))

    #expect(result.status == 3, "stderr: \(result.errorOutput)")
    #expect(server.requests.count == 2)
    let digest = try NightFixtures.digest(in: home)
    #expect(digest.counts.aboveCutoff == 10)
    #expect(digest.counts.audited == 5)
    #expect(digest.unscored.count == 5)
    #expect(digest.unscored.allSatisfy { $0.inAuditSample })
    #expect(
      result.errorOutput.contains(
        "20 papers, 10 above the cutoff, 0 of 5 audit papers scored, "
          + "\(digest.papers.count) selected, 5 unscored, "))
    let run = try NightFixtures.firstRun(in: home)
    #expect(run.aboveCutoff == 10)
    #expect(run.audited == 5)
    #expect(run.sent == 10)
    #expect(run.scored == 10)
  }

  @Test func rejectedKeyStopsScoringKeepsPaid() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let key = "sk-papersift-test-\(UUID().uuidString)"
    let server = try FakeChatServer(replies: [.wellFormed], then: .errorEchoingKey(status: 401))
    defer { server.stop() }
    try NightFixtures.configure(
      home: home, llmBaseURL: server.baseURL, batchSize: 5, apiKeyVariable: "PAPERSIFT_E2E_KEY")
    let day = try NightFixtures.smallDay(20, in: home)

    let result = try PaperSiftProcess(home: home, environment: ["PAPERSIFT_E2E_KEY": key]).run(
      NightFixtures.runArguments(day, ["--top", "10"]))

    #expect(result.status == 3, "stderr: \(result.errorOutput)")
    let digest = try NightFixtures.digest(in: home)
    // 10 papers above the cutoff and 5 drawn for the audit go in 3 batches of 5.
    #expect(digest.counts.aboveCutoff + digest.counts.audited == 15)
    #expect(server.requests.count == 2)
    let paid = Set(server.idsPerRequest.first ?? [])
    let unscoredIDs = Set(digest.unscored.map(\.id))
    #expect(paid.count == 5)
    #expect(paid.isDisjoint(with: unscoredIDs))
    #expect(digest.unscored.count == 10)
    let failed = digest.unscored.filter { $0.reason.hasPrefix("request failed: ") }
    let unsent = digest.unscored.filter {
      $0.reason.hasPrefix("not sent: the server at \(server.baseURL)")
    }
    #expect(failed.count == 5)
    #expect(unsent.count == 5)
    #expect(unsent.allSatisfy { $0.reason.contains("PAPERSIFT_E2E_KEY") })
    let markdown = try NightFixtures.markdown(in: home)
    #expect(markdown.contains("rejected the API key"))
    #expect(!markdown.contains(key))
    #expect(!result.errorOutput.contains(key))
    #expect(result.errorOutput.contains("Stopping the LLM stage; later batches are not sent"))
    let run = try NightFixtures.firstRun(in: home)
    #expect(run.status == .partial)
    #expect(run.aboveCutoff == 10)
    #expect(run.audited == 5)
    // The first batch of 5 got a response, the second failed, the third was not sent.
    #expect(run.sent == 5)
    #expect(run.scored == 5)
  }

  @Test func refusedConnectionsStopScoring() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let port = try RefusingLoopbackPort()
    try NightFixtures.configure(home: home, llmBaseURL: port.baseURL + "/v1", batchSize: 5)
    let day = try NightFixtures.smallDay(20, in: home)

    let result = try PaperSiftProcess(home: home).run(
      NightFixtures.runArguments(day, ["--top", "10"]))

    #expect(result.status == 3, "stderr: \(result.errorOutput)")
    let digest = try NightFixtures.digest(in: home)
    #expect(digest.skippedLLM?.requestsFailed == true)
    #expect(digest.unscored.count == 15)
    let unsent = digest.unscored.filter { $0.reason.hasPrefix("not sent: ") }
    #expect(unsent.count == 10)
    for paper in unsent {
      #expect(paper.reason.contains("the server at \(port.baseURL)/v1/chat/completions"))
      #expect(paper.reason.contains("llm.requestTimeout"))
      #expect(paper.reason.contains("llm.maxAttempts (now 2)"))
      #expect(paper.reason.contains("llm.baseURL"))
    }
    // One batch of 2 attempts, not 3 batches of 2.
    let retries = result.errorOutput.components(separatedBy: "LLM request failed; retrying")
    #expect(retries.count - 1 == 1)
  }

  @Test(arguments: [
    (#"{"ranking": {"cutoffValue": -1}}"#, "Invalid ranking.cutoffValue -1 "),
    (
      #"{"ranking": {"cutoffPolicy": "count", "cutoffValue": 1e300}}"#,
      "Invalid ranking.cutoffValue"
    ),
    (#"{"ranking": {"cutoffPolicy": "bogus"}}"#, "Invalid ranking.cutoffPolicy 'bogus'"),
  ])
  func invalidAutoCutoffIsRejected(configuration: String, message: String) throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    _ = try TestFiles.write(configuration, named: "config.json", in: home)
    let day = try NightFixtures.smallDay(5, in: home)

    let result = try PaperSiftProcess(home: home).run(NightFixtures.runArguments(day))

    #expect(result.status == 2)
    #expect(result.errorOutput.contains(message), "stderr: \(result.errorOutput)")
  }

  @Test func mismatchedDateIsRejected() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try NightFixtures.configure(home: home, llmBaseURL: nil)
    let day = try NightFixtures.smallDay(5, in: home)

    let wrongDay = try PaperSiftProcess(home: home).run(
      NightFixtures.runArguments(day, ["--date", "2025-05-06"]))
    let noSuchDay = try PaperSiftProcess(home: home).run(
      NightFixtures.runArguments(day, ["--date", "2025-13-45"]))

    #expect(wrongDay.status == 2)
    #expect(wrongDay.errorOutput.contains("--date 2025-05-06 does not match the day of"))
    #expect(noSuchDay.status == 2)
    #expect(
      noSuchDay.errorOutput.hasSuffix(
        "error: Invalid value '2025-13-45' for --date: not a calendar day, because there is no "
          + "month 13; months run from 01 to 12.\n"), "stderr: \(noSuchDay.errorOutput)")
  }

  @Test func outputFileFailsBeforeScoring() throws {
    let night = try SmallNight(papers: 5)
    defer { night.close() }
    let (home, server, day) = (night.home, night.server, night.day)
    let file = try TestFiles.write("not a folder", named: "taken", in: home)

    let result = try PaperSiftProcess(home: home).run(
      NightFixtures.runArguments(day, ["--out", file.path]))

    #expect(result.status == 1)
    #expect(result.errorOutput.contains("is a file"))
    #expect(server.requests.isEmpty)
  }

  @Test func concurrentRunIsRejected() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let server = try FakeChatServer(replies: [], then: .tooSlow(1))
    defer { server.stop() }
    try NightFixtures.configure(home: home, llmBaseURL: server.baseURL, batchSize: 5)
    let day = try NightFixtures.smallDay(20, in: home)
    let papersift = try PaperSiftProcess(home: home)

    let first = try papersift.start(NightFixtures.runArguments(day, ["--top", "10"]))
    server.waitForRequests(1)
    let second = try papersift.run(NightFixtures.runArguments(day, ["--top", "10"]))
    let firstResult = try PaperSiftProcess.finish(first)

    #expect(second.status == 4)
    #expect(second.errorOutput.contains("Another PaperSift run (process "))
    #expect(second.errorOutput.contains("--wait SECONDS"))
    #expect(firstResult.status == 0, "stderr: \(firstResult.errorOutput)")
    let digest = try NightFixtures.digest(in: home)
    #expect(digest.counts.aboveCutoff == 10)
  }

  @Test func apiKeyNeverReachesFiles() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let key = "sk-papersift-test-\(UUID().uuidString)"
    let server = try FakeChatServer(replies: [.errorEchoingKey(status: 401)])
    defer { server.stop() }
    try NightFixtures.configure(
      home: home, llmBaseURL: server.baseURL, apiKeyVariable: "PAPERSIFT_E2E_KEY")
    let day = try NightFixtures.smallDay(20, in: home)

    let result = try PaperSiftProcess(home: home, environment: ["PAPERSIFT_E2E_KEY": key]).run(
      ["--debug"] + NightFixtures.runArguments(day, ["--top", "10"]))

    #expect(server.requests.first?.headers["authorization"] == "Bearer \(key)")
    #expect(!result.output.contains(key))
    #expect(!result.errorOutput.contains(key))
    let files = FileManager.default.enumerator(at: home, includingPropertiesForKeys: nil)
    while let url = files?.nextObject() as? URL {
      guard let data = try? Data(contentsOf: url) else { continue }
      #expect(data.range(of: Data(key.utf8)) == nil, "key found in \(url.lastPathComponent)")
    }
  }
}
