import Foundation
import Testing

@testable import PaperSiftKit

#if canImport(Glibc)
  import Glibc
#endif

/// `papersift score FILE` as a user runs it, against a loopback fake chat
/// server, with a real SQLite file in a temporary home folder.
@Suite struct ScoreCommandTests {
  static func scoreArguments(_ night: SmallNight, _ extra: [String] = []) -> [String] {
    ["score", "--topics", NightFixtures.topicsFile.path] + extra + [night.day.path]
  }

  @Test(arguments: [
    (
      ["--llm-base-url", "ftp://127.0.0.1:1"],
      "Invalid --llm-base-url 'ftp://127.0.0.1:1': use an http or https URL such as "
        + "https://api.openai.com/v1."
    ),
    (["--llm-model", ""], "Invalid --llm-model '': name a model such as gpt-4o-mini."),
  ])
  func badLLMOptionIsNamed(option: [String], message: String) throws {
    let night = try SmallNight(papers: 3)
    defer { night.close() }
    let papersift = try PaperSiftProcess(home: night.home)

    let scored = try papersift.run(Self.scoreArguments(night, option))
    let run = try papersift.run(NightFixtures.runArguments(night.day, option))

    #expect(scored.status == 2)
    #expect(scored.errorOutput.hasSuffix("error: \(message)\n"), "stderr: \(scored.errorOutput)")
    #expect(run.status == 2)
    #expect(run.errorOutput.hasSuffix("error: \(message)\n"), "stderr: \(run.errorOutput)")
    #expect(night.server.requests.isEmpty)
  }

  static func runDates(in home: URL) throws -> [String] {
    let database = try Database(path: home.appendingPathComponent("papersift.sqlite").path)
    return try database.rows("SELECT date FROM runs ORDER BY id").compactMap { $0.string(0) }
  }

  /// The JSON Lines day is named 2025-05-05.papers.jsonl, which gives its day.
  @Test func runTakesFileDay() throws {
    let night = try SmallNight(papers: 3)
    defer { night.close() }

    let result = try PaperSiftProcess(home: night.home).run(Self.scoreArguments(night))

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(try Self.runDates(in: night.home) == ["2025-05-05"])
    #expect(!result.errorOutput.contains("today"), "stderr: \(result.errorOutput)")
    let database = try Database(path: night.home.appendingPathComponent("papersift.sqlite").path)
    #expect(try database.scalar("SELECT command FROM runs") == .text("score"))
  }

