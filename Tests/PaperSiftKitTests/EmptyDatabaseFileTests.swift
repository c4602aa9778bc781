import Foundation
import Testing

@testable import PaperSiftKit

/// A database file truncated to 0 bytes, as a failed copy or a full disk
/// leaves it, opened by `papersift` as a user runs it.
@Suite struct EmptyDatabaseFileTests {
  static let warning =
    "The database file is empty (0 bytes); starting a new database in it. If you expected your "
    + "history, restore the file from a copy"

  @Test func emptyFileIsNamedInWarning() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let database = home.appendingPathComponent("papersift.sqlite")
    try Data().write(to: database)

    let result = try PaperSiftProcess(home: home).run(["likes"])

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(
      result.errorOutput.contains("warning [database] \(Self.warning) path=\(database.path)\n"),
      "stderr: \(result.errorOutput)")
    #expect(!result.errorOutput.contains("Creating a new PaperSift database"))
    #expect(result.output == "No feedback yet. Run 'papersift like ID' to add some.\n")
  }

  @Test func newAndUsedFilesGiveNoWarning() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let papersift = try PaperSiftProcess(home: home)

    let first = try papersift.run(["likes"])
    let second = try papersift.run(["likes"])

    #expect(first.status == 0, "stderr: \(first.errorOutput)")
    #expect(first.errorOutput.contains("Creating a new PaperSift database"))
    #expect(!first.errorOutput.contains("is empty"), "stderr: \(first.errorOutput)")
    #expect(second.status == 0, "stderr: \(second.errorOutput)")
    #expect(second.errorOutput == "")
  }
}
