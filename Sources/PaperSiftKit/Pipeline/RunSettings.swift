import Foundation

/// The `run` section of the configuration: the digest's selection rule, the
/// size of the audit sample and the folder the digests go to.
public struct RunSettings: Codable, Sendable, Equatable {
  /// The scores a paper needs to appear in the digest.
  public var selection = SelectionRule()
  /// The share of the night's papers drawn from below the cutoff and scored
  /// too, so the digest can estimate the picks the cutoff lost.
  ///
  /// The default 0.03 is about 9 papers on an average night of cs.LG and
  /// cs.AI (296 papers a day over the 76 days in `Data/benchmark`). When the
  /// prefilter sends a quarter of the night to the LLM, the audit adds about
  /// an eighth to the papers scored. One night's sample gives a wide
  /// interval, which narrows only when samples are pooled over nights.
  public var auditFraction = 0.03
  /// The minimum number of papers audited on a night with papers below the cutoff, so a
  /// small night still gets an estimate. Set it and ``auditFraction`` to 0 to
  /// turn the audit off.
  public var auditMinimum = 5
  /// The papers listed from the top of the prefilter ranking when the LLM
  /// stage is skipped. The default 20 is a little under the 24 picks of a
  /// median night in `Data/benchmark`, because unscored lists are less precise.
  public var noLLMPaperCount = 20
  /// The folder for `digest-YYYY-MM-DD.md` and `.json`, where a leading `~`
  /// is the user's home folder. Nil means the `digests` folder in the PaperSift home.
  public var outputFolder: String?

  public init() {}

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let defaults = RunSettings()
    selection =
      try container.decodeIfPresent(SelectionRule.self, forKey: .selection) ?? defaults.selection
    auditFraction =
      try container.decodeIfPresent(Double.self, forKey: .auditFraction) ?? defaults.auditFraction
    auditMinimum =
      try container.decodeWholeNumber(forKey: .auditMinimum) ?? defaults.auditMinimum
    noLLMPaperCount =
      try container.decodeWholeNumber(forKey: .noLLMPaperCount)
      ?? defaults.noLLMPaperCount
    outputFolder = try container.decodeIfPresent(String.self, forKey: .outputFolder)
  }

  /// Checks the values a user may have mistyped in `config.json`.
  ///
  /// - Throws: ``PaperSiftError`` with code `configuration` naming the key,
  ///   its value and the accepted range.
  public func validate() throws {
    guard auditFraction.isFinite, (0...1).contains(auditFraction) else {
      throw PaperSiftError(
        .configuration,
        "Invalid run.auditFraction \(numberText(auditFraction)) in the configuration: "
          + "use a share of the night between 0 and 1, such as 0.03.")
    }
    try SettingRange.checkCount("run.auditMinimum", auditMinimum, in: 0...10_000)
    guard noLLMPaperCount >= 1 else {
      throw PaperSiftError(
        .configuration,
        "Invalid run.noLLMPaperCount \(noLLMPaperCount) in the configuration: "
          + "use a paper count of 1 or more.")
    }
    try selection.validate()
  }

  /// Returns the number of papers to audit on a night of `nightPapers` papers
  /// of which `papersBelowCutoff` were not sent to the LLM.
  ///
  /// The count is `max(auditMinimum, ceil(auditFraction * nightPapers))`,
  /// capped at `papersBelowCutoff`.
  public func auditSampleSize(nightPapers: Int, papersBelowCutoff: Int) -> Int {
    let share = Int((auditFraction * Double(max(nightPapers, 0))).rounded(.up))
    return min(max(auditMinimum, share), max(papersBelowCutoff, 0))
  }

  /// Returns the folder the digests are written to.
  public func outputDirectory(home: PaperSiftHome) -> URL {
    guard let outputFolder, !outputFolder.isEmpty else { return home.digestDirectory }
    let expanded = NSString(string: outputFolder).expandingTildeInPath
    return URL(fileURLWithPath: expanded, isDirectory: true)
  }
}

/// The rule that keeps a scored paper for the digest: relevance and novelty
/// both at or above their cut-offs.
///
/// The defaults, relevance >= 8 and novelty >= 7, are the rule of the
/// gpt-4o digests behind `Data/benchmark` (2025-04-30 to 2025-09-05).
public struct SelectionRule: Codable, Sendable, Equatable {
  public var minimumRelevance = 8
  public var minimumNovelty = 7

  public init() {}

  public init(minimumRelevance: Int, minimumNovelty: Int) {
    self.minimumRelevance = minimumRelevance
    self.minimumNovelty = minimumNovelty
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let defaults = SelectionRule()
    minimumRelevance =
      try container.decodeWholeNumber(forKey: .minimumRelevance)
      ?? defaults.minimumRelevance
    minimumNovelty =
      try container.decodeWholeNumber(forKey: .minimumNovelty)
      ?? defaults.minimumNovelty
  }

  /// Returns whether a paper with these scores goes into the digest.
  public func selects(relevance: Int, novelty: Int) -> Bool {
    relevance >= minimumRelevance && novelty >= minimumNovelty
  }

  /// The rule as the digest prints it, such as `relevance >= 8 and novelty >= 7`.
  public var text: String {
    "relevance >= \(minimumRelevance) and novelty >= \(minimumNovelty)"
  }

  func validate() throws {
    for (key, value) in [
      ("minimumRelevance", minimumRelevance), ("minimumNovelty", minimumNovelty),
    ] where !(1...10).contains(value) {
      throw PaperSiftError(
        .configuration,
        "Invalid run.selection.\(key) \(value) in the configuration: "
          + "LLM scores run from 1 to 10, so use a value in that range.")
    }
  }
}
