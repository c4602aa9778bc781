import Foundation

/// The texts of a `papersift embed` input: JSON Lines with one
/// `{"text": "..."}` object a line.
///
/// Output line N is the embedding of input line N, so a line that has no
/// text is rejected with its number rather than skipped. Blank lines after
/// the last object are allowed, because they shift nothing.
public enum EmbedInput {
  /// Reads the `text` of every line of `data`.
  ///
  /// - Parameters:
  ///   - data: The input, UTF-8 JSON Lines.
  ///   - source: The input as messages name it, such as `'texts.jsonl'`.
  /// - Returns: The texts in the order of their lines.
  /// - Throws: ``PaperSiftError`` with code `invalidInput` that names the
  ///   first line that is blank or not such an object, and what is wrong
  ///   with it, or that reports an input without any object.
  public static func texts(in data: Data, source: String) throws -> [String] {
    var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    while let last = lines.last, isBlank(last) { lines.removeLast() }
    guard !lines.isEmpty else {
      let subject = source.prefix(1).uppercased() + source.dropFirst()
      throw PaperSiftError(
        .invalidInput,
        "\(subject) is empty: expected JSON Lines with one {\"text\": ...} object a line.")
    }
    return try lines.enumerated().map { index, line in
      switch text(of: line) {
      case .success(let text):
        return text
      case .failure(let problem):
        throw PaperSiftError(.invalidInput, "Line \(index + 1) of \(source) \(problem.text)")
      }
    }
  }

  /// The problem of one line, worded as the rest of a sentence that starts
  /// with the line's number.
  struct LineProblem: Error {
    var text: String
  }

  static let expectedShape =
    "Each line must be one JSON object with a string \"text\" field, such as "
    + "{\"text\": \"Sparse attention\"}."

  /// Returns the `text` field of one line, or what is wrong with the line.
  static func text(of line: Data) -> Result<String, LineProblem> {
    if isBlank(line) {
      return .failure(
        LineProblem(
          text: "is blank, but output line N is the embedding of input line N. Delete the "
            + "line, or write {\"text\": \"\"} to embed an empty text."))
    }
    if let problem = JSONTextScan(line).problem {
      return .failure(LineProblem(text: describe(problem)))
    }
    let value: JSONValue
    do {
      value = try JSONDecoder().decode(JSONValue.self, from: line)
    } catch {
      let detail = syntaxError(in: line)
      return .failure(
        LineProblem(text: "is not valid JSON\(detail.map { ": \($0)" } ?? ""). \(expectedShape)"))
    }
    guard case .object(let members) = value else {
      return .failure(LineProblem(text: "is \(describe(value)), not an object. \(expectedShape)"))
    }
    switch members["text"] {
    case .string(let text)?:
      return .success(text)
    case nil:
      let keys = members.keys.sorted().prefix(5).map { "\"\($0)\"" }
      let found = keys.isEmpty ? "an empty object" : "keys " + keys.joined(separator: ", ")
      return .failure(
        LineProblem(text: "has no \"text\" key (it has \(found)). \(expectedShape)"))
    case let other?:
      return .failure(
        LineProblem(text: "has \"text\" as \(describe(other)), not a string. \(expectedShape)"))
    }
  }

  private static func isBlank(_ line: Data) -> Bool {
    line.allSatisfy { $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }
  }

  /// Names a JSON value for a message, such as `the number 5` or `null`.
  private static func describe(_ value: JSONValue) -> String {
    switch value {
    case .null: "null"
    case .bool(let flag): "\(flag)"
    case .number: "the number \(value.text)"
    case .string: "a JSON string"
    case .array: "a JSON array"
    case .object: "a JSON object"
    }
  }

  /// Describes what strict JSON rejects in a line that Foundation may accept.
  private static func describe(_ problem: JSONTextScan.Problem) -> String {
    switch problem {
    case .notUTF8:
      "is not UTF-8 text. Save the file as UTF-8."
    case .trailingComma(_, let closing):
      "has a comma right before '\(closing)', which JSON does not allow. Delete the comma."
    case .duplicateKey(let path, _, _):
      "has the key \(path) twice. Keep only one of the two."
    case .numberOutOfRange(let path, let text, _):
      "has the number \(text) at \(path), which is out of range."
    case .loneSurrogate(let escape, _):
      "has the escape \(escape), a lone UTF-16 surrogate, which encodes no character. Write "
        + "the character itself, or both escapes of its surrogate pair."
    }
  }

  /// Returns Foundation's description of the syntax error in `line`, with
  /// its byte offset given as a column from 1, or nil when it gives none.
  private static func syntaxError(in line: Data) -> String? {
    do {
      _ = try JSONSerialization.jsonObject(with: line, options: [.fragmentsAllowed])
      return nil
    } catch {
      guard var text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
      else { return nil }
      if let match = text.firstMatch(of: /around character (\d+)/), let offset = Int(match.1) {
        text.replaceSubrange(match.range, with: "at column \(offset + 1)")
      }
      while text.hasSuffix(".") { text.removeLast() }
      return text
    }
  }
}
