import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct RunSettingsTests {
  private func decode(_ json: String) throws -> RunSettings {
    try JSONDecoder().decode(RunSettings.self, from: Data(json.utf8))
  }

  @Test func emptySectionTakesDefaults() throws {
    let settings = try decode("{}")
    #expect(settings.selection.minimumRelevance == 8)
    #expect(settings.selection.minimumNovelty == 7)
    #expect(settings.auditFraction == 0.03)
    #expect(settings.auditMinimum == 5)
    #expect(settings.outputFolder == nil)
    #expect(settings.noLLMPaperCount == 20)
    #expect(settings == RunSettings())
  }

  @Test func partialSectionKeepsOtherDefaults() throws {
    let settings = try decode(#"{"selection": {"minimumRelevance": 7}, "auditMinimum": 2}"#)
    #expect(settings.selection.minimumRelevance == 7)
    #expect(settings.selection.minimumNovelty == 7)
    #expect(settings.auditMinimum == 2)
    #expect(settings.auditFraction == 0.03)
  }

  @Test func configurationLoadsRunSection() throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("papersift-run-settings-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("config.json")
    try Data(#"{"run": {"outputFolder": "/tmp/digests", "auditFraction": 0.1}}"#.utf8)
      .write(to: url)

    let configuration = try Configuration.load(from: url)
    #expect(configuration.run.outputFolder == "/tmp/digests")
    #expect(configuration.run.auditFraction == 0.1)
    #expect(configuration.run.selection == SelectionRule())
  }

  /// `max(auditMinimum, ceil(auditFraction * night))`, capped at the papers
  /// below the cutoff, with the defaults 0.03 and 5.
  @Test(arguments: [
    // ceil(0.03 * 296) = ceil(8.88) = 9.
    (296, 236, 9),
    // ceil(0.03 * 100) = 3, raised to the minimum 5.
    (100, 80, 5),
    // 5 would exceed the 3 papers below the cutoff.
    (10, 3, 3),
    // ceil(0.03 * 1000) = 30.
    (1000, 700, 30),
    (0, 0, 0),
  ])
  func auditSizeFollowsFormula(night: Int, below: Int, expected: Int) {
    let size = RunSettings().auditSampleSize(nightPapers: night, papersBelowCutoff: below)
    #expect(size == expected)
  }

  @Test func zeroSettingsTurnAuditOff() {
    var settings = RunSettings()
    settings.auditFraction = 0
    settings.auditMinimum = 0
    #expect(settings.auditSampleSize(nightPapers: 500, papersBelowCutoff: 400) == 0)
  }

  @Test(arguments: [
    (9, 7, true), (8, 7, true), (8, 6, false), (7, 9, false), (10, 10, true),
  ])
  func defaultRuleSelects(relevance: Int, novelty: Int, selected: Bool) {
    #expect(SelectionRule().selects(relevance: relevance, novelty: novelty) == selected)
  }

  @Test func ruleTextNamesCutoffs() {
    let rule = SelectionRule(minimumRelevance: 7, minimumNovelty: 6)
    #expect(rule.text == "relevance >= 7 and novelty >= 6")
  }

  @Test func defaultsAreValid() throws {
    try RunSettings().validate()
  }

  @Test(arguments: [
    (
      #"{"auditFraction": 1.5}"#,
      "Invalid run.auditFraction 1.5 in the configuration: use a share of the night between "
        + "0 and 1, such as 0.03."
    ),
    (
      #"{"auditMinimum": -1}"#,
      "Invalid run.auditMinimum -1 in the configuration: expected a whole number from 0 to 10000."
    ),
    (
      #"{"noLLMPaperCount": 0}"#,
      "Invalid run.noLLMPaperCount 0 in the configuration: use a paper count of 1 or more."
    ),
    (
      #"{"selection": {"minimumRelevance": 11}}"#,
      "Invalid run.selection.minimumRelevance 11 in the configuration: LLM scores run from "
        + "1 to 10, so use a value in that range."
    ),
    (
      #"{"selection": {"minimumNovelty": 0}}"#,
      "Invalid run.selection.minimumNovelty 0 in the configuration: LLM scores run from "
        + "1 to 10, so use a value in that range."
    ),
  ])
  func invalidValueIsRejected(json: String, message: String) throws {
    let settings = try decode(json)
    let error = #expect(throws: PaperSiftError.self) { try settings.validate() }
    #expect(error?.code == .configuration)
    #expect(error?.message == message)
  }

  @Test func outputDirectoryDefaultsToHome() {
    let home = PaperSiftHome(root: URL(fileURLWithPath: "/tmp/papersift-home"))
    let directory = RunSettings().outputDirectory(home: home)
    #expect(directory.path == "/tmp/papersift-home/digests")
  }

  @Test func outputDirectoryExpandsTilde() {
    var settings = RunSettings()
    settings.outputFolder = "~/digests"
    let home = PaperSiftHome(root: URL(fileURLWithPath: "/tmp/papersift-home"))
    let expected = NSString(string: "~").expandingTildeInPath + "/digests"
    #expect(settings.outputDirectory(home: home).path == expected)
    #expect(!expected.hasPrefix("~"))
  }

  @Test func outputDirectoryKeepsAbsolutePath() {
    var settings = RunSettings()
    settings.outputFolder = "/srv/papers/out"
    let home = PaperSiftHome(root: URL(fileURLWithPath: "/tmp/papersift-home"))
    #expect(settings.outputDirectory(home: home).path == "/srv/papers/out")
  }
}
