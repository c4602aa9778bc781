import Foundation

/// The `embedding` section of the configuration.
///
/// Every key is optional in `config.json`; a missing key takes the default
/// shown here.
public struct EmbeddingSettings: Codable, Sendable, Equatable {
  /// The encoder that computes the embeddings.
  public enum Provider: String, Codable, Sendable, CaseIterable, ConfigurationChoice {
    public init(from decoder: any Decoder) throws {
      self = try Self.decodeChoice(from: decoder)
    }

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
  /// Texts per forward pass (native) or per request (remote). The native
  /// encoder keeps one workspace per thread, each about 3.9 MB per text of
  /// batch size (256 tokens); 8 ran faster than 16 on 2 cores (Benchmarks/ENCODER.md).
  public var batchSize: Int = 8
  /// The native encoder's precision: `fp32`, or `bf16` (about twice as fast
  /// where the CPU has AVX-512 BF16, cosine to fp32 above 0.999).
  public var precision: EncoderPrecision = .fp32
  /// The base URL of the remote server, up to and including `/v1`.
  public var remoteBaseURL: String = "https://api.openai.com/v1"
  /// The model name sent to the remote server; it is part of the cache key.
  public var remoteModel: String = "text-embedding-3-small"
  /// The environment variable that contains the remote server's API key.
  public var remoteAPIKeyVariable: String = "OPENAI_API_KEY"
  /// Seconds allowed for one request to the remote server.
  public var remoteRequestTimeout: Double = 60
  /// Attempts per request to the remote server, the first included.
  public var remoteMaxAttempts: Int = 4
  /// The longest `Retry-After` of the remote server that a request waits for
  /// before its next attempt, in seconds. A longer one fails the request at once.
  public var remoteMaxRetryAfter: Double = RetryPolicy.defaultMaxRetryAfter

  public init() {}

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let defaults = EmbeddingSettings()
    provider = try container.decodeIfPresent(Provider.self, forKey: .provider) ?? defaults.provider
    modelDirectory = try container.decodeIfPresent(String.self, forKey: .modelDirectory)
    threads = try container.decodeWholeNumber(forKey: .threads) ?? defaults.threads
    batchSize = try container.decodeWholeNumber(forKey: .batchSize) ?? defaults.batchSize
    precision =
      try container.decodeIfPresent(EncoderPrecision.self, forKey: .precision) ?? defaults.precision
    remoteBaseURL =
      try container.decodeIfPresent(String.self, forKey: .remoteBaseURL) ?? defaults.remoteBaseURL
    remoteModel =
      try container.decodeIfPresent(String.self, forKey: .remoteModel) ?? defaults.remoteModel
    remoteAPIKeyVariable =
      try container.decodeIfPresent(String.self, forKey: .remoteAPIKeyVariable)
      ?? defaults.remoteAPIKeyVariable
    remoteRequestTimeout =
      try container.decodeIfPresent(Double.self, forKey: .remoteRequestTimeout)
      ?? defaults.remoteRequestTimeout
    remoteMaxAttempts =
      try container.decodeWholeNumber(forKey: .remoteMaxAttempts)
      ?? defaults.remoteMaxAttempts
    remoteMaxRetryAfter =
      try container.decodeIfPresent(Double.self, forKey: .remoteMaxRetryAfter)
      ?? defaults.remoteMaxRetryAfter
  }

  /// Checks the values that a configuration file may set out of range.
  ///
  /// - Throws: ``PaperSiftError`` with code `configuration`, naming the key,
  ///   the value and the accepted range.
  public func validate() throws {
    guard (0...256).contains(threads) else {
      throw PaperSiftError(
        .configuration,
        "Invalid embedding.threads \(threads) in the configuration: expected 1 to 256 threads, "
          + "or 0 to let OpenBLAS choose.")
    }
    guard (1...4096).contains(batchSize) else {
      throw PaperSiftError(
        .configuration,
        "Invalid embedding.batchSize \(batchSize) in the configuration: expected 1 to 4096 texts "
          + "per forward pass (8 is the default).")
    }
    try URLSetting.check(
      "embedding.remoteBaseURL", remoteBaseURL, example: EmbeddingSettings().remoteBaseURL,
      use: .pathAppended("/embeddings"))
    try SettingRange.checkSeconds("embedding.remoteRequestTimeout", remoteRequestTimeout)
    try SettingRange.checkVariableName("embedding.remoteAPIKeyVariable", remoteAPIKeyVariable)
    try SettingRange.checkCount(
      "embedding.remoteMaxAttempts", remoteMaxAttempts, in: SettingRange.attempts)
    try SettingRange.checkSeconds(
      "embedding.remoteMaxRetryAfter", remoteMaxRetryAfter, allowsZero: true)
  }

  /// Returns the checkpoint folder: the configured override, else the home's default.
  public func resolvedModelDirectory(home: PaperSiftHome) -> URL {
    guard let modelDirectory, !modelDirectory.isEmpty else { return home.modelDirectory }
    return URL(fileURLWithPath: (modelDirectory as NSString).expandingTildeInPath)
  }
}
