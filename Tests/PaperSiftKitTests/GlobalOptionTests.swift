import Foundation
import Testing

@testable import PaperSiftKit

/// Checks the global options `--home`, `--verbose`, `--debug` and `--quiet`
/// after the subcommand, as in `papersift run --verbose`.
@Suite struct GlobalOptionTests {
  /// Runs `papersift arguments...` without the `--home` that
  /// ``PaperSiftProcess`` puts first, with `PAPERSIFT_HOME` set to `home`.
  static func run(_ arguments: [String], home: URL) throws -> PaperSiftProcess.Result {
    let papersift = try PaperSiftProcess(home: home)
    let process = Process()
    process.executableURL = papersift.executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging([
      "PAPERSIFT_HOME": home.path
    ]) { $1 }
    let output = Pipe()
    let errorOutput = Pipe()
    process.standardOutput = output
    process.standardError = errorOutput
    try process.run()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errorOutput.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return PaperSiftProcess.Result(
      status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
      errorOutput: String(decoding: errorData, as: UTF8.self))
  }

  @Test(arguments: ["--verbose", "--debug"])
  func loggingFlagAfterSubcommand(flag: String) throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let day = try NightFixtures.smallDay(3, in: home)

    let result = try PaperSiftProcess(home: home).run(["import", day.path, flag])

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(result.errorOutput.contains("info [import] Read a listing"))
  }

  @Test func quietAfterSubcommand() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }

    let result = try PaperSiftProcess(home: home).run(["likes", "--quiet"])

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(result.errorOutput == "")
    #expect(result.output == "No feedback yet. Run 'papersift like ID' to add some.\n")
  }

  @Test func homeAfterSubcommand() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let other = home.appendingPathComponent("other")

    let result = try Self.run(["likes", "--home", other.path], home: home)

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    let database = other.appendingPathComponent("papersift.sqlite")
    #expect(FileManager.default.fileExists(atPath: database.path))
    let unused = home.appendingPathComponent("papersift.sqlite")
    #expect(!FileManager.default.fileExists(atPath: unused.path))
  }

  @Test func homeBeforeAndAfterIsRejected() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }

    let result = try PaperSiftProcess(home: home).run(["likes", "--home", home.path])

    #expect(result.status == 2)
    #expect(
      result.errorOutput
        == "error: Option '--home' was given more than once: before and after 'likes'. "
        + "Pass it once.\n")
  }

  @Test func globalHelpSaysEitherPlace() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }

    let result = try PaperSiftProcess(home: home).run(["--help"])

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(
      result.output.contains(
        "Global options go before or after the subcommand, as in 'papersift --verbose run' or\n"
          + "'papersift run --verbose'."), "output: \(result.output)")
  }

  @Test func commandHelpListsGlobalOptions() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }

    let result = try PaperSiftProcess(home: home).run(["rank", "--help"])

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(
      result.output.hasSuffix(
        "GLOBAL OPTIONS (before or after 'rank', see 'papersift --help'): --home DIR, "
          + "--verbose, --debug, --quiet\n"), "output: \(result.output)")
  }

  @Test func strayWordBeforeCommandIsRejected() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }

    let result = try PaperSiftProcess(home: home).run(["help", "likes"])

    #expect(result.status == 2)
    #expect(result.output.isEmpty, "output: \(result.output)")
    #expect(
      result.errorOutput
        == "error: Unknown subcommand 'help'. Run 'papersift --help' for the list of "
        + "subcommands.\n")
  }
}
