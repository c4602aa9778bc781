import Foundation
import PaperSiftKit

/// Returns the encoder that embeds the texts missing from the replay's
/// vector cache, or nil when none is available.
///
/// NOTE: Returns nil because the native MiniLM encoder is not yet part of
/// PaperSiftKit on this branch. Until it is, a run whose vector cache lacks
/// some texts stops with an error that counts them.
func recallEncoder(home: PaperSiftHome) throws -> (any TextEmbedding)? {
  nil
}
