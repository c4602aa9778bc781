import Foundation

/// The LLM's judgement of one paper.
public struct PaperScore: Sendable, Equatable, Codable {
  /// The version-less arXiv id.
  public var paperID: String
  /// The match between the paper and the user's topics, 1 to 10.
  public var relevance: Int
  /// The originality and significance of the paper, 1 to 10.
  public var novelty: Int
  public var comment: String

  public init(paperID: String, relevance: Int, novelty: Int, comment: String) {
    self.paperID = paperID
    self.relevance = relevance
    self.novelty = novelty
    self.comment = comment
  }

  /// The two scores as log lines and messages show them, such as
  /// `RELEVANCE 9, NOVELTY 7`.
  var scoreText: String { "RELEVANCE \(relevance), NOVELTY \(novelty)" }
}

/// A later valid entry for a paper whose relevance or novelty differ from
/// those of the paper's first valid entry, which is the one kept.
public struct ScoreConflict: Sendable, Equatable {
  public var kept: PaperScore
  public var ignored: PaperScore
}

/// The scores and faults that one LLM response contained for a batch.
public struct ParsedAnswer: Sendable, Equatable {
  /// Valid scores by version-less id, only for ids of the batch.
  public var scores: [String: PaperScore] = [:]
  /// Ids of the batch whose entry had a score that is not an integer from 1
  /// to 10, with a description of the fault.
  public var invalid: [String: String] = [:]
  /// Ids that were not in the batch, as the response wrote them, without
  /// the quotes of a JSON string.
  public var unknownIDs: [String] = []
  /// Ids of the batch that the response lists more than once, each named
  /// once. The first valid entry of such an id is the one kept.
  public var repeatedIDs: [String] = []
  /// The later valid entries of repeated ids whose scores differ from the
  /// kept ones, in the order of the response.
  public var conflicts: [ScoreConflict] = []
  /// Whether the response ended inside an object, as a truncated one does.
  public var endsIncomplete = false
  /// Whether the response contained a complete JSON object, with an id key
  /// or without.
  public var containsJSONObject = false

  /// Returns the ids of `batch` with neither a valid nor an invalid entry.
  public func missing(from batch: [String]) -> [String] {
    batch.filter { scores[$0] == nil && invalid[$0] == nil }
  }

  /// The fault that left every paper of the batch without a valid score, or
  /// nil when some paper got one.
  ///
  /// An answer without a JSON object is ``UnscoredReason/answerNotJSON``.
  /// Otherwise invalid entries come first, then entries for ids that are not
  /// in the batch, and an answer without any entry is
  /// ``UnscoredReason/missingFromAnswer``.
  public var wholeAnswerFault: UnscoredReason? {
    guard scores.isEmpty else { return nil }
    if !containsJSONObject { return .answerNotJSON }
    if !invalid.isEmpty { return .invalidScore }
    if !unknownIDs.isEmpty { return .unknownIDs }
    return .missingFromAnswer
  }

  /// Returns the reason that the paper `id` of the batch got no score, or
  /// nil when it got one.
  public func reason(for id: String) -> UnscoredReason? {
    guard scores[id] == nil else { return nil }
    if invalid[id] != nil { return .invalidScore }
    switch wholeAnswerFault {
    case .answerNotJSON: return .answerNotJSON
    case .unknownIDs: return .unknownIDs
    default: return .missingFromAnswer
    }
  }
}

/// Reads the scores out of the text of an LLM response.
///
/// The parser looks for JSON objects anywhere in the text, so it accepts one
/// object per line, a JSON array, an object holding a list, code fences and
/// prose around them. An object is a result when it has an `ARXIVID` key
/// (matched ignoring case and non-letters, so `arxiv_id` counts too).
/// Results are matched to the batch by id, after normalising versions and
/// the `arXiv:` prefix, never by position. An object cut off by a truncated
/// response is dropped, and the complete objects before it are kept.
public enum AnswerParser {
  /// Parses `text`, keeping results for `batchIDs` (version-less ids).
  public static func parse(_ text: String, batchIDs: [String]) -> ParsedAnswer {
    let expected = Set(batchIDs)
    var answer = ParsedAnswer()
    var seen: Set<String> = []
    let bytes = Array(text.utf8)
    var index = 0
    while index < bytes.count {
      guard bytes[index] == UInt8(ascii: "{") else {
        index += 1
        continue
      }
      guard let end = closingBrace(in: bytes, from: index) else {
        answer.endsIncomplete = true
        index += 1
        continue
      }
      let object = jsonObject(Array(bytes[index...end]))
      if object != nil { answer.containsJSONObject = true }
      if let fields = object.flatMap(resultFields) {
        record(fields, expected: expected, seen: &seen, into: &answer)
        index = end + 1
      } else {
        // Not a result: a wrapper such as {"papers": [...]} or prose in braces.
        // Look for results inside it.
        index += 1
      }
    }
    return answer
  }

