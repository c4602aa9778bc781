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

/// The check that every vector an encoder returns can be used.
public enum EmbeddingCheck {
  /// Returns `vectors` when every one is finite and not all zeros.
  ///
  /// - Throws: ``PaperSiftError`` with code `model`, naming the model and
  ///   the first bad vector, since such a vector would rank every paper alike.
  @discardableResult
  public static func validated(_ vectors: [[Float]], modelID: String) throws -> [[Float]] {
    for (index, vector) in vectors.enumerated() {
      let finite = vector.allSatisfy(\.isFinite)
      guard finite, vector.contains(where: { $0 != 0 }) else {
        throw PaperSiftError(
          .model,
          "The encoder '\(modelID)' returned \(finite ? "an all-zero" : "a non-finite") vector "
            + "for text \(index + 1) of \(vectors.count). Check the model: 'papersift model verify' "
            + "for the native encoder, the server and embedding.remoteModel for a remote one.")
      }
    }
    return vectors
  }
}
