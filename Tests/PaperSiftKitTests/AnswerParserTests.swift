import Foundation
import Testing

@testable import PaperSiftKit

/// One LLM response text and what the parser must read from it.
struct ParsingCase: CustomTestStringConvertible, Sendable {
  var name: String
  var text: String
  /// Relevance by id of the valid scores.
  var scored: [String: Int]
  var invalid: [String] = []
  var missing: [String] = []
  var unknown: [String] = []
  var repeated: [String] = []
  var endsIncomplete = false
  /// The fault that left the whole batch without a score.
  var fault: UnscoredReason? = nil

  var testDescription: String { name }
}

@Suite struct AnswerParserTests {
  static let batch = ["2505.00001", "2505.00002", "2505.00003"]

  static func line(_ id: String, _ relevance: String = "8", _ novelty: String = "7") -> String {
    #"{"ARXIVID": "\#(id)", "COMMENT": "About MoE.", "RELEVANCE": \#(relevance), "NOVELTY": \#(novelty)}"#
  }

  static let all = batch.map { line($0) }.joined(separator: "\n")
  static let allScored = Dictionary(uniqueKeysWithValues: batch.map { ($0, 8) })

  static let cases: [ParsingCase] = [
    ParsingCase(name: "one object per line", text: all, scored: allScored),
    ParsingCase(
      name: "code fence and prose",
      text: "Sure! Here you go:\n```json\n\(all)\n```\nLet me know if you need more.",
      scored: allScored),
    ParsingCase(
      name: "JSON array", text: "[" + batch.map { line($0) }.joined(separator: ",") + "]",
      scored: allScored),
    ParsingCase(
      name: "object holding a list",
      text: "{\"papers\": [\n" + batch.map { line($0) }.joined(separator: ",\n") + "\n]}",
      scored: allScored),
    ParsingCase(
      name: "extra fields",
      text: batch.map {
        #"{"ARXIVID": "\#($0)", "TITLE": "x", "RELEVANCE": 8, "NOVELTY": 7, "COMMENT": "c", "#
          + #""CONFIDENCE": {"level": "high"}}"#
      }.joined(separator: "\n"),
      scored: allScored),
    ParsingCase(
      name: "versions and arXiv prefix",
      text: [
        line("2505.00001v2"), line("arXiv:2505.00002"), line("https://arxiv.org/abs/2505.00003v1"),
      ]
      .joined(separator: "\n"),
      scored: allScored),
    ParsingCase(
      name: "lower-case and snake-case keys",
      text: batch.map { #"{"arxiv_id": "\#($0)", "relevance": 8, "novelty": 7, "comment": "c"}"# }
        .joined(separator: "\n"),
      scored: allScored),
    ParsingCase(
      name: "ids not in the batch",
      text: all + "\n" + line("2401.99999") + "\n" + line("not-an-id"),
      scored: allScored, unknown: ["2401.99999", "not-an-id"]),
    ParsingCase(
      name: "missing paper",
      text: [line("2505.00001"), line("2505.00003")].joined(separator: "\n"),
      scored: ["2505.00001": 8, "2505.00003": 8], missing: ["2505.00002"]),
    ParsingCase(
      name: "score of 11",
      text: [line("2505.00001", "11"), line("2505.00002"), line("2505.00003")]
        .joined(separator: "\n"),
      scored: ["2505.00002": 8, "2505.00003": 8], invalid: ["2505.00001"]),
    ParsingCase(
      name: "score of 0 and a fraction",
      text: [line("2505.00001", "0"), line("2505.00002", "8", "7.5"), line("2505.00003")]
        .joined(separator: "\n"),
      scored: ["2505.00003": 8], invalid: ["2505.00001", "2505.00002"]),
    ParsingCase(
      name: "scores that are not numbers",
      text: [
        line("2505.00001", "\"high\""), line("2505.00002", "null"), line("2505.00003", "true"),
      ]
      .joined(separator: "\n"),
      scored: [:], invalid: batch, fault: .invalidScore),
    ParsingCase(
      name: "scores written as numeric strings",
      text: [
        line("2505.00001", "\"9\"", "\"7\""), line("2505.00002", "\" 4 \"", "7"),
        line("2505.00003", "\"10.0\"", "\"1\""),
      ]
      .joined(separator: "\n"),
      scored: ["2505.00001": 9, "2505.00002": 4, "2505.00003": 10]),
    ParsingCase(
      name: "numeric strings out of range or fractional",
      text: [
        line("2505.00001", "\"11\""), line("2505.00002", "\"0\""),
        line("2505.00003", "8", "\"7.5\""),
      ]
      .joined(separator: "\n"),
      scored: [:], invalid: batch, fault: .invalidScore),
    ParsingCase(
      name: "strings that Double parses but are not decimals",
      text: [
        line("2505.00001", "\"1e1\""), line("2505.00002", "\"0x9\""),
        line("2505.00003", "\"inf\"", "\"\""),
      ]
      .joined(separator: "\n"),
      scored: [:], invalid: batch, fault: .invalidScore),
    ParsingCase(
      name: "score key missing",
      text: #"{"ARXIVID": "2505.00001", "NOVELTY": 7}"#, scored: [:], invalid: ["2505.00001"],
      missing: ["2505.00002", "2505.00003"], fault: .invalidScore),
    ParsingCase(
      name: "truncated mid-line",
      text: line("2505.00001") + "\n" + line("2505.00002") + "\n"
        + String(line("2505.00003").prefix(30)),
      scored: ["2505.00001": 8, "2505.00002": 8], missing: ["2505.00003"], endsIncomplete: true),
    ParsingCase(
      name: "truncated JSON object",
      text: "{\"papers\": [\n" + line("2505.00001") + ",\n" + String(line("2505.00002").prefix(50)),
      scored: ["2505.00001": 8], missing: ["2505.00002", "2505.00003"], endsIncomplete: true),
    ParsingCase(
      name: "braces and quotes inside a comment",
      text: batch.map {
        #"{"ARXIVID": "\#($0)", "COMMENT": "Uses {sets} and \"}\" marks {", "RELEVANCE": 8, "#
          + #""NOVELTY": 7}"#
      }.joined(separator: "\n"),
      scored: allScored),
    ParsingCase(
      name: "duplicate id keeps the first valid entry",
      text: [line("2505.00001", "11"), line("2505.00001", "3"), line("2505.00001", "9")]
        .joined(separator: "\n"),
      scored: ["2505.00001": 3], missing: ["2505.00002", "2505.00003"], repeated: ["2505.00001"]),
    ParsingCase(
      name: "repeated ids are each named once",
      text: [
        line("2505.00002", "5"), line("2505.00001"), line("2505.00002v2", "6"),
        line("2505.00002", "7"), line("2505.00003"), line("2505.00001"),
      ]
      .joined(separator: "\n"),
      scored: ["2505.00001": 8, "2505.00002": 5, "2505.00003": 8],
      repeated: ["2505.00002", "2505.00001"]),
    ParsingCase(
      name: "prose only", text: "I cannot score these papers.", scored: [:], missing: batch,
      fault: .answerNotJSON),
    ParsingCase(
      name: "empty answer", text: "", scored: [:], missing: batch, fault: .answerNotJSON),
    ParsingCase(
      name: "prose with braces", text: "Use {ARXIVID, RELEVANCE} for {each paper}.",
      scored: [:], missing: batch, fault: .answerNotJSON),
    ParsingCase(
      name: "cut before the first entry", text: String(line("2505.00001").prefix(30)),
      scored: [:], missing: batch, endsIncomplete: true, fault: .answerNotJSON),
    ParsingCase(
      name: "JSON without entries", text: #"{"papers": []}"#, scored: [:], missing: batch,
      fault: .missingFromAnswer),
    ParsingCase(
      name: "only ids not in the batch",
      text: [line("2501.00001"), line("2501.00002")].joined(separator: "\n"), scored: [:],
      missing: batch, unknown: ["2501.00001", "2501.00002"], fault: .unknownIDs),
    ParsingCase(
      name: "invalid scores and foreign ids",
      text: [line("2505.00001", "0"), line("2501.00002")].joined(separator: "\n"), scored: [:],
      invalid: ["2505.00001"], missing: ["2505.00002", "2505.00003"], unknown: ["2501.00002"],
      fault: .invalidScore),
    ParsingCase(
      name: "id written as a number",
      text: #"{"ARXIVID": 2501.5, "RELEVANCE": 8, "NOVELTY": 7}"#, scored: [:], missing: batch,
      unknown: ["2501.5"], fault: .unknownIDs),
  ]

  @Test(arguments: cases)
  func parse(_ testCase: ParsingCase) {
    let answer = AnswerParser.parse(testCase.text, batchIDs: Self.batch)
    #expect(answer.scores.mapValues(\.relevance) == testCase.scored)
    #expect(answer.invalid.keys.sorted() == testCase.invalid.sorted())
    #expect(answer.missing(from: Self.batch) == testCase.missing)
    #expect(answer.unknownIDs == testCase.unknown)
    #expect(answer.repeatedIDs == testCase.repeated)
    #expect(answer.endsIncomplete == testCase.endsIncomplete)
    #expect(answer.wholeAnswerFault == testCase.fault)
  }

  @Test(arguments: [
    ("2505.00001", nil), ("2505.00002", UnscoredReason.invalidScore),
    ("2505.00003", .missingFromAnswer),
  ])
  func reasonInPartlyScoredAnswer(id: String, reason: UnscoredReason?) {
    let text = [Self.line("2505.00001"), Self.line("2505.00002", "0"), Self.line("2501.00009")]
      .joined(separator: "\n")
    let answer = AnswerParser.parse(text, batchIDs: Self.batch)
    #expect(answer.reason(for: id) == reason)
  }

  @Test(arguments: [
    ("Sorry, I cannot help with that.", UnscoredReason.answerNotJSON),
    (Self.line("2501.00009"), .unknownIDs),
    (#"{"papers": []}"#, .missingFromAnswer),
  ])
  func reasonInUnusableAnswer(text: String, reason: UnscoredReason) {
    let answer = AnswerParser.parse(text, batchIDs: Self.batch)
    for id in Self.batch {
      #expect(answer.reason(for: id) == reason, "\(id)")
    }
  }

  @Test func scoreFieldsAreRead() throws {
    let text =
      #"{"ARXIVID": "2505.00002v3", "COMMENT": "Routing in MoE.", "RELEVANCE": 9, "NOVELTY": 6.0}"#
    let answer = AnswerParser.parse(text, batchIDs: Self.batch)
    let score = try #require(answer.scores["2505.00002"])
    #expect(
      score
        == PaperScore(paperID: "2505.00002", relevance: 9, novelty: 6, comment: "Routing in MoE."))
  }

  @Test func numericStringScoreIsRead() throws {
    let text =
      #"{"ARXIVID": "2505.00002", "COMMENT": "Routing.", "RELEVANCE": "9", "NOVELTY": "6"}"#
    let answer = AnswerParser.parse(text, batchIDs: Self.batch)
    let score = try #require(answer.scores["2505.00002"])
    #expect(
      score == PaperScore(paperID: "2505.00002", relevance: 9, novelty: 6, comment: "Routing."))
    #expect(answer.invalid.isEmpty)
  }

