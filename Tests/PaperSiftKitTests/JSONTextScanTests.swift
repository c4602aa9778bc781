import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct JSONTextScanTests {
  static func scan(_ text: String) -> JSONTextScan {
    JSONTextScan(Data(text.utf8))
  }

  @Test func valuesKeepTextAndLine() {
    let scan = Self.scan("{\"a\": [1, \"x\", {\"b\": null}],\n \"c\": true, \"d\": -2.5e3}")

    #expect(scan.problem == nil)
    #expect(scan.values.count == 8)
    #expect(scan.values[JSONPath()] == .init(text: "{", line: 1))
    #expect(scan.values[JSONPath([.key("a")])] == .init(text: "[", line: 1))
    #expect(scan.values[JSONPath([.key("a"), .index(0)])] == .init(text: "1", line: 1))
    #expect(scan.values[JSONPath([.key("a"), .index(1)])] == .init(text: "\"x\"", line: 1))
    #expect(scan.values[JSONPath([.key("a"), .index(2)])] == .init(text: "{", line: 1))
    #expect(
      scan.values[JSONPath([.key("a"), .index(2), .key("b")])] == .init(text: "null", line: 1))
    #expect(scan.values[JSONPath([.key("c")])] == .init(text: "true", line: 2))
    #expect(scan.values[JSONPath([.key("d")])] == .init(text: "-2.5e3", line: 2))
  }

  @Test(
    arguments: [
      ([], "top level"), ([.key("llm"), .key("batchSize")], "llm.batchSize"),
      ([.key("fetch"), .key("categories"), .index(0)], "fetch.categories[0]"),
      ([.key("l"), .index(2), .key("k")], "l[2].k"),
    ] as [([JSONPath.Component], String)])
  func pathReadsAsKeysAndIndices(components: [JSONPath.Component], text: String) {
    #expect(JSONPath(components).description == text)
  }

  @Test(arguments: [
    (#"{"a": 1,}"#, JSONTextScan.Problem.trailingComma(line: 1, closing: "}")),
    (#"{"a": [1, 2,]}"#, .trailingComma(line: 1, closing: "]")),
    ("{\n  \"a\": [\n    1,\n  ]\n}", .trailingComma(line: 3, closing: "]")),
    ("{\r\n\"a\": {\"b\": 1},\r\n}", .trailingComma(line: 2, closing: "}")),
    ("\u{FEFF}{\"a\": 1,}", .trailingComma(line: 1, closing: "}")),
    ("[{},]", .trailingComma(line: 1, closing: "]")),
  ])
  func trailingCommaIsFound(text: String, problem: JSONTextScan.Problem) {
    #expect(Self.scan(text).problem == problem)
  }

  @Test(arguments: [
    (
      "{\"llm\": {\"model\": \"a\"},\n \"llm\": {\"model\": \"b\"}}",
      JSONTextScan.Problem.duplicateKey(JSONPath([.key("llm")]), line: 2, firstLine: 1)
    ),
    (
      "{\"llm\": {\"model\": \"a\",\n\n \"model\": \"b\"}}",
      .duplicateKey(JSONPath([.key("llm"), .key("model")]), line: 3, firstLine: 1)
    ),
    (
      #"{"ab": 1, "a\u0062": 2}"#,
      .duplicateKey(JSONPath([.key("ab")]), line: 1, firstLine: 1)
    ),
    (
      #"{"l": [{"k": 1}, {"k": 1, "k": 2}]}"#,
      .duplicateKey(JSONPath([.key("l"), .index(1), .key("k")]), line: 1, firstLine: 1)
    ),
  ])
  func duplicateKeyIsFound(text: String, problem: JSONTextScan.Problem) {
    #expect(Self.scan(text).problem == problem)
  }

  @Test(arguments: [
    #"{"a": {"x": 1}, "b": {"x": 1}}"#,
    #"[{"x": 1}, {"x": 1}]"#,
    #"{"a": "}", "b": "[,]", "c": ",}"}"#,
    #"{"a\"b": "x\\", "a\\\"b": "\"", "ab": 1}"#,
    #"{"x": "a,", "y": [",", "]"]}"#,
    #"{"t": 1e308, "u": -1e-400}"#,
  ])
  func strictTextHasNoProblem(text: String) {
    let scan = Self.scan(text)

    #expect(scan.problem == nil)
    #expect(scan.values[JSONPath()] != nil)
  }

  @Test func escapedQuoteEndsNoString() {
    let scan = Self.scan(#"{"a\"b": "x\\", "c": 1,}"#)

    #expect(scan.problem == .trailingComma(line: 1, closing: "}"))
    #expect(scan.values[JSONPath([.key("a\"b")])] == .init(text: #""x\\""#, line: 1))
    #expect(scan.values[JSONPath([.key("c")])] == .init(text: "1", line: 1))
  }

  @Test(arguments: [
    (#"{"t": 1e400}"#, JSONPath([.key("t")]), "1e400"),
    ("{\"a\": [0,\n -1E999]}", JSONPath([.key("a"), .index(1)]), "-1E999"),
  ])
  func numberBeyondDoubleIsFound(text: String, path: JSONPath, number: String) {
    let line = text.contains("\n") ? 2 : 1

    #expect(Self.scan(text).problem == .numberOutOfRange(path, text: number, line: line))
  }

  @Test(arguments: [
    (#"{"a": "x\ud800"}"#, #"\ud800"#),
    (#"{"a": "\uDFFF y"}"#, #"\uDFFF"#),
    (#"{"a": "\ud83d\u0041"}"#, #"\ud83d"#),
    (#"{"a": "\ud83d"}"#, #"\ud83d"#),
    (#"{"a": ["ok", "\ude00\ud83d"]}"#, #"\ude00"#),
    (#"{"k\udc00": 1}"#, #"\udc00"#),
  ])
  func loneSurrogateIsFound(text: String, escape: String) {
    #expect(Self.scan(text).problem == .loneSurrogate(escape: escape, line: 1))
  }

  /// A whole surrogate pair is one character, and `\\ud800` is an escaped
  /// backslash followed by text.
  @Test(arguments: [#"{"a": "\ud83d\ude00"}"#, #"{"a": "\\ud800"}"#, #"{"a": "\u00e9"}"#])
  func surrogatePairIsAccepted(text: String) {
    #expect(Self.scan(text).problem == nil)
  }

  @Test func nullMemberIsFoundByLine() {
    let scan = Self.scan("{\"b\": [null],\n \"a\": {\"y\": null, \"x\": null},\n \"c\": null}")

    #expect(scan.firstNullMember?.path == JSONPath([.key("a"), .key("x")]))
    #expect(scan.firstNullMember?.value == .init(text: "null", line: 2))
    #expect(Self.scan(#"{"a": [null, 1]}"#).firstNullMember == nil)
  }

  @Test(arguments: [
    Data(#"{"a": 1}"#.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }),
    Data([0xFE, 0xFF, 0x00, 0x7B, 0x00, 0x7D]),
    Data([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]),
  ])
  func textOtherThanUTF8IsRejected(data: Data) {
    let scan = JSONTextScan(data)

    #expect(scan.problem == .notUTF8)
    #expect(scan.values.isEmpty)
  }

  /// Each text has a syntax error before any problem, which is left to
  /// Foundation's parser.
  @Test(arguments: [
    #"{"a": 1 "a": 2}"#, #"{"a": [1,,]}"#, #"{"a": 1,, }"#, #"{"a" 1, "b": 2,}"#,
    #"{"a": [1}, "b": 2,}"#, "{\"a\": \"x\ny\", \"b\": 1,}", #"{"a": 1} {"a": 1,}"#,
    #"{"a": nan, "b": -nan}"#, "{\"a\": \"unterminated,}",
  ])
  func syntaxErrorStopsScan(text: String) {
    #expect(Self.scan(text).problem == nil)
  }

  @Test func problemsReadAsSentences() {
    #expect(
      JSONTextScan.Problem.notUTF8.description
        == "the text is not UTF-8, so save the file as UTF-8")
    let comma = JSONTextScan.Problem.trailingComma(line: 4, closing: "]")
    let duplicate = JSONTextScan.Problem.duplicateKey(
      JSONPath([.key("llm"), .key("model")]), line: 7, firstLine: 3)
    let number = JSONTextScan.Problem.numberOutOfRange(
      JSONPath([.key("llm"), .key("requestTimeout")]), text: "1e400", line: 2)

    #expect(
      comma.description
        == "trailing comma on line 4 before ']', which JSON does not allow, so delete the comma")
    #expect(
      duplicate.description
        == "duplicate key llm.model on line 7 (first on line 3), so keep only one of the two")
    #expect(
      number.description
        == "the number 1e400 at llm.requestTimeout on line 2 is out of range, so use a value "
        + "such as the default or leave the key out")
  }
}
