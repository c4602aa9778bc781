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

  /// Returns the cache folder name for this encoder's vectors, because
  /// vectors of two models must never be mixed: `native-FOLDER@FINGERPRINT`
  /// for the native encoder, `openai-MODEL` for an embeddings server.
  ///
  /// - Throws: ``PaperSiftError`` when the native weights cannot be read.
  func cacheName() throws -> String {
    switch settings.provider {
    case .native:
      let folder = settings.resolvedModelDirectory(home: home)
      let weights = try SafeTensorsFile(url: ModelFolder(url: folder).weightsURL)
      return "native-" + folder.lastPathComponent + "@" + weights.fingerprint
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
