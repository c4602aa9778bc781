import Foundation
import PaperSiftKit

/// The configured sentence encoder, loaded on the first text that the
/// replay's vector cache lacks, so a run on cached vectors needs no model.
final class LazyEncoderEmbedding: TextEmbedding {
  let settings: EmbeddingSettings
  let home: PaperSiftHome
  private var encoder: TopicEmbedding?
  /// Texts embedded so far.
  private(set) var embeddedTexts = 0

  init(settings: EmbeddingSettings, home: PaperSiftHome) {
    self.settings = settings
    self.home = home
  }

  /// The cache folder name for this encoder's vectors, because vectors of
  /// two models must never be mixed: `native-all-MiniLM-L6-v2` for the
  /// native encoder, `openai-MODEL` for an embeddings server.
  var cacheName: String {
    switch settings.provider {
    case .native:
      return "native-" + settings.resolvedModelDirectory(home: home).lastPathComponent
    case .openai:
      return "openai-" + settings.remoteModel.replacingOccurrences(of: "/", with: "-")
    }
  }

  func embed(_ texts: [String]) throws -> Matrix {
    if encoder == nil {
      encoder = TopicEmbedding(encoder: try EncoderFactory.make(settings, home: home))
    }
    guard let encoder else { return Matrix.zeros(rows: 0, columns: 0) }
    ProgressLine.update("embedding \(texts.count) texts (\(embeddedTexts) so far)")
    let matrix = try encoder.embed(texts)
    embeddedTexts += texts.count
    return matrix
  }
}
