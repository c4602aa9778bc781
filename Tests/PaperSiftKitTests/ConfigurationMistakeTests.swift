import Foundation
import Testing

@testable import PaperSiftKit

/// Mistakes in `config.json` that stop a command with a clear message: a
/// misspelt section, a folder in place of the file, a value out of range
/// (named with its line) and contradictory minimums of the learned models.
@Suite struct ConfigurationMistakeTests {
  @Test(arguments: [
    ("{\n  \"Fetch\": {\"apiBaseURL\": \"http://127.0.0.1:9/api\"}\n}\n", "Fetch", 2, "fetch"),
    (#"{"LLM": {}}"#, "LLM", 1, "llm"),
    (#"{"fetch": {}, "ranknig": {}}"#, "ranknig", 1, "ranking"),
    ("{\n\n  \"rnu\": {}\n}", "rnu", 3, "run"),
    (#"{"embeddings": {}}"#, "embeddings", 1, "embedding"),
  ])
  func misspeltSectionIsRejected(json: String, key: String, line: Int, section: String) throws {
    let message = try ConfigurationFileTests.expectRejected(
      json,
      problem: "the top-level key \"\(key)\" on line \(line) is no section, so its settings "
        + "would be ignored and the defaults used; rename it to \"\(section)\", as section names "
        + "are lower case")
    #expect(!message.isEmpty)
  }

  /// Keys that resemble no section stay warnings, as README states.
  @Test(arguments: [#"{"comment": "mine"}"#, #"{"$schema": "x", "rank": {}}"#])
  func otherUnknownKeyStillLoads(json: String) throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = try TestFiles.write(json, named: "config.json", in: folder)

    #expect(try Configuration.load(from: url) == Configuration())
  }

  @Test(arguments: [
    ("fetch", "fetch", true), ("Fetch", "fetch", true), ("fetc", "fetch", true),
    ("fetchh", "fetch", true), ("rnu", "run", true), ("fun", "run", true), ("url", "run", false),
    ("lm", "llm", true), ("model", "llm", false), ("rank", "ranking", false),
  ])
  func resemblance(key: String, section: String, resembles: Bool) {
    #expect(Configuration.resembles(key, section) == resembles)
  }

  /// The command stops before any request, with the section meant named.
  @Test func misspeltSectionStopsCommand() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    _ = try TestFiles.write(#"{"Fetch": {}}"#, named: "config.json", in: home)

    let result = try PaperSiftProcess(home: home).run(["--quiet", "likes"])

    #expect(result.status == 2)
    #expect(result.errorOutput.contains(#"rename it to "fetch""#), "\(result.errorOutput)")
    #expect(!FileManager.default.fileExists(atPath: home.path + "/papersift.sqlite"))
  }

  @Test func folderInPlaceOfFileExitsWithStatus2() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let folder = home.appendingPathComponent("config.json")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)

    let result = try PaperSiftProcess(home: home).run(["likes"])

    #expect(result.status == 2)
    #expect(
      result.errorOutput
        == "error: Invalid configuration file '\(folder.path)': it is a folder, not a file. "
        + "Move the folder away, then write the settings to a file of that name, or leave it "
        + "out to use the defaults.\n")
  }

  @Test(arguments: [
    (
      "{\n  \"fetch\": {\n    \"lookupMaxAttempts\": 0\n  }\n}\n",
      "Invalid fetch.lookupMaxAttempts 0 on line 3 of the configuration: expected a whole "
        + "number from 1 to 100."
    ),
    (
      "{\n  \"ranking\": {\n    \"cold\": {\n\n      \"halfLifeDays\": -1\n    }\n  }\n}",
      "Invalid ranking.cold.halfLifeDays -1 on line 5 of the configuration: expected a number "
        + "above 0 to 36500."
    ),
    (
      "{\"llm\": {\n\"apiKeyVariable\": \"sk-abc\"}}",
      "Invalid llm.apiKeyVariable on line 2 of the configuration: the value is not"
    ),
  ])
  func rangeErrorNamesLine(json: String, message: String) throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = try TestFiles.write(json, named: "config.json", in: folder)

    let error = #expect(throws: PaperSiftError.self) { try Configuration.load(from: url) }

    #expect(error?.code == .configuration)
    #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
  }

  @Test(arguments: [
    (
      "{\"ranking\": {\"minimumLabelledPapers\": 10,\n \"minimumPapersPerClass\": 1000}}",
      "Invalid ranking.minimumPapersPerClass 1000 on line 2 of the configuration: its picks and "
        + "other papers make 2000 labelled papers, more than ranking.minimumLabelledPapers 10, "
        + "so the learned models would start at 2000, not at 10. Set "
        + "ranking.minimumPapersPerClass to at most 5, or ranking.minimumLabelledPapers to at "
        + "least 2000."
    ),
    (
      #"{"ranking": {"minimumLabelledPapers": 1, "minimumPapersPerClass": 1}}"#,
      "Invalid ranking.minimumPapersPerClass 1 on line 1 of the configuration: its picks and "
        + "other papers make 2 labelled papers, more than ranking.minimumLabelledPapers 1, so "
        + "the learned models would start at 2, not at 1. Set ranking.minimumLabelledPapers to "
        + "at least 2."
    ),
  ])
  func perClassAboveHalfIsRejected(json: String, message: String) throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = try TestFiles.write(json, named: "config.json", in: folder)

    let error = #expect(throws: PaperSiftError.self) { try Configuration.load(from: url) }

    #expect(error?.message == message)
  }

  /// Half the total, and any per-class minimum without a total minimum, load.
  @Test(arguments: [(10, 5), (0, 1000), (200, 20), (11, 5)])
  func perClassWithinTheTotalLoads(total: Int, perClass: Int) throws {
    var settings = RankingSettings()
    settings.minimumLabelledPapers = total
    settings.minimumPapersPerClass = perClass
    try settings.validate()
  }
}
