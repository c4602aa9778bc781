import Foundation

/// The user's settings, stored as `config.json` in the home folder.
///
/// Every key is optional in the file; a missing key takes its default, so a
/// configuration written by an older PaperSift still loads. Each stage owns
/// its section, defined beside the stage's code.
public struct Configuration: Codable, Sendable, Equatable {
  public var fetch = FetchSettings()
  public var embedding = EmbeddingSettings()
  public var ranking = RankingSettings()
  public var llm = LLMSettings()
  public var run = RunSettings()

  public init() {}

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    fetch = try container.decodeIfPresent(FetchSettings.self, forKey: .fetch) ?? FetchSettings()
    embedding =
      try container.decodeIfPresent(EmbeddingSettings.self, forKey: .embedding)
      ?? EmbeddingSettings()
    ranking =
      try container.decodeIfPresent(RankingSettings.self, forKey: .ranking) ?? RankingSettings()
    llm = try container.decodeIfPresent(LLMSettings.self, forKey: .llm) ?? LLMSettings()
    run = try container.decodeIfPresent(RunSettings.self, forKey: .run) ?? RunSettings()
  }

  /// Loads the configuration at `url`, or the defaults when the file does
  /// not exist, and checks every section's values.
  ///
  /// - Throws: ``PaperSiftError`` naming the file and the JSON problem, or
  ///   with code `configuration` naming the key, the value and the accepted range.
  public static func load(from url: URL) throws -> Configuration {
    let configuration = try decode(from: url)
    try configuration.validate()
    return configuration
  }

  /// Checks the values of every section that a configuration file may set
  /// out of range, before any stage runs.
  ///
  /// - Throws: ``PaperSiftError`` with code `configuration` naming the key,
  ///   the value and the accepted range.
  public func validate() throws {
    try fetch.validate()
    try embedding.validate()
    try ranking.validate()
    try llm.validate()
    try run.validate()
  }

  private static func decode(from url: URL) throws -> Configuration {
    guard FileManager.default.fileExists(atPath: url.path) else { return Configuration() }
    do {
      let data = try Data(contentsOf: url)
      let configuration = try JSONDecoder().decode(Configuration.self, from: data)
      for key in try configuration.unknownKeys(in: data) {
        Logger(label: "configuration").warning(
          "Unknown key in the configuration is ignored; check its spelling",
          [("key", key), ("file", url.path)])
      }
      return configuration
    } catch let error as DecodingError {
      throw PaperSiftError(
        .configuration,
        "Invalid configuration file '\(url.path)': "
          + "\(JSONErrorText.describe(error, in: try? Data(contentsOf: url))). "
          + "Fix the file or delete it to return to the defaults.",
        underlying: error)
    } catch {
      throw PaperSiftError(
        .io, "Unable to read '\(url.path)': \(PaperSiftError.describe(error)).", underlying: error)
    }
  }

  /// Returns the dotted paths of keys in `data` that no setting reads, such
  /// as a misspelt `llm.modle`.
  ///
  /// The decoded configuration is encoded again: a key of the file that the
  /// encoding lacks was not read.
  func unknownKeys(in data: Data) throws -> [String] {
    let given = try JSONSerialization.jsonObject(with: data)
    let known = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self))
    var unknown: [String] = []
    func walk(_ given: Any, _ known: Any, path: String) {
      guard let given = given as? [String: Any], let known = known as? [String: Any] else {
        return
      }
      for (key, value) in given {
        let keyPath = path.isEmpty ? key : path + "." + key
        if let match = known[key] {
          walk(value, match, path: keyPath)
        } else {
          unknown.append(keyPath)
        }
      }
    }
    walk(given, known, path: "")
    return unknown.sorted()
  }

  /// Writes the configuration to `url` atomically, keys sorted, for diffs.
  public func save(to url: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    do {
      try encoder.encode(self).write(to: url, options: .atomic)
    } catch {
      throw PaperSiftError(
        .io, "Unable to write the configuration '\(url.path)': \(PaperSiftError.describe(error)).",
        underlying: error)
    }
  }
}

/// A setting whose value is one of a few names, such as `"fp32"` or `"bf16"`.
///
/// Decoding an unknown name fails with a message that lists the accepted ones.
protocol ConfigurationChoice: RawRepresentable<String>, CaseIterable, Decodable {}

