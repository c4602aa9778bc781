import Foundation
import Testing

@testable import PaperSiftKit

#if canImport(Glibc)
  import Glibc
#endif

/// Tests of the progress line as a terminal shows it: `papersift` runs
/// with its standard error on a pseudo-terminal, since the line is drawn
/// only there.
@Suite struct ProgressLineTests {
  /// Runs `papersift arguments...` with standard error on a new
  /// pseudo-terminal and returns the exit status and the bytes written there.
  static func runOnTerminal(_ papersift: PaperSiftProcess, _ arguments: [String]) throws
    -> (status: Int32, terminal: String)
  {
    var primary: Int32 = -1
    var secondary: Int32 = -1
    try #require(openpty(&primary, &secondary, nil, nil, nil) == 0, "openpty failed: \(errno)")
    defer { close(primary) }
    let process = Process()
    process.executableURL = papersift.executable
    process.arguments = ["--home", papersift.home.path] + arguments
    process.environment = ProcessInfo.processInfo.environment.merging(papersift.environment) {
      $1
    }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle(fileDescriptor: secondary, closeOnDealloc: false)
    do {
      try process.run()
    } catch {
      close(secondary)
      throw error
    }
    // The child has its own copy, so reading ends when the child exits.
    close(secondary)

    var written = Data()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = read(primary, &buffer, buffer.count)
      // Linux returns EIO once no process has the terminal open.
      guard count > 0 else { break }
      written.append(contentsOf: buffer[..<count])
    }
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: written, as: UTF8.self))
  }

  /// The night has 3 papers to embed, and the likes and the learned
  /// models' training papers have none.
  @Test func rankShowsNoEmptyEmbeddingProgress() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let server = try EmbeddingLockTests.slowServer()
    defer { server.stop() }
    let config = """
      {"embedding": {"provider": "openai", "remoteBaseURL": "\(server.baseURL)/v1",
        "remoteModel": "fake-embed", "remoteAPIKeyVariable": ""}}
      """
    try Data(config.utf8).write(to: home.appendingPathComponent("config.json"))
    let day = try NightFixtures.smallDay(3, in: home)
    let papersift = try PaperSiftProcess(home: home)
    let imported = try papersift.run(["import", day.path])
    #expect(imported.status == 0, "stderr: \(imported.errorOutput)")
    try EmbeddingLockTests.likeFirstPaper(papersift)

    let (status, terminal) = try Self.runOnTerminal(papersift, ["rank", "--date", "2025-05-05"])

    #expect(status == 0, "terminal: \(terminal)")
    #expect(terminal.contains("\r\u{1B}[2Kembedding 0/3\r\u{1B}[2Kembedding 3/3\r\u{1B}[2K"))
    #expect(!terminal.contains("embedding 0/0"), "terminal: \(terminal)")
  }
}
