import Foundation
import Testing

@testable import PaperSiftKit

/// The warnings that the scorer logs for replies that leave out or repeat
/// papers, against a loopback fake chat server.
@Suite struct AnswerWarningTests {
  /// Scores `papers` against `server` and returns the result and standard error.
  static func score(_ papers: [Paper], server: FakeChatServer) throws -> (ScoringResult, String) {
    let setup = try LLMScorerTests.setup(server)
    var result: ScoringResult?
    let log = try captureStandardError {
      result = try setup.scorer().score(papers, runID: setup.runID)
    }
    return (try #require(result), log)
  }

  @Test func leftOutPaperIsNamed() throws {
    let server = try FakeChatServer(replies: [.missing("2505.10002")])
    defer { server.stop() }

    let (result, log) = try Self.score(ScoringFixtures.papers(4), server: server)

    #expect(result.unscored.isEmpty)
    #expect(
      log.contains(
        "warning [scoring] LLM answer left out papers of the batch; they are sent again "
          + "batch=1 count=1 ids=2505.10002\n"), "stderr: \(log)")
  }

  @Test func leftOutAgainStaysUnscored() throws {
    // Each reply scores only the first paper of its request. The first
    // leaves out three papers, and the retry of those three leaves out two.
    let server = try FakeChatServer { _, ids in
      .content(FakeChatServer.line(for: ids[0]))
    }
    defer { server.stop() }

    let (result, log) = try Self.score(ScoringFixtures.papers(4), server: server)

    #expect(
      server.idsPerRequest == [
        ["2505.10001", "2505.10002", "2505.10003", "2505.10004"],
        ["2505.10002", "2505.10003", "2505.10004"],
      ])
    #expect(result.unscored.map(\.paperID) == ["2505.10003", "2505.10004"])
    #expect(
      log.contains(
        "LLM answer left out papers of the batch; they are sent again batch=1 count=3 "
          + "ids=2505.10002,2505.10003,2505.10004\n"), "stderr: \(log)")
    #expect(
      log.contains(
        "LLM answer left out papers of the batch; they stay unscored batch=2 count=2 "
          + "ids=2505.10003,2505.10004\n"), "stderr: \(log)")
  }

  @Test func completeAnswerLogsNoLeftOut() throws {
    let server = try FakeChatServer(replies: [.wellFormed])
    defer { server.stop() }

    let (_, log) = try Self.score(ScoringFixtures.papers(3), server: server)

    #expect(!log.contains("left out"), "stderr: \(log)")
  }

  @Test func sameScoresTwiceAreNotConflicts() throws {
    let repeated = "2505.10001"
    let server = try FakeChatServer { _, ids in
      let lines = ids.map { FakeChatServer.line(for: $0) } + [FakeChatServer.line(for: repeated)]
      return .content(lines.joined(separator: "\n"))
    }
    defer { server.stop() }

    let (result, log) = try Self.score(ScoringFixtures.papers(2), server: server)

    #expect(result.scores.count == 2)
    #expect(
      log.contains(
        "LLM answer lists a paper more than once; its first valid entry is kept batch=1 "
          + "paper=\(repeated)\n"), "stderr: \(log)")
    #expect(!log.contains("conflicting scores"), "stderr: \(log)")
  }

  @Test func conflictKeepsFirstValidEntry() throws {
    // 2505.10001 is scored 10/10, then 1/1, as in a reply that contradicts itself.
    let server = try FakeChatServer { _, ids in
      let first = #"{"ARXIVID": "2505.10001", "RELEVANCE": 10, "NOVELTY": 10, "COMMENT": "a"}"#
      let second = #"{"ARXIVID": "2505.10001", "RELEVANCE": 1, "NOVELTY": 1, "COMMENT": "b"}"#
      let others = ids.dropFirst().map { FakeChatServer.line(for: $0) }
      return .content(([first, second] + others).joined(separator: "\n"))
    }
    defer { server.stop() }

    let (result, log) = try Self.score(ScoringFixtures.papers(2), server: server)

    let kept = try #require(result.scores.first { $0.paperID == "2505.10001" })
    #expect(kept.relevance == 10)
    #expect(kept.novelty == 10)
    #expect(kept.comment == "a")
    #expect(
      log.contains(
        "warning [scoring] LLM answer gives a paper conflicting scores; its first valid entry "
          + "is kept batch=1 paper=2505.10001 kept=\"RELEVANCE 10, NOVELTY 10\" "
          + "ignored=\"RELEVANCE 1, NOVELTY 1\"\n"), "stderr: \(log)")
  }
}
