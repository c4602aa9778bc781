import Foundation

/// Turns texts into fixed-size embedding vectors.
///
/// Implemented by ``NativeSentenceEncoder`` (BERT on OpenBLAS) and by
/// ``OpenAIEmbeddingsClient`` (an OpenAI-compatible `/v1/embeddings` server).
public protocol SentenceEncoder: AnyObject {
  /// The identity of the model, part of every cache key: vectors from two
  /// encoders with different ids are never mixed.
  var modelID: String { get }
  /// The length of every vector that ``embed(_:)`` returns.
  var dimension: Int { get }
  /// Returns one vector per text, in the order of `texts`.
  func embed(_ texts: [String]) throws -> [[Float]]
}

extension EmbeddingSettings {
  /// Creates the encoder that the settings select: the native model in the
  /// configured folder (else `<home>/models/all-MiniLM-L6-v2`), or the
  /// OpenAI-compatible client with its key read from the named variable.
  ///
  /// - Throws: ``PaperSiftError`` (code `model`) when the native model is
  ///   missing or corrupt; the message names `scripts/install-model`.
  public func makeEncoder(
    home: PaperSiftHome, environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> any SentenceEncoder {
    switch provider {
    case .native:
      return try NativeSentenceEncoder(
        directory: resolvedModelDirectory(home: home), threads: threads, batchSize: batchSize)
    case .openai:
      return OpenAIEmbeddingsClient(settings: self, environment: environment)
    }
  }
}
