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

  @Test(arguments: [
    (
      "{\"text\": \"a\"}\n\n{\"text\": \"b\"}\n", 2,
      "is blank, but output line N is the embedding of input line N. Delete the line, or write "
        + "{\"text\": \"\"} to embed an empty text."
    ),
    (
      "{\"text\": \"a\"}\n  \t\r\n{\"text\": \"b\"}", 2,
      "is blank, but output line N is the embedding of input line N. Delete the line, or write "
        + "{\"text\": \"\"} to embed an empty text."
    ),
    (
      #"{"text": "\ud800 alone"}"#, 1,
      #"has the escape \ud800, a lone UTF-16 surrogate, which encodes no character. Write the "#
        + "character itself, or both escapes of its surrogate pair."
    ),
    (#"{"text": 5}"#, 1, "has \"text\" as the number 5, not a string. SHAPE"),
    (#"{"text": null}"#, 1, "has \"text\" as null, not a string. SHAPE"),
    (#"{"text": ["a"]}"#, 1, "has \"text\" as a JSON array, not a string. SHAPE"),
    ("null", 1, "is null, not an object. SHAPE"),
    (#"["a", "b"]"#, 1, "is a JSON array, not an object. SHAPE"),
    (#""just a string""#, 1, "is a JSON string, not an object. SHAPE"),
    ("true", 1, "is true, not an object. SHAPE"),
    (
      #"{"title": "T", "abstract": "A"}"#, 1,
      #"has no "text" key (it has keys "abstract", "title"). SHAPE"#
    ),
    ("{}", 1, #"has no "text" key (it has an empty object). SHAPE"#),
    (
      #"{"text": "a",}"#, 1,
      "has a comma right before '}', which JSON does not allow. Delete the comma."
    ),
    (#"{"text": "a", "text": "b"}"#, 1, "has the key text twice. Keep only one of the two."),
    (#"{"text": "a""#, 1, "is not valid JSON: Unexpected end of file during JSON parse. SHAPE"),
    (#"{"text": a}"#, 1, "is not valid JSON: Invalid value at column 10. SHAPE"),
  ])
  func badLineIsNamed(input: String, line: Int, problem: String) throws {
    let shape =
      "Each line must be one JSON object with a string \"text\" field, such as "
      + "{\"text\": \"Sparse attention\"}."
    let message = problem.replacingOccurrences(of: "SHAPE", with: shape)

    #expect {
      try EmbedInput.texts(in: Data(input.utf8), source: "'in.jsonl'")
    } throws: { error in
      (error as? PaperSiftError)?.message == "Line \(line) of 'in.jsonl' \(message)"
    }
  }

  @Test func trailingBlankLinesAreAllowed() throws {
    let input = "{\"text\": \"a\"}\r\n{\"text\": \"\"}\n\n \n"
    #expect(try EmbedInput.texts(in: Data(input.utf8), source: "'in.jsonl'") == ["a", ""])
  }

  /// Runs `papersift embed --jsonl FILE` in a fresh home on a file of `contents`.
  private static func embed(_ contents: String) throws -> (
    result: PaperSiftProcess.Result, input: URL
  ) {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try NightFixtures.configure(home: home, llmBaseURL: nil)
    let input = try TestFiles.write(contents, named: "texts.jsonl", in: home)

    let result = try PaperSiftProcess(home: home).run(["embed", "--jsonl", input.path])
    return (result, input)
  }

  @Test func blankLineIsRejectedByCommand() throws {
    let (result, input) = try Self.embed("{\"text\": \"a\"}\n\n{\"text\": \"b\"}\n")

    #expect(result.status == 2)
    #expect(
      result.errorOutput
        == "error: Line 2 of '\(input.path)' is blank, but output line N is the embedding of "
        + "input line N. Delete the line, or write {\"text\": \"\"} to embed an empty text.\n")
    #expect(result.output == "")
  }

  @Test func textIsEmbedded() throws {
    let (result, _) = try Self.embed("{\"text\": \"Sparse attention\"}\n")

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    let lines = result.output.split(separator: "\n")
    #expect(lines.count == 1)
    let object = try #require(
      JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
    #expect((object["embedding"] as? [Double])?.count == 384)
  }
}
