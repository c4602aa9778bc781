import Foundation
import Testing

@testable import PaperSiftKit

/// Titles that `papersift papers` and `rank` print to the terminal, from a
/// feed whose title carries a right-to-left override, a zero-width space and
/// an escape sequence.
@Suite struct TerminalTitleTests {
  /// "Safe \u{202E}exe.live\u{202C}" would display as "Safe evil.exe".
  static let rawTitle = "Safe \u{202E}exe.live\u{202C} tool\u{200B}kit \u{1B}[31mred Title"
  static let shownTitle = "Safe exe.live toolkit [31mred Title"

  /// Writes a day of one paper with ``rawTitle`` and imports it into `home`.
  private func importDay(in home: URL) throws -> PaperSiftProcess {
    let line: [String: Any] = [
      "id": "2505.00001", "title": Self.rawTitle, "authors": ["Ada Lovelace"],
      "abstract": "A toolkit for safe command lines.", "categories": ["cs.LG"],
    ]
    let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
    let day = try TestFiles.write(
      String(decoding: data, as: UTF8.self) + "\n", named: "2025-05-05.papers.jsonl", in: home)
    let papersift = try PaperSiftProcess(home: home)
    let imported = try papersift.run(["import", day.path])
    #expect(imported.status == 0, "stderr: \(imported.errorOutput)")
    return papersift
  }

  @Test func papersPrintsVisibleTitle() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let papersift = try importDay(in: home)

    let listed = try papersift.run(["papers"])
    let json = try papersift.run(["papers", "--json"])

    #expect(listed.status == 0, "stderr: \(listed.errorOutput)")
    #expect(listed.output == "2505.00001v1      new           2025-05-05  \(Self.shownTitle)\n")
    // The JSON keeps the title as stored, for other tools.
    let papers = try JSONDecoder().decode([ListedPaper].self, from: Data(json.output.utf8))
    #expect(papers.map(\.title) == [Self.rawTitle])
  }

  @Test func rankPrintsVisibleTitle() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try NightFixtures.configure(home: home, llmBaseURL: nil)
    let papersift = try importDay(in: home)

    let ranked = try papersift.run(["rank", "--topics", NightFixtures.topicsFile.path])

    #expect(ranked.status == 0, "stderr: \(ranked.errorOutput)")
    // The header lines come first, and the one paper is the last line.
    let lines = ranked.output.split(separator: "\n")
    #expect(lines.filter { $0.contains("2505.00001") }.count == 1)
    #expect(lines.last?.hasPrefix("  1. 2505.00001  ") == true)
    #expect(lines.last?.hasSuffix("  \(Self.shownTitle)") == true)
    #expect(!ranked.output.unicodeScalars.contains(where: VisibleText.isInvisible))
  }
}
