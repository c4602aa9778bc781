import Foundation

/// Builds the sentence encoder that the `embedding` configuration names.
public enum EncoderFactory {
  /// Returns the native MiniLM encoder, or the OpenAI-compatible client.
  ///
  /// - Throws: ``PaperSiftError`` with code `configuration` for a thread
  ///   count or batch size out of range. With code `model` when the native
  ///   model's files are missing or invalid, and the message names the fix.
  public static func make(
    _ settings: EmbeddingSettings, home: PaperSiftHome,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> any SentenceEncoder {
    try settings.validate()
    switch settings.provider {
    case .native:
      return try NativeSentenceEncoder(
        directory: settings.resolvedModelDirectory(home: home), threads: settings.threads,
        batchSize: settings.batchSize, precision: settings.precision)
    case .openai:
      return OpenAIEmbeddingsClient(settings: settings, environment: environment)
    }
  }
}

/// Lets the ranking embed topic texts with a ``SentenceEncoder``.
public struct TopicEmbedding: TextEmbedding {
  public let encoder: any SentenceEncoder

  public init(encoder: any SentenceEncoder) {
    self.encoder = encoder
  }

  public func embed(_ texts: [String]) throws -> Matrix {
    let vectors = try encoder.embed(texts)
    let columns = vectors.first?.count ?? encoder.dimension
    return Matrix(rows: vectors.count, columns: columns, values: vectors.flatMap { $0 })
  }
}