  @Test func summaryCountsRequests() throws {
    let night = try SmallNight(
      papers: 3, usage: TokenUsage(promptTokens: 1_000, completionTokens: 100))
    defer { night.close() }

    let result = try PaperSiftProcess(home: night.home).run(Self.scoreArguments(night))

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(night.server.requests.count == 1)
    #expect(
      result.output.contains(
        "3 scored (0 already stored), 0 unscored, 1 request sent to fake-model, counting a "
          + "batch sent again as a new request and a request retried after an HTTP error once: "
          + "1000 prompt tokens (0 cached), 100 completion tokens, cost "),
      "stdout: \(result.output)")
  }

  @Test func runWithoutDayTakesToday() throws {
    let night = try SmallNight(papers: 3)
    defer { night.close() }
    let undated = night.home.appendingPathComponent("papers.jsonl")
    try FileManager.default.copyItem(at: night.day, to: undated)

    let result = try PaperSiftProcess(home: night.home).run(
      ["score", "--topics", NightFixtures.topicsFile.path, undated.path])

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    let today = NightlyRun.today()
    #expect(try Self.runDates(in: night.home) == [today])
    #expect(
      result.errorOutput.contains(
        "notice [score] The file gives no announcement day, so the run is stored under today's "
          + "date in New York; pass --date YYYY-MM-DD to choose the day date=\(today) "
          + "file=\(undated.path)\n"), "stderr: \(result.errorOutput)")
  }

  @Test func dateOptionNamesUndatedDay() throws {
    let night = try SmallNight(papers: 3)
    defer { night.close() }
    let undated = night.home.appendingPathComponent("papers.jsonl")
    try FileManager.default.copyItem(at: night.day, to: undated)

    let result = try PaperSiftProcess(home: night.home).run(
      ["score", "--topics", NightFixtures.topicsFile.path, "--date", "2025-05-06", undated.path])

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(try Self.runDates(in: night.home) == ["2025-05-06"])
  }

  @Test func dateOptionOtherThanFileDayFails() throws {
    let night = try SmallNight(papers: 3)
    defer { night.close() }

    let result = try PaperSiftProcess(home: night.home).run(
      Self.scoreArguments(night, ["--date", "2025-05-06"]))

    #expect(result.status == 2)
    #expect(
      result.errorOutput.hasSuffix(
        "error: --date 2025-05-06 does not match the day of '2025-05-05.papers.jsonl', "
          + "2025-05-05. Pass --date 2025-05-05, or leave --date out.\n"),
      "stderr: \(result.errorOutput)")
    #expect(night.server.requests.isEmpty)
  }

  @Test func waitsForLockHolder() throws {
    let night = try SmallNight(papers: 3)
    defer { night.close() }
    let lock = try RunLock(url: night.home.appendingPathComponent("run.lock"), timeout: 0)
    let papersift = try PaperSiftProcess(home: night.home)

    let started = try papersift.start(Self.scoreArguments(night, ["--wait", "60"]))
    Thread.sleep(forTimeInterval: 1)
    let waited = started.0.isRunning
    lock.release()
    let result = try PaperSiftProcess.finish(started)

    #expect(waited, "stderr: \(result.errorOutput)")
    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(night.server.idsPerRequest.flatMap { $0 }.count == 3)
  }

  @Test(arguments: [
    (
      [String](),
      "Another PaperSift run (process PID) holds 'LOCK'. Try again when it has finished, or "
        + "pass --wait SECONDS to wait for it."
    ),
    (
      ["--wait", "0.2"],
      "Another PaperSift run (process PID) still holds 'LOCK' after a wait of 0.2 s. Try "
        + "again when it has finished, or pass a longer --wait SECONDS."
    ),
  ])
  func lockMessageFitsWait(wait: [String], message: String) throws {
    let night = try SmallNight(papers: 3)
    defer { night.close() }
    let lockURL = night.home.appendingPathComponent("run.lock")
    let lock = try RunLock(url: lockURL, timeout: 0)
    defer { lock.release() }

    let result = try PaperSiftProcess(home: night.home).run(Self.scoreArguments(night, wait))

    #expect(result.status == 4)
    let expected =
      message
      .replacingOccurrences(of: "PID", with: "\(getpid())")
      .replacingOccurrences(of: "LOCK", with: lockURL.path)
    #expect(result.errorOutput.hasSuffix("error: \(expected)\n"), "stderr: \(result.errorOutput)")
    #expect(night.server.requests.isEmpty)
  }

  @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
  func signalStoresResponseInFlight(signal: Int32, status: Int32) throws {
    // The signal arrives while the second batch is in flight. The command
    // waits for that paid response, stores it and sends no third batch.
    let scoring = try SecondBatchInFlight(replyDelay: 3, scoreCommand: true)
    defer { scoring.close() }

    kill(scoring.started.0.processIdentifier, signal)
    let result = try PaperSiftProcess.finish(scoring.started)

    #expect(result.status == status, "stderr: \(result.errorOutput)")
    #expect(result.errorOutput.contains("notice [score] Stopping once the LLM request in flight"))
    #expect(
      result.errorOutput.contains(
        "the next score of the same papers sends only those still unscored"),
      "stderr: \(result.errorOutput)")
    #expect(scoring.server.requests.count == 2)
    let database = try scoring.database
    #expect(try database.scalar("SELECT COUNT(*) FROM scores") == .integer(8))
    #expect(try database.scalar("SELECT COUNT(*) FROM requests_in_flight") == .integer(0))
    let runs = try database.rows("SELECT status, finished, command FROM runs")
    #expect(runs.count == 1)
    #expect(runs.first?.string(0) == "interrupted")
    #expect(runs.first?.string(1) != nil)
    #expect(runs.first?.string(2) == "score")
    let record = try NightFixtures.firstRun(in: scoring.home)
    #expect(record.sent == 8)
    #expect(record.scored == 8)
    // Every paper of the file was chosen for the LLM before the first request.
    #expect(record.papers == 20)
    #expect(record.aboveCutoff == 20)
    // The lock is free: taking it without waiting succeeds.
    let lock = try RunLock(url: scoring.home.appendingPathComponent("run.lock"), timeout: 0)
    lock.release()
  }
}
