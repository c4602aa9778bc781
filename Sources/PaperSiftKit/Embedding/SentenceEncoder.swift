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
