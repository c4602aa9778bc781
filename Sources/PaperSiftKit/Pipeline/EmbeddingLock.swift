import Foundation

/// An exclusive lock on a home folder's embedding step, taken by `run` and
/// `rank` around ``NightEmbedding``.
///
/// Two processes that start together after a change of model would both
/// find the same papers without a vector and embed them twice, minutes of
/// work each. With the lock, the second waits for the first to finish, then
/// finds the stored vectors and embeds only what is still missing.
public final class EmbeddingLock {
  private let file: LockFile

  /// Takes the lock at `url`, waiting as long as another process holds it.
  ///
  /// A wait is logged as a notice that names the process holding the lock.
  ///
  /// - Throws: ``PaperSiftError`` with code `io` when the lock file cannot
  ///   be opened or locked.
  public init(url: URL) throws {
    file = try LockFile(url: url)
    guard !file.tryLock() else { return }
    Logger(label: "embedding").notice(
      "Waiting for another PaperSift process to finish embedding papers of this home",
      [("process", file.holder ?? "unknown"), ("lock", url.path)])
    try file.lock()
  }

  /// Releases the lock before the process ends. Later calls do nothing.
  public func release() {
    file.unlock()
  }
}
