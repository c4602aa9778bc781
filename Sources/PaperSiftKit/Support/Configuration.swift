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