  /// Returns the index of the brace that closes the one at `start`, skipping
  /// braces inside JSON strings, or nil when the text ends first.
  static func closingBrace(in bytes: [UInt8], from start: Int) -> Int? {
    var depth = 0
    var inString = false
    var escaped = false
    for index in start..<bytes.count {
      let byte = bytes[index]
      if inString {
        if escaped {
          escaped = false
        } else if byte == UInt8(ascii: "\\") {
          escaped = true
        } else if byte == UInt8(ascii: "\"") {
          inString = false
        }
        continue
      }
      switch byte {
      case UInt8(ascii: "\""): inString = true
      case UInt8(ascii: "{"): depth += 1
      case UInt8(ascii: "}"):
        depth -= 1
        if depth == 0 { return index }
      default: break
      }
    }
    return nil
  }

  /// Returns the members of the JSON object that `bytes` contain, or nil
  /// when they are not one.
  static func jsonObject(_ bytes: [UInt8]) -> [String: JSONValue]? {
    guard case .object(let object) = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    else { return nil }
    return object
  }

  /// Returns the fields of a JSON object with an id key, keyed by their
  /// lower-cased letters, or nil for an object without one.
  static func resultFields(_ object: [String: JSONValue]) -> [String: JSONValue]? {
    var fields: [String: JSONValue] = [:]
    for (key, value) in object {
      let normalized = String(key.lowercased().filter(\.isLetter))
      if fields[normalized] == nil { fields[normalized] = value }
    }
    return fields["arxivid"] == nil ? nil : fields
  }

  private static func record(
    _ fields: [String: JSONValue], expected: Set<String>, seen: inout Set<String>,
    into answer: inout ParsedAnswer
  ) {
    guard case .string(let written) = fields["arxivid"],
      let id = ArxivIdentifier.parse(written)?.id, expected.contains(id)
    else {
      answer.unknownIDs.append(fields["arxivid"].map(\.unquotedText) ?? "")
      return
    }
    if !seen.insert(id).inserted, !answer.repeatedIDs.contains(id) {
      answer.repeatedIDs.append(id)
    }
    let relevance = score(fields["relevance"])
    let novelty = score(fields["novelty"])
    var comment = ""
    if case .string(let text) = fields["comment"] { comment = text }
    if let kept = answer.scores[id] {
      if let relevance, let novelty, relevance != kept.relevance || novelty != kept.novelty {
        let ignored = PaperScore(
          paperID: id, relevance: relevance, novelty: novelty, comment: comment)
        answer.conflicts.append(ScoreConflict(kept: kept, ignored: ignored))
      }
      return
    }
    guard let relevance, let novelty else {
      var faults: [String] = []
      if relevance == nil { faults.append("RELEVANCE \(fields["relevance"]?.text ?? "missing")") }
      if novelty == nil { faults.append("NOVELTY \(fields["novelty"]?.text ?? "missing")") }
      answer.invalid[id] = faults.joined(separator: ", ")
      return
    }
    answer.invalid[id] = nil
    answer.scores[id] = PaperScore(
      paperID: id, relevance: relevance, novelty: novelty, comment: comment)
  }

  /// Returns a score that has an integer value from 1 to 10, written as a
  /// JSON number such as `9` or `9.0`, or as a string of one such as `"9"`.
  private static func score(_ value: JSONValue?) -> Int? {
    let number: Double
    switch value {
    case .number(let written):
      number = written
    case .string(let written):
      // Decimal digits only, because Double(_:) also accepts "inf", "0x9" and "1e1".
      let trimmed = written.trimmingCharacters(in: .whitespaces)
      guard trimmed.wholeMatch(of: /[0-9]+(\.[0-9]+)?/) != nil, let parsed = Double(trimmed)
      else { return nil }
      number = parsed
    default:
      return nil
    }
    guard number.rounded() == number, (1...10).contains(number) else { return nil }
    return Int(number)
  }
}

/// Any JSON value, decoded without losing the difference between `true`,
/// `1` and `"1"`.
enum JSONValue: Decodable, Equatable, Sendable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }

  /// A short rendering for log and error messages.
  var text: String {
    switch self {
    case .null: "null"
    case .bool(let value): "\(value)"
    case .number(let value):
      value.rounded() == value && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
    case .string(let value): "\"\(value.prefix(40))\""
    case .array: "an array"
    case .object: "an object"
    }
  }

  /// ``text`` without the quotes around a string, for a list of ids.
  var unquotedText: String {
    guard case .string(let value) = self else { return text }
    return String(value.prefix(40))
  }
}