extension ConfigurationChoice {
  /// Decodes one of the accepted names.
  static func decodeChoice(from decoder: any Decoder) throws -> Self {
    let container = try decoder.singleValueContainer()
    let name = try container.decode(String.self)
    guard let value = Self(rawValue: name) else {
      let accepted = allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "invalid value '\(name)', expected one of \(accepted)")
    }
    return value
  }
}

/// Readable text for a `DecodingError`: the key path and what was wrong.
public enum JSONErrorText {
  /// Describes `error`; when `data` is given and is not valid JSON, the
  /// text also gives the line and column where parsing stopped.
  public static func describe(_ error: DecodingError, in data: Data?) -> String {
    guard case .dataCorrupted(let context) = error, context.codingPath.isEmpty, let data else {
      return describe(error)
    }
    if data.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
      return "the file is empty; write {} for the defaults"
    }
    // Foundation reports a number too large for an integer setting, such
    // as 1e300, as invalid JSON at the top level, without the key.
    if let (key, number) = outOfRangeNumber(in: data) {
      return "the number \(number) at \(key) is out of range; use a whole number such as the "
        + "default, or leave the key out"
    }
    guard let location = syntaxErrorLocation(in: data) else { return describe(error) }
    return "not valid JSON near line \(location.line), column \(location.column)"
  }

  /// Returns the dotted key and the value of the first number in `data`
  /// beyond the range of `Int`, or nil when it has none or does not parse.
  static func outOfRangeNumber(in data: Data) -> (key: String, number: String)? {
    guard let root = try? JSONSerialization.jsonObject(with: data) else { return nil }
    func search(_ value: Any, path: String) -> (key: String, number: String)? {
      if let object = value as? [String: Any] {
        for key in object.keys.sorted() {
          let keyPath = path.isEmpty ? key : path + "." + key
          if let found = object[key].flatMap({ search($0, path: keyPath) }) { return found }
        }
      } else if let array = value as? [Any] {
        for (index, element) in array.enumerated() {
          if let found = search(element, path: path + "[\(index)]") { return found }
        }
      } else if let number = value as? NSNumber, !(value is Bool) {
        let double = number.doubleValue
        if !double.isFinite || abs(double) >= 9.2e18 { return (path, "\(double)") }
      }
      return nil
    }
    return search(root, path: "")
  }

  /// Returns the line and column (from 1, in bytes) of the first syntax
  /// error in `data`, or nil when it parses or the parser gives no position.
  static func syntaxErrorLocation(in data: Data) -> (line: Int, column: Int)? {
    let message: String
    do {
      _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
      return nil
    } catch {
      guard let text = (error as NSError).userInfo["NSDebugDescription"] as? String else {
        return nil
      }
      message = text
    }
    // Foundation's message ends "... around character N." with N a byte offset from 0.
    guard let range = message.range(of: "character ") else { return nil }
    let digits = message[range.upperBound...].prefix { $0.isNumber }
    guard let offset = Int(digits) else { return nil }
    var line = 1
    var column = 1
    for byte in data.prefix(offset) {
      if byte == UInt8(ascii: "\n") {
        line += 1
        column = 1
      } else {
        column += 1
      }
    }
    return (line, column)
  }

  /// Names a Swift type as a JSON value, such as "a list" for an array.
  static func plainName(of type: Any.Type) -> String {
    let name = String(describing: type)
    if name.hasPrefix("Array") { return "a list" }
    if name.hasPrefix("Dictionary") { return "an object" }
    switch name {
    case "String": return "a string"
    case "Int", "Int64", "Int32": return "a whole number"
    case "Double", "Float": return "a number"
    case "Bool": return "true or false"
    default: return name
    }
  }

  public static func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
      let keys = context.codingPath.map { key in
        key.intValue.map { "[\($0)]" } ?? key.stringValue
      }
      return keys.isEmpty ? "top level" : keys.joined(separator: ".")
    }
    switch error {
    case .typeMismatch(let type, let context):
      return "expected \(plainName(of: type)) at \(path(context))"
    case .valueNotFound(let type, let context):
      return "missing \(type) value at \(path(context))"
    case .keyNotFound(let key, let context):
      return "missing key '\(key.stringValue)' at \(path(context))"
    case .dataCorrupted(let context):
      let underlying = (context.underlyingError as NSError?)?.userInfo["NSDebugDescription"]
      let description =
        context.debugDescription.hasSuffix(".")
        ? String(context.debugDescription.dropLast()) : context.debugDescription
      return "\(description) at \(path(context))"
        + (underlying.map { " (\($0))" } ?? "")
    @unknown default:
      return String(describing: error)
    }
  }
}
