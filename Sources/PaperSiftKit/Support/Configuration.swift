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
    guard let data = try readFile(url) else { return Configuration() }
    let configuration = try decode(data, file: url)
    let unknown = try configuration.unknownKeys(in: data)
    try rejectMisspeltSections(unknown, in: data, file: url)
    for key in unknown {
      Logger(label: "configuration").warning(
        "Unknown key in the configuration is ignored; check its spelling",
        [("key", key), ("file", url.path)])
    }
    do {
      try configuration.validate()
    } catch let error as PaperSiftError where error.code == .configuration {
      throw withLine(error, in: data)
    }
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

  /// Decodes the text of a configuration file, stricter than `JSONDecoder`.
  ///
  /// The text must be one JSON object without trailing commas, repeated
  /// keys or null values (see ``JSONTextScan``), and each setting must have
  /// its type, with whole numbers where a count is expected.
  ///
  /// - Parameters:
  ///   - data: The text of the file.
  ///   - file: The file, named in messages.
  /// - Returns: The configuration, before its values are checked.
  /// - Throws: ``PaperSiftError`` with code `configuration` naming the file,
  ///   the problem and, where it has one, the key path and line.
  static func decode(_ data: Data, file: URL) throws -> Configuration {
    func invalid(_ problem: String, underlying: (any Error)? = nil) -> PaperSiftError {
      invalidFile(file, problem, underlying: underlying)
    }
    guard data.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
      throw invalid("the file is empty; write {} for the defaults")
    }

    let scan = JSONTextScan(data)
    if let problem = scan.problem { throw invalid("\(problem)") }
    if let location = JSONErrorText.syntaxErrorLocation(in: data) {
      throw invalid("not valid JSON near line \(location.line), column \(location.column)")
    }
    if let root = scan.values[JSONPath()], root.text != "{" {
      throw invalid(
        "\(file.lastPathComponent) must contain one JSON object, such as {} for the defaults, "
          + "but it contains \(JSONErrorText.describeFound(root))")
    }
    // JSONDecoder reads null as an absent key, so null would silently mean
    // the default, which the user may not have meant.
    if let null = scan.firstNullMember {
      throw invalid(
        "expected a value at \(null.path) on line \(null.value.line), found null; leave the "
          + "key out to use its default")
    }

    do {
      return try JSONDecoder().decode(Configuration.self, from: data)
    } catch let error as DecodingError {
      throw invalid(JSONErrorText.describe(error, scan: scan), underlying: error)
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

extension KeyedDecodingContainer {
  /// Decodes the whole number at `key`, or returns nil when the key is
  /// absent or null.
  ///
  /// `JSONDecoder` (Swift 6.3 on Linux) reports a fraction such as 2.5, or a
  /// number beyond the range of `Int`, as text that is not valid JSON, without
  /// the key. This raises a type mismatch at `key` in its place, so that the
  /// message can name the key and the value.
  func decodeWholeNumber(forKey key: Key) throws -> Int? {
    do {
      return try decodeIfPresent(Int.self, forKey: key)
    } catch let error as DecodingError {
      throw error
    } catch {
      let context = DecodingError.Context(
        codingPath: codingPath + [key], debugDescription: "expected a whole number",
        underlyingError: error)
      throw DecodingError.typeMismatch(Int.self, context)
    }
  }
}
