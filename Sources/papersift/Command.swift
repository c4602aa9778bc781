import Foundation
import PaperSiftKit

/// A subcommand of `papersift`.
protocol Command {
  static var spec: CommandSpec { get }
  /// Runs the command and returns its exit status.
  static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitStatus
}

/// The exit statuses of `papersift`, documented in the README.
enum ExitStatus: Int32 {
  /// Done, including a night with no new papers.
  case success = 0
  /// A failure: network, database, model, LLM or file.
  case failure = 1
  /// Invalid command line, configuration or input file.
  case usage = 2
  /// The run finished but some papers stayed unscored; the digest lists them.
  case partial = 3
  /// Another run holds the lock on the same home folder.
  case busy = 4
}

/// The context of every command: the home folder, its checked
/// configuration and, on demand, its database.
struct CommandContext {
  let home: PaperSiftHome
  /// The home's `config.json`, read and range-checked before any command
  /// runs, so that every command stops on a broken file, as README states.
  let configuration: Configuration

  /// Reads and checks the configuration of `home`.
  ///
  /// - Throws: ``PaperSiftError`` with code `configuration` for an invalid
  ///   file, which `main` maps to exit status 2.
  init(home: PaperSiftHome) throws {
    self.home = home
    self.configuration = try Configuration.load(from: home.configurationURL)
  }

  /// Creates the home folder if needed and opens its database.
  func openDatabase() throws -> Database {
    // Created first, so that a home that is a file stops with its error alone.
    try home.create()
    noteNewDatabase()
    return try Database(path: home.databaseURL.path)
  }

  /// Logs a notice when the home folder has no database yet, because a
  /// mistyped --home would otherwise look like an empty history.
  func noteNewDatabase() {
    guard !FileManager.default.fileExists(atPath: home.databaseURL.path) else { return }
    Logger(label: "home").notice(
      "Creating a new PaperSift database; check --home or PAPERSIFT_HOME if you expected one",
      [("path", home.databaseURL.path)])
  }
}
