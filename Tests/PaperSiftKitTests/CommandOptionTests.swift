import Foundation
import Testing

@testable import PaperSiftKit

/// Options that several commands share, and the exit status of a missing
/// input file, run as a user runs `papersift`.
@Suite struct CommandOptionTests {
  @Test(arguments: [["--topics"], ["--file"]])
  func topicsCommandTakesFileOption(option: [String]) throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }

    let result = try PaperSiftProcess(home: home).run(
      ["topics"] + option + [NightFixtures.topicsFile.path])

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(result.output.contains("topics in \(NightFixtures.topicsFile.path)"))
  }

  @Test func topicsCommandRejectsBothOptions() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let path = NightFixtures.topicsFile.path

    let result = try PaperSiftProcess(home: home).run(
      ["topics", "--topics", path, "--file", path])

    #expect(result.status == 2)
    #expect(result.errorOutput.contains("Pass the topics file once"))
  }

  @Test(arguments: [
    (["run", "--no-llm", "--top", "0"], "Invalid value '0' for --top: expected an integer from 1"),
    (["rank", "--top", "0"], "Invalid value '0' for --top: expected an integer from 1"),
  ])
  func topOfZeroIsRejected(arguments: [String], message: String) throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }

    let result = try PaperSiftProcess(home: home).run(arguments)

    #expect(result.status == 2)
    #expect(result.errorOutput.contains(message), "stderr: \(result.errorOutput)")
  }

  /// A fraction out of range is echoed as typed, and NaN is called no number.
  @Test(arguments: [
    (
      ["--fraction", "0"], "error: Invalid --fraction 0: expected a share above 0 and at most 1.\n"
    ),
    (
      ["--fraction", "1.50"],
      "error: Invalid --fraction 1.50: expected a share above 0 and at most 1.\n"
    ),
    (
      ["--fraction", "nan"],
      "error: Invalid value 'nan' for --fraction: expected a number, and this one is not a "
        + "number.\n"
    ),
    (
      ["--budget", "nan"],
      "error: Invalid value 'nan' for --budget: expected a number of at least 0.0, and this "
        + "one is not a number.\n"
    ),
  ])
  func runNumberOptionsEchoTheValue(arguments: [String], message: String) throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }

    let result = try PaperSiftProcess(home: home).run(["run", "--no-llm"] + arguments)

    #expect(result.status == 2)
    #expect(result.errorOutput.hasSuffix(message), "stderr: \(result.errorOutput)")
  }

  @Test(arguments: [
    ["run", "--no-llm", "--date"], ["rank", "--date"], ["papers", "--date"],
    ["import", "FILE", "--date"], ["score", "FILE", "--date"],
  ])
  func dateOptionIsCheckedAlike(arguments: [String]) throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let papersift = try PaperSiftProcess(home: home)
    let command = arguments.map { $0 == "FILE" ? TestFiles.benchmarkDay.path : $0 }

    let form = try papersift.run(command + ["2025-2-3"])
    let noDay = try papersift.run(command + ["2025-02-30"])
    let leapDay = try papersift.run(command + ["2023-02-29"])

    for result in [form, noDay, leapDay] {
      #expect(result.status == 2, "stderr: \(result.errorOutput)")
    }
    #expect(
      form.errorOutput.hasSuffix(
        "error: Invalid value '2025-2-3' for --date: expected a day as YYYY-MM-DD, such as "
          + "2025-05-05.\n"), "stderr: \(form.errorOutput)")
    #expect(
      noDay.errorOutput.hasSuffix(
        "error: Invalid value '2025-02-30' for --date: not a calendar day, because February "
          + "2025 has days 01 to 28.\n"), "stderr: \(noDay.errorOutput)")
    #expect(
      leapDay.errorOutput.hasSuffix(
        "error: Invalid value '2023-02-29' for --date: not a calendar day, because February "
          + "2023 has days 01 to 28.\n"), "stderr: \(leapDay.errorOutput)")
  }

  @Test(arguments: [
    (["run", "--no-llm", "--top"], "--top"), (["rank", "--top"], "--top"),
    (["score", "FILE", "--limit"], "--limit"),
  ])
  func paperCountsShareRange(arguments: [String], option: String) throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let command = arguments.map { $0 == "FILE" ? TestFiles.benchmarkDay.path : $0 }

    let result = try PaperSiftProcess(home: home).run(command + ["1000001"])

    #expect(result.status == 2)
    #expect(
      result.errorOutput.hasSuffix(
        "error: Invalid value '1000001' for \(option): expected an integer from 1 to 1000000.\n"),
      "stderr: \(result.errorOutput)")
  }

  @Test(arguments: [
    ["topics", "--topics", "MISSING"], ["import", "MISSING"], ["like", "--from", "MISSING"],
  ])
  func missingInputFileExitsTwo(arguments: [String]) throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let missing = home.appendingPathComponent("missing.md").path

    let result = try PaperSiftProcess(home: home).run(
      arguments.map { $0 == "MISSING" ? missing : $0 })

    #expect(result.status == 2, "stderr: \(result.errorOutput)")
    #expect(result.errorOutput.contains(missing))
  }

  @Test func runWithMissingTopicsExitsTwo() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try NightFixtures.configure(home: home, llmBaseURL: nil)
    let day = try NightFixtures.smallDay(5, in: home)
    let missing = home.appendingPathComponent("missing-topics.md").path

    let result = try PaperSiftProcess(home: home).run(
      ["run", "--no-llm", "--input", day.path, "--topics", missing])

    #expect(result.status == 2, "stderr: \(result.errorOutput)")
    #expect(result.errorOutput.contains("Unable to read the topics file '\(missing)'"))
  }
}
