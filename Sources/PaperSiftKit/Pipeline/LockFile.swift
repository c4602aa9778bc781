import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A lock file of the home folder, locked with `flock(2)`, so the kernel
/// releases it when the process exits, also when it is killed. A stale lock
/// file never blocks the next process. The holder writes its process id
/// into the file, so that a waiting process can name it.
final class LockFile {
  let url: URL
  private let descriptor: Int32
  private let state = NSLock()
  private var isLocked = false

  /// Opens or creates the file at `url`.
  ///
  /// - Throws: ``PaperSiftError`` with code `io` when it cannot be opened.
  init(url: URL) throws {
    self.url = url
    descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw PaperSiftError(
        .io, "Unable to open the lock file '\(url.path)': \(String(cString: strerror(errno))).")
    }
  }

  deinit {
    unlock()
    close(descriptor)
  }

  /// Takes the lock when no other process holds it, and returns whether it did.
  func tryLock() -> Bool {
    while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
      guard errno == EINTR else { return false }
    }
    markLocked()
    return true
  }

  /// Takes the lock, waiting as long as another process holds it.
  ///
  /// - Throws: ``PaperSiftError`` with code `io` when `flock` fails.
  func lock() throws {
    while flock(descriptor, LOCK_EX) != 0 {
      guard errno == EINTR else {
        throw PaperSiftError(
          .io, "Unable to lock '\(url.path)': \(String(cString: strerror(errno))).")
      }
    }
    markLocked()
  }

  /// Releases the lock when this process holds it. Later calls do nothing.
  func unlock() {
    let wasLocked = state.withLock {
      defer { isLocked = false }
      return isLocked
    }
    guard wasLocked else { return }
    flock(descriptor, LOCK_UN)
  }

  /// The process id that the holder wrote, or nil when the file has none.
  var holder: String? {
    let text = (try? String(contentsOf: url, encoding: .utf8))?
      .trimmingCharacters(in: .whitespacesAndNewlines)
    return text?.isEmpty == false ? text : nil
  }

  private func markLocked() {
    state.withLock { isLocked = true }
    let pid = "\(getpid())\n"
    ftruncate(descriptor, 0)
    _ = pid.withCString { write(descriptor, $0, strlen($0)) }
  }
}
