import Foundation
import Testing

@testable import PaperSiftKit

/// The choice of the home folder of `papersift` and the check of its configuration.
@Suite struct HomeFolderTests {
  /// Runs `papersift arguments...` without the `--home` that
  /// ``PaperSiftProcess`` adds, with `PAPERSIFT_HOME` unset unless
  /// `environment` sets it. Output files go to `folder`.
  static func run(
    _ arguments: [String], environment: [String: String], folder: URL
  ) throws -> PaperSiftProcess.Result {
    var papersift = try PaperSiftProcess(home: folder, environment: environment)
    papersift.passesHome = false
    papersift.unsetVariables = ["PAPERSIFT_HOME"]
    return try papersift.run(arguments)
  }

  @Test(arguments: [
    (["--home", "", "likes"], ""), (["likes", "--home="], ""), (["--home=", "papers"], ""),
    (["likes", "--home", " "], " "), (["--home", " \t", "likes"], " \t"),
  ])
  func emptyHomeOptionIsRejected(arguments: [String], value: String) throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let user = folder.appendingPathComponent("user")

    let result = try Self.run(arguments, environment: ["HOME": user.path], folder: folder)

    #expect(result.status == 2)
    #expect(
      result.errorOutput
        == "error: Invalid value '\(value)' for --home: expected a folder. An empty or blank "
        + "value often comes from an unset shell variable, as in --home \"$PS_HOME\". Pass a "
        + "folder, or leave --home out to use $PAPERSIFT_HOME, else ~/.papersift.\n")
    #expect(!FileManager.default.fileExists(atPath: user.path))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
  }

  @Test(arguments: ["", " ", "\t "])
  func emptyVariableNamesDefaultHome(value: String) throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let user = folder.appendingPathComponent("user")
    try FileManager.default.createDirectory(at: user, withIntermediateDirectories: true)

    let result = try Self.run(
      ["likes"], environment: ["HOME": user.path, "PAPERSIFT_HOME": value], folder: folder)

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(
      result.errorOutput.contains(
        "warning [home] PAPERSIFT_HOME is set but empty or blank, so the default home folder "
          + "is used; unset the variable or set it to a folder path=\(user.path)/.papersift"),
      "stderr: \(result.errorOutput)")
    #expect(FileManager.default.fileExists(atPath: user.path + "/.papersift/papersift.sqlite"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["user"])
  }

  @Test func unsetVariableLogsNoNotice() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let user = folder.appendingPathComponent("user")

    let result = try Self.run(["likes"], environment: ["HOME": user.path], folder: folder)

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(!result.errorOutput.contains("PAPERSIFT_HOME is set but empty"))
  }

  @Test func homeUnderFileNamesTheFile() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("notes.txt")
    try Data("x".utf8).write(to: file)
    let home = file.appendingPathComponent("home")

    let result = try Self.run(
      ["--home", home.path, "like", "2505.00001"], environment: [:], folder: folder)

    #expect(result.status == 1)
    #expect(
      result.errorOutput
        == "error: Unable to create the PaperSift home folder '\(home.path)': '\(file.path)' is "
        + "a file, not a folder. Pass a writable folder with --home or PAPERSIFT_HOME.\n")
  }

  /// The new-database notice comes only once the home folder exists, so a
  /// home that is a file gets its error alone, from `run` too.
  @Test(arguments: [["likes"], ["run", "--no-llm"]])
  func fileAsHomeGetsNoNotice(arguments: [String]) throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("home")
    try Data("x".utf8).write(to: file)

    let result = try Self.run(
      ["--home", file.path] + arguments, environment: [:], folder: folder)

    #expect(result.status == 1)
    #expect(
      result.errorOutput
        == "error: Unable to create the PaperSift home folder '\(file.path)': '\(file.path)' is "
        + "a file, not a folder. Pass a writable folder with --home or PAPERSIFT_HOME.\n")
  }

  /// Every command that uses the home stops on an invalid `config.json`,
  /// those that read no setting included, before touching the database.
  @Test(arguments: [["likes"], ["papers"], ["unlike", "2505.00001"], ["topics"]])
  func invalidConfigurationStopsCommand(arguments: [String]) throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try Data(#"{"fetch": {"maxAttempts": 2.5}}"#.utf8)
      .write(to: home.appendingPathComponent("config.json"))
    let papersift = try PaperSiftProcess(home: home)

    let result = try papersift.run(arguments)

    #expect(result.status == 2)
    #expect(result.errorOutput.contains("fetch.maxAttempts"), "stderr: \(result.errorOutput)")
    #expect(result.output.isEmpty)
    #expect(!FileManager.default.fileExists(atPath: home.path + "/papersift.sqlite"))
  }
}
