import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A one-line progress display on standard error, shown only when standard
/// error is a terminal, so that logs and cron mail stay clean.
public enum ProgressLine {
  private static let shown = Mutex<Bool>(false)

  /// Whether standard error is a terminal.
  public static var isEnabled: Bool { isatty(2) == 1 }

  /// Replaces the progress line with `text`, for example `embedding 120/300`.
  public static func update(_ text: String) {
    guard isEnabled else { return }
    shown.withLock { shown in
      FileHandle.standardError.write(Data("\r\u{1B}[2K\(text)".utf8))
      shown = true
    }
  }

  /// Removes the progress line, so that the next line starts clean.
  public static func clearIfShown() {
    shown.withLock { shown in
      guard shown else { return }
      FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
      shown = false
    }
  }
}
