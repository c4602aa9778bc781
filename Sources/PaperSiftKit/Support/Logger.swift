import Foundation
import Synchronization

/// A structured logger that writes one line per event to standard error.
///
/// Messages are fixed text; the values that change go in metadata as
/// `key=value` pairs, so that lines can be searched and counted. Never pass a
/// secret (an API key, an `Authorization` header) as metadata.
public struct Logger: Sendable {
  public enum Level: Int, Comparable, Sendable, CaseIterable {
    case debug = 0
    case info
    case notice
    case warning
    case error

    public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

    var name: String {
      switch self {
      case .debug: "debug"
      case .info: "info"
      case .notice: "notice"
      case .warning: "warning"
      case .error: "error"
      }
    }
  }

  /// The lowest level written, shared by every logger of the process.
  public static var minimumLevel: Level {
    get { sharedLevel.withLock { $0 } }
    set { sharedLevel.withLock { $0 = newValue } }
  }

  private static let sharedLevel = Mutex<Level>(.notice)
  private static let sink = Mutex<LogSink>(LogSink())

  public let label: String

  public init(label: String) {
    self.label = label
  }

  public func debug(_ message: String, _ metadata: [(String, String)] = []) {
    log(.debug, message, metadata)
  }

  public func info(_ message: String, _ metadata: [(String, String)] = []) {
    log(.info, message, metadata)
  }

  public func notice(_ message: String, _ metadata: [(String, String)] = []) {
    log(.notice, message, metadata)
  }

  public func warning(_ message: String, _ metadata: [(String, String)] = []) {
    log(.warning, message, metadata)
  }

  public func error(_ message: String, _ metadata: [(String, String)] = []) {
    log(.error, message, metadata)
  }

  public func log(_ level: Level, _ message: String, _ metadata: [(String, String)]) {
    guard level >= Logger.minimumLevel else { return }
    var line = "\(level.name) [\(label)] \(message)"
    for (key, value) in metadata {
      line += " \(key)=\(Logger.quoted(value))"
    }
    Logger.sink.withLock { $0.write(line) }
  }

  static func quoted(_ value: String) -> String {
    let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" }
    guard needsQuotes else { return value }
    return "\"" + value.replacingOccurrences(of: "\"", with: "\\\"") + "\""
  }
}

/// The destination of log lines: standard error, after clearing a progress line.
struct LogSink {
  func write(_ line: String) {
    ProgressLine.clearIfShown()
    FileHandle.standardError.write(Data((line + "\n").utf8))
  }
}
