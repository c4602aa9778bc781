import Foundation

/// The `embedding` section of the configuration.
///
/// Every key is optional in `config.json`; a missing key takes the default
/// shown here.
public struct EmbeddingSettings: Codable, Sendable, Equatable {
  /// Which encoder computes the embeddings.
  public enum Provider: String, Codable, Sendable, CaseIterable {
    /// The built-in BERT forward pass on OpenBLAS.
    case native
    /// An OpenAI-compatible `/v1/embeddings` server (OpenAI, Ollama, vLLM, TEI).
    case openai
  }

  public var provider: Provider = .native
  /// A checkpoint folder used in place of `<home>/models/all-MiniLM-L6-v2`.
  public var modelDirectory: String?
  /// OpenBLAS threads for the native encoder; 0 lets OpenBLAS choose.
  public var threads: Int = 0
  /// Texts per forward pass (native) or per request (remote).
  public var batchSize: Int = 32
  /// The base URL of the remote server, up to and including `/v1`.
  public var remoteBaseURL: String = "https://api.openai.com/v1"
  /// The model name sent to the remote server; it is part of the cache key.
  public var remoteModel: String = "text-embedding-3-small"
  /// The environment variable that holds the remote server's API key.
  public var remoteAPIKeyVariable: String = "OPENAI_API_KEY"

  public init() {}

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let defaults = EmbeddingSettings()
    provider = try container.decodeIfPresent(Provider.self, forKey: .provider) ?? defaults.provider
    modelDirectory = try container.decodeIfPresent(String.self, forKey: .modelDirectory)
    threads = try container.decodeIfPresent(Int.self, forKey: .threads) ?? defaults.threads
    batchSize = try container.decodeIfPresent(Int.self, forKey: .batchSize) ?? defaults.batchSize
    remoteBaseURL =
      try container.decodeIfPresent(String.self, forKey: .remoteBaseURL) ?? defaults.remoteBaseURL
    remoteModel =
      try container.decodeIfPresent(String.self, forKey: .remoteModel) ?? defaults.remoteModel
    remoteAPIKeyVariable =
      try container.decodeIfPresent(String.self, forKey: .remoteAPIKeyVariable)
      ?? defaults.remoteAPIKeyVariable
  }

  /// The checkpoint folder: the configured override, else the home's default.
  public func resolvedModelDirectory(home: PaperSiftHome) -> URL {
    guard let modelDirectory, !modelDirectory.isEmpty else { return home.modelDirectory }
    return URL(fileURLWithPath: (modelDirectory as NSString).expandingTildeInPath)
  }
}