  @Test func invalidScoreIsDescribed() {
    let answer = AnswerParser.parse(Self.line("2505.00001", "11", "\"high\""), batchIDs: Self.batch)
    #expect(answer.invalid["2505.00001"] == #"RELEVANCE 11, NOVELTY "high""#)
  }

  @Test func conflictingRepeatsAreListed() throws {
    let text = [
      Self.line("2505.00001", "11"), Self.line("2505.00001", "3", "4"),
      Self.line("2505.00001", "3", "4"), Self.line("2505.00001", "9", "4"),
      Self.line("2505.00001", "0"), Self.line("2505.00002"), Self.line("2505.00002", "8", "2"),
    ].joined(separator: "\n")

    let answer = AnswerParser.parse(text, batchIDs: Self.batch)

    #expect(answer.scores["2505.00001"]?.relevance == 3)
    #expect(answer.invalid.isEmpty)
    // The same scores again and an invalid entry are no conflict.
    #expect(
      answer.conflicts.map(\.kept.scoreText) == [
        "RELEVANCE 3, NOVELTY 4", "RELEVANCE 8, NOVELTY 7",
      ])
    #expect(
      answer.conflicts.map(\.ignored.scoreText) == [
        "RELEVANCE 9, NOVELTY 4", "RELEVANCE 8, NOVELTY 2",
      ])
    #expect(answer.conflicts.map(\.ignored.paperID) == ["2505.00001", "2505.00002"])
  }

  @Test func matchesByIDNotPosition() {
    let reversed = Self.batch.reversed().enumerated().map { index, id in
      Self.line(id, "\(index + 1)")
    }
    let answer = AnswerParser.parse(reversed.joined(separator: "\n"), batchIDs: Self.batch)
    #expect(answer.scores["2505.00003"]?.relevance == 1)
    #expect(answer.scores["2505.00001"]?.relevance == 3)
  }
}
