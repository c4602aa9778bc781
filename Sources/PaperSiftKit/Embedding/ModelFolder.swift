import Foundation

/// The hyperparameters of a BERT checkpoint, read from its `config.json`.
public struct BertConfiguration: Sendable, Equatable {
  public var vocabularySize: Int
  public var hiddenSize: Int
  public var layerCount: Int
  public var headCount: Int
  public var intermediateSize: Int
  public var maxPositions: Int
  public var typeVocabularySize: Int
  public var layerNormEpsilon: Float

  public var headSize: Int { hiddenSize / headCount }
}

/// The pooling that turns token vectors into one sentence vector.
public enum PoolingMode: String, Sendable {
  /// The average of the real (non-padding) token vectors.
  case mean
  /// The vector of the `[CLS]` token.
  case cls
}

/// A sentence-transformers checkpoint folder: `config.json`, `vocab.txt`,
/// `model.safetensors`, and optionally `sentence_bert_config.json` (maximum
/// length) and `1_Pooling/config.json` (pooling mode).
public struct ModelFolder: Sendable {
  public let url: URL
  public let configuration: BertConfiguration
  public let pooling: PoolingMode
  /// The maximum input length in tokens, `[CLS]` and `[SEP]` included.
  public let maxLength: Int
  /// Whether the checkpoint ends in a `Normalize` module (an L2-normalised output).
  public let normalizes: Bool

  /// The files that the encoder reads, relative to the folder.
  public static let requiredFiles = ["config.json", "vocab.txt", "model.safetensors"]

  /// Reads the folder's configuration files.
  ///
  /// - Throws: ``PaperSiftError`` (code `model`) naming the missing or
  ///   invalid file and how to install the model.
  public init(url: URL) throws {
    self.url = url
    for file in Self.requiredFiles {
      let path = url.appendingPathComponent(file).path
      guard FileManager.default.fileExists(atPath: path) else {
        throw PaperSiftError(
          .model,
          "The model file '\(path)' is missing. Run scripts/install-model (or 'papersift model "
            + "install') to install all-MiniLM-L6-v2, or set embedding.modelDirectory in the "
            + "configuration to a BERT checkpoint folder.")
      }
    }
    let config = try Self.readJSON(url.appendingPathComponent("config.json"))
    configuration = try Self.bertConfiguration(
      config, path: url.appendingPathComponent("config.json").path)

    let sentenceConfigURL = url.appendingPathComponent("sentence_bert_config.json")
    let sentenceConfig = try Self.readJSONIfPresent(sentenceConfigURL)
    let configuredLength = sentenceConfig?["max_seq_length"] as? Int
    maxLength = min(configuredLength ?? configuration.maxPositions, configuration.maxPositions)

    let poolingConfig = try Self.readJSONIfPresent(
      url.appendingPathComponent("1_Pooling/config.json"))
    if poolingConfig?["pooling_mode_cls_token"] as? Bool == true {
      pooling = .cls
    } else if poolingConfig == nil || poolingConfig?["pooling_mode_mean_tokens"] as? Bool == true {
      pooling = .mean
    } else {
      throw PaperSiftError(
        .model,
        "The pooling configuration '\(url.path)/1_Pooling/config.json' asks for neither mean nor "
          + "CLS pooling, the two modes PaperSift implements. Use a checkpoint with one of them.")
    }

    let modules = try Self.readJSONArrayIfPresent(url.appendingPathComponent("modules.json"))
    normalizes =
      modules.map { list in
        list.contains { ($0["type"] as? String)?.hasSuffix("Normalize") == true }
      } ?? true
  }

  public var vocabularyURL: URL { url.appendingPathComponent("vocab.txt") }
  public var weightsURL: URL { url.appendingPathComponent("model.safetensors") }

  private static func bertConfiguration(_ json: [String: Any], path: String) throws
    -> BertConfiguration
  {
    func integer(_ key: String) throws -> Int {
      guard let value = json[key] as? Int, value > 0 else {
        throw PaperSiftError(
          .model,
          "The model configuration '\(path)' lacks a positive integer '\(key)'. "
            + "Run scripts/install-model to install the model again.")
      }
      return value
    }
    let configuration = BertConfiguration(
      vocabularySize: try integer("vocab_size"),
      hiddenSize: try integer("hidden_size"),
      layerCount: try integer("num_hidden_layers"),
      headCount: try integer("num_attention_heads"),
      intermediateSize: try integer("intermediate_size"),
      maxPositions: try integer("max_position_embeddings"),
      typeVocabularySize: (json["type_vocab_size"] as? Int) ?? 2,
      layerNormEpsilon: Float((json["layer_norm_eps"] as? Double) ?? 1e-12))
    guard configuration.hiddenSize % configuration.headCount == 0 else {
      throw PaperSiftError(
        .model,
        "The model configuration '\(path)' has hidden_size \(configuration.hiddenSize), not a "
          + "multiple of num_attention_heads \(configuration.headCount).")
    }
    if let activation = json["hidden_act"] as? String, activation != "gelu" {
      throw PaperSiftError(
        .model,
        "The model configuration '\(path)' uses hidden_act '\(activation)'; PaperSift implements "
          + "only 'gelu' (the erf form). Use a checkpoint with it.")
    }
    return configuration
  }

  private static func readJSON(_ url: URL) throws -> [String: Any] {
    guard let object = try readJSONIfPresent(url) else {
      throw PaperSiftError(
        .model, "The model file '\(url.path)' is missing. Run scripts/install-model.")
    }
    return object
  }

  private static func readJSONIfPresent(_ url: URL) throws -> [String: Any]? {
    guard let data = try readIfPresent(url) else { return nil }
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw PaperSiftError(
        .model,
        "The model file '\(url.path)' is not a JSON object. Run scripts/install-model to "
          + "install the model again.")
    }
    return object
  }

  private static func readJSONArrayIfPresent(_ url: URL) throws -> [[String: Any]]? {
    guard let data = try readIfPresent(url) else { return nil }
    guard let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
      throw PaperSiftError(
        .model,
        "The model file '\(url.path)' is not a JSON array. Run scripts/install-model to "
          + "install the model again.")
    }
    return list
  }

  private static func readIfPresent(_ url: URL) throws -> Data? {
    guard FileManager.default.fileExists(atPath: url.path) else { return nil }
    do {
      return try Data(contentsOf: url)
    } catch {
      throw PaperSiftError(
        .model, "Unable to read the model file '\(url.path)': \(PaperSiftError.describe(error)).",
        underlying: error)
    }
  }
}
