import Foundation
import Testing

@testable import PaperSiftKit

/// `papersift embed --jsonl FILE` as a user runs it.
@Suite struct EmbedCommandTests {
  @Test(arguments: ["/dev/null", "EMPTY", "BLANK"])
  func emptyInputIsRejected(input: String) throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try NightFixtures.configure(home: home, llmBaseURL: nil)
    let empty = try TestFiles.write("", named: "empty.jsonl", in: home)
    let blank = try TestFiles.write("\n  \n", named: "blank.jsonl", in: home)
    let path = ["EMPTY": empty.path, "BLANK": blank.path][input] ?? input

    let result = try PaperSiftProcess(home: home).run(["embed", "--jsonl", path])

    #expect(result.status == 2)
    #expect(
      result.errorOutput
        == "error: '\(path)' is empty: expected JSON Lines with one {\"text\": ...} object a "
        + "line.\n")
    #expect(result.output == "")
  }

  @Test func textIsEmbedded() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try NightFixtures.configure(home: home, llmBaseURL: nil)
    let input = try TestFiles.write(
      "{\"text\": \"Sparse attention\"}\n", named: "texts.jsonl", in: home)

    let result = try PaperSiftProcess(home: home).run(["embed", "--jsonl", input.path])

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    let lines = result.output.split(separator: "\n")
    #expect(lines.count == 1)
    let object = try #require(
      JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
    #expect((object["embedding"] as? [Double])?.count == 384)
  }
}
