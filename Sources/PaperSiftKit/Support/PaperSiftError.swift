import Foundation

/// An error that PaperSift shows to its user.
///
/// The message is built where the failure happened and says what failed, on
/// which value, and what to do next. It never contains a secret such as an API
/// key or a full prompt. The command-line tool maps ``Code`` to exit codes in
/// one place.
public struct PaperSiftError: Error, CustomStringConvertible, Sendable {
  /// The kind of failure, which decides the exit code.
  public enum Code: String, Sendable {
    /// A command-line argument, file or id that cannot be used, including an
    /// input file named on the command line that does not exist.
    case invalidInput
    /// A paper, model or stored record that does not exist.
    case notFound
    /// A failed network transfer or an HTTP error status.
    case network
    /// A SQLite failure, or another process holding a lock.
    case database
    /// Missing, corrupt or mismatched model files.
    case model
    /// An LLM provider that failed or answered unusably.
    case llm
    /// A configuration file or value that cannot be used.
    case configuration
    /// A file that cannot be read or written.
    case io
    /// Another process holds the run lock of the same home folder.
    case busy
  }

  public var code: Code
  public var message: String
  /// The lower-level error behind this one, kept for logs.
  public var underlying: String?

  public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
    self.code = code
    self.message = message
    self.underlying = underlying.map { String(describing: $0) }
  }

  public var description: String { message }

  /// Returns the system's text for `error` without its closing full stop,
  /// so that it reads inside a sentence of ours.
  public static func describe(_ error: any Error) -> String {
    var text = error.localizedDescription.trimmingCharacters(in: .whitespacesAndNewlines)
    while text.hasSuffix(".") { text.removeLast() }
    return text
  }
}
