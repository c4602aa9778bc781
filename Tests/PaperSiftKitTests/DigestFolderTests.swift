import Foundation
import Testing

@testable import PaperSiftKit

#if canImport(Glibc)
  import Glibc
#endif

/// A folder in which this process cannot create files: mode 0555, and for
/// root, which ignores the mode, the immutable attribute of chattr(1), which
/// needs a file system that keeps it, such as ext4.
struct ReadOnlyFolder {
  let url: URL

  init(in parent: URL) throws {
    url = parent.appendingPathComponent("read-only")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: url.path)
    if geteuid() == 0 { try Self.chattr("+i", url) }
    let probe = url.appendingPathComponent("probe")
    #expect(
      !FileManager.default.createFile(atPath: probe.path, contents: nil),
      "'\(url.path)' is still writable; the test needs chattr(1) and a file system that keeps the immutable attribute"
    )
    try? FileManager.default.removeItem(at: probe)
  }

  /// Whether this process can make such a folder: not root, or root with
  /// chattr(1) allowed to set the immutable attribute, which a container
  /// without the CAP_LINUX_IMMUTABLE capability is not.
  static let canBeMade: Bool = {
    guard geteuid() == 0 else { return true }
    guard let parent = try? TestFiles.temporaryFolder() else { return false }
    defer { try? FileManager.default.removeItem(at: parent) }
    let probe = parent.appendingPathComponent("probe")
    guard (try? run(chattr: "+i", parent)) == 0 else { return false }
    let writable = FileManager.default.createFile(atPath: probe.path, contents: nil)
    _ = try? run(chattr: "-i", parent)
    return !writable
  }()

  /// Makes the folder writable again, so that the test can remove it.
  func restore() {
    if geteuid() == 0 { try? Self.chattr("-i", url) }
    try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
  }

  private static func chattr(_ change: String, _ url: URL) throws {
    let status = try run(chattr: change, url)
    #expect(status == 0, "chattr \(change) '\(url.path)' failed")
  }

  private static func run(chattr change: String, _ url: URL) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
    process.arguments = [change, url.path]
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
  }
}

/// The check that the digest folder can be written, made before a run pays
/// for any LLM request.
@Suite struct DigestFolderTests {
  @Test func missingFolderIsCreatedWithoutLeftovers() throws {
    let parent = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: parent) }
    let folder = parent.appendingPathComponent("digests/nested")

    try DigestFiles.prepareDirectory(folder)

    #expect(FileManager.default.isFolder(folder))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [])
  }

  @Test(.enabled(if: ReadOnlyFolder.canBeMade)) func readOnlyFolderIsNamed() throws {
    let parent = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: parent) }
    let folder = try ReadOnlyFolder(in: parent)
    defer { folder.restore() }

    let error = #expect(throws: PaperSiftError.self) {
      try DigestFiles.prepareDirectory(folder.url)
    }

    #expect(error?.code == .io)
    let message = error?.message ?? ""
    #expect(
      message.hasPrefix("Unable to write into the digest folder '\(folder.url.path)': "),
      "message: \(message)")
    #expect(
      message.hasSuffix(
        "Make it writable, pass another --out folder or set run.outputFolder in the "
          + "configuration."), "message: \(message)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == [])
  }

  @Test(.enabled(if: ReadOnlyFolder.canBeMade)) func readOnlyOutFailsBeforeScoring() throws {
    let night = try SmallNight(papers: 5)
    defer { night.close() }
    let folder = try ReadOnlyFolder(in: night.home)
    defer { folder.restore() }

    let result = try PaperSiftProcess(home: night.home).run(
      NightFixtures.runArguments(night.day, ["--top", "5", "--out", folder.url.path]))

    #expect(result.status == 1)
    #expect(
      result.errorOutput.contains(
        "error: Unable to write into the digest folder '\(folder.url.path)': "),
      "stderr: \(result.errorOutput)")
    #expect(night.server.requests.isEmpty)
    let database = try Database(path: night.home.appendingPathComponent("papersift.sqlite").path)
    #expect(try database.scalar("SELECT COUNT(*) FROM runs") == .integer(0))
  }
}
