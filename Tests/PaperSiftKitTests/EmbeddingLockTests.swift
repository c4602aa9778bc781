import Foundation
import Testing

@testable import PaperSiftKit

/// Tests that processes of one home take turns at embedding.
@Suite struct EmbeddingLockTests {
  /// Starts an embeddings server that returns the vector [1, i + 1, 2] for
  /// the input at position i, 0.3 s after each request, so that a night of
  /// 20 papers in batches of 4 takes 1.5 s to embed.
  static func slowServer() throws -> LoopbackHTTPServer {
    try LoopbackHTTPServer { request in
      guard let input = inputs(of: request) else { return .text("bad request", status: 400) }
      let items = input.indices.map { "{\"index\":\($0),\"embedding\":[1,\($0 + 1),2]}" }
      var response = ScriptedResponse.json("{\"data\":[\(items.joined(separator: ","))]}")
      response.delay = 0.3
      return response
    }
  }

  static func inputs(of request: RecordedRequest) -> [String]? {
    let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]
    return object?["input"] as? [String]
  }

  @Test func concurrentRanksEmbedOnce() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let server = try Self.slowServer()
    defer { server.stop() }
    let config = """
      {"embedding": {"provider": "openai", "remoteBaseURL": "\(server.baseURL)/v1",
        "remoteModel": "fake-embed", "remoteAPIKeyVariable": "", "batchSize": 4}}
      """
    try Data(config.utf8).write(to: home.appendingPathComponent("config.json"))
    let day = try NightFixtures.smallDay(20, in: home)
    let papersift = try PaperSiftProcess(home: home)
    let imported = try papersift.run(["import", day.path])
    #expect(imported.status == 0, "stderr: \(imported.errorOutput)")
    // Without a topics file, a like is what ranks the night.
    try EmbeddingLockTests.likeFirstPaper(papersift)
    let rank = ["rank", "--date", "2025-05-05", "--json"]

    let first = try papersift.start(rank)
    // The first request shows that the first rank holds the lock and embeds.
    let deadline = Date().addingTimeInterval(60)
    while server.requests.isEmpty, first.0.isRunning, Date() < deadline {
      Thread.sleep(forTimeInterval: 0.02)
    }
    let second = try papersift.run(rank)
    let firstResult = try PaperSiftProcess.finish(first)

    #expect(firstResult.status == 0, "stderr: \(firstResult.errorOutput)")
    #expect(second.status == 0, "stderr: \(second.errorOutput)")
    #expect(
      second.errorOutput.contains(
        "Waiting for another PaperSift process to finish embedding papers of this home "
          + "process=\(first.0.processIdentifier)"))
    #expect(!firstResult.errorOutput.contains("Waiting for another PaperSift process"))
    // The first rank embeds the 20 papers. The second finds them stored and
    // embeds one again, because a remote encoder learns the length of its
    // vectors only from a response. Without the lock it would embed all 20.
    let texts = server.requests.compactMap(Self.inputs(of:)).map(\.count)
    #expect(texts.reduce(0, +) == 21, "texts per request: \(texts)")
    #expect(second.output == firstResult.output)
  }

  /// Likes the first stored paper of 2025-05-05, so that `rank` has
  /// something to rank by in a home without a topics file.
  static func likeFirstPaper(_ papersift: PaperSiftProcess) throws {
    let listing = try ImportCommandTests.listed(
      try papersift.run(["papers", "--date", "2025-05-05", "--json"]))
    let first = try #require(listing.first?.id)
    let liked = try papersift.run(["like", first])
    #expect(liked.status == 0, "stderr: \(liked.errorOutput)")
  }
}
