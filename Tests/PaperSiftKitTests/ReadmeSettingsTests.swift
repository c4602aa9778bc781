import Foundation
import Testing

@testable import PaperSiftKit

/// Settings that the README must name, with the defaults that the code uses.
@Suite struct ReadmeSettingsTests {
  /// Returns the README with every run of whitespace folded into one space, so
  /// that a phrase wrapped across lines still matches.
  static func readme() throws -> String {
    let url = TestFiles.repositoryRoot.appendingPathComponent("README.md")
    let text = try String(contentsOf: url, encoding: .utf8)
    return text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }

  @Test(arguments: [
    "`ranking.minimumLabelledPapers` (default \(RankingSettings().minimumLabelledPapers))",
    "`ranking.minimumPapersPerClass` (default \(RankingSettings().minimumPapersPerClass))",
    "`ranking.model.trainingDays` (default \(ModelParameters().trainingDays))",
    "A night's own likes and scores count from the next night on.",
    "`llm.pricesPath` names a JSON file of the same form that replaces that table",
    "`fetch.requestTimeoutSeconds` (default \(Int(FetchSettings().requestTimeoutSeconds)))",
    "`fetch.maxAttempts` attempts (default \(FetchSettings().maxAttempts))",
    "`fetch.lookupTimeoutSeconds` (default \(Int(FetchSettings().lookupTimeoutSeconds)))",
    "`fetch.lookupMaxAttempts` (default \(FetchSettings().lookupMaxAttempts))",
  ])
  func readmeNamesSetting(phrase: String) throws {
    #expect(try Self.readme().contains(phrase))
  }
}
