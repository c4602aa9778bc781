import Foundation
import Testing

@testable import PaperSiftKit

/// `papersift like` as a user runs it, against a loopback arXiv API.
@Suite struct FeedbackCommandTests {
  /// A switch the test flips to take the fake arXiv API on line.
  final class Switch: @unchecked Sendable {
    private let lock = NSLock()
    private var on = false

    var isOn: Bool {
      get { lock.withLock { on } }
      set { lock.withLock { on = newValue } }
    }
  }

  @Test func earlierPendingLikeResolvedByNextLike() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let atom = try Data(contentsOf: try TestFiles.feed("atom-id_list-2025-05-05.xml"))
    let online = Switch()
    let server = try LoopbackHTTPServer { _ in
      online.isOn
        ? ScriptedResponse(body: atom)
        : .text("down", status: 503, headers: [("Retry-After", "0")])
    }
    defer { server.stop() }
    let config = #"{"fetch": {"apiBaseURL": "\#(server.baseURL)/api", "maxAttempts": 1}}"#
    try Data(config.utf8).write(to: home.appendingPathComponent("config.json"))
    let papersift = try PaperSiftProcess(home: home)

    let offline = try papersift.run(["like", "2505.01136"])
    #expect(offline.status == 0, "stderr: \(offline.errorOutput)")
    #expect(offline.errorOutput.contains("stored as pending"))

    online.isOn = true
    let next = try papersift.run(["like", "arXiv:2505.01197v1"])
    #expect(next.status == 0, "stderr: \(next.errorOutput)")
    #expect(next.output == "2505.01197: liked\n")
    #expect(next.errorOutput.contains("also looked up earlier pending feedback: 2505.01136"))
    #expect(!next.errorOutput.contains("stored as pending"))
    // One look-up asked for both papers.
    let query = try #require(server.requests.last?.path)
    #expect(query.contains("2505.01197"))
    #expect(query.contains("2505.01136"))

    let listed = try papersift.run(["likes"])
    #expect(!listed.output.contains("pending"), "likes: \(listed.output)")
  }
}
