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
  private let descriptor: Int32
  private let state = NSLock()
  private var isReleased = false
  public let url: URL

  /// Takes the lock, waiting up to `timeout` seconds for another run to finish.
  ///
  /// - Throws: ``PaperSiftError`` with code `busy` when another process
  ///   still holds the lock after `timeout`.
  public init(url: URL, timeout: Double) throws {
    self.url = url
    let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw PaperSiftError(
        .io, "Unable to open the lock file '\(url.path)': \(String(cString: strerror(errno))).")
    }
    let deadline = Date().addingTimeInterval(timeout)
    while flock(fd, LOCK_EX | LOCK_NB) != 0 {
      guard errno == EWOULDBLOCK || errno == EINTR, Date() < deadline else {
        close(fd)
        let holder = (try? String(contentsOf: url, encoding: .utf8))?
          .trimmingCharacters(in: .whitespacesAndNewlines)
        let process = holder.map { $0.isEmpty ? "" : " (process \($0))" } ?? ""
        throw PaperSiftError(
          .busy,
          "Another PaperSift run\(process) holds '\(url.path)'. Wait for it to finish, or pass "
            + "--wait SECONDS to wait longer.")
      }
      usleep(100_000)
    }
    self.descriptor = fd
    let pid = "\(getpid())\n"
    ftruncate(fd, 0)
    _ = pid.withCString { write(fd, $0, strlen($0)) }
  }

  deinit {
    release()
  }

  /// Releases the lock before the process ends. Later calls do nothing.
  public func release() {
    let wasHeld = state.withLock {
      defer { isReleased = true }
      return !isReleased
    }
    guard wasHeld else { return }
    flock(descriptor, LOCK_UN)
    close(descriptor)
  }
}
