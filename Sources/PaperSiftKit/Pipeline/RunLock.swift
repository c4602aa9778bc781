import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// An exclusive lock on a home folder for the length of a nightly run.
///
/// Uses `flock(2)` on a lock file, so the kernel releases the lock when the
/// process exits, also when it is killed; a stale lock file never blocks the
/// next run.
public final class RunLock {
  private let file: LockFile
  public var url: URL { file.url }

  /// Takes the lock, waiting up to `timeout` seconds for another run to finish.
  ///
  /// - Throws: ``PaperSiftError`` with code `busy` when another process
  ///   still holds the lock after `timeout`.
  public init(url: URL, timeout: Double) throws {
    file = try LockFile(url: url)
    let deadline = Date().addingTimeInterval(timeout)
    while !file.tryLock() {
      guard Date() < deadline else {
        let message = Self.busyMessage(holder: file.holder, url: url, timeout: timeout)
        throw PaperSiftError(.busy, message)
      }
      usleep(100_000)
    }
  }

  /// Returns the message for a lock still held after `timeout` seconds,
  /// which suggests the `--wait` option of `run` and `score`.
  static func busyMessage(holder: String?, url: URL, timeout: Double) -> String {
    let process = holder.map { " (process \($0))" } ?? ""
    guard timeout > 0 else {
      return "Another PaperSift run\(process) holds '\(url.path)'. Try again when it has "
        + "finished, or pass --wait SECONDS to wait for it."
    }
    return "Another PaperSift run\(process) still holds '\(url.path)' after a wait of "
      + "\(secondsText(timeout)). Try again when it has finished, or pass a longer --wait SECONDS."
  }

  /// Releases the lock before the process ends. Later calls do nothing.
  public func release() {
    file.unlock()
  }
}
