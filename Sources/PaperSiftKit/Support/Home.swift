import Foundation

/// The folder that holds PaperSift's database, configuration, model and
/// digests.
///
/// Chosen by `--home DIR`, else `$PAPERSIFT_HOME`, else `~/.papersift`.
public struct PaperSiftHome: Sendable {
  public let root: URL

  public init(root: URL) {
    self.root = root
  }

  /// Resolves the home folder from a `--home` value, else from the environment.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput` for an empty or
  ///   blank `--home`, which most often comes from an unset shell variable
  ///   (as in `--home "$PS_HOME"` or `--home "$PS_HOME "`) and would
  ///   otherwise open the default home or a folder named by spaces.
  public static func resolve(
    flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> PaperSiftHome {
    guard let flag else { return fromEnvironment(environment) }
    guard !isBlank(flag) else {
      throw PaperSiftError(
        .invalidInput,
        "Invalid value '\(flag)' for --home: expected a folder. An empty or blank value often "
          + "comes from an unset shell variable, as in --home \"$PS_HOME\". Pass a folder, or "
          + "leave --home out to use $PAPERSIFT_HOME, else ~/.papersift.")
    }
    return PaperSiftHome(root: URL(fileURLWithPath: (flag as NSString).expandingTildeInPath))
  }

  /// Resolves the home folder from `$PAPERSIFT_HOME`, else `~/.papersift`.
  ///
  /// An empty `PAPERSIFT_HOME` counts as unset, as version 0.7 of the XDG
  /// base directory specification treats its variables ("either not set or
  /// empty") and as `${PAPERSIFT_HOME:-...}` in `scripts/install-model`
  /// does. So does one of white space only, which would otherwise name a
  /// folder of spaces in the working directory. A warning names the folder
  /// used, because the variable may be empty by mistake, such as in a cron
  /// line.
  public static func fromEnvironment(
    _ environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> PaperSiftHome {
    let value = environment["PAPERSIFT_HOME"]
    if let value, !isBlank(value) {
      return PaperSiftHome(root: URL(fileURLWithPath: (value as NSString).expandingTildeInPath))
    }
    let user = environment["HOME"] ?? NSHomeDirectory()
    let home = PaperSiftHome(
      root: URL(fileURLWithPath: user).appendingPathComponent(".papersift"))
    if value != nil {
      Logger(label: "home").warning(
        "PAPERSIFT_HOME is set but empty or blank, so the default home folder is used; unset "
          + "the variable or set it to a folder",
        [("path", home.root.path)])
    }
    return home
  }

  /// Returns whether `value` is empty or white space only, which names no
  /// folder that a user means.
  static func isBlank(_ value: String) -> Bool {
    value.allSatisfy { $0.isWhitespace }
  }

  public var databaseURL: URL { root.appendingPathComponent("papersift.sqlite") }
  public var configurationURL: URL { root.appendingPathComponent("config.json") }
  public var modelDirectory: URL { root.appendingPathComponent("models/all-MiniLM-L6-v2") }
  public var digestDirectory: URL { root.appendingPathComponent("digests") }
  public var runLockURL: URL { root.appendingPathComponent("run.lock") }
  public var embeddingLockURL: URL { root.appendingPathComponent("embedding.lock") }

  /// Creates the folder when it does not exist yet.
  public func create() throws {
    do {
      try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    } catch {
      let cause = FileManager.default.folderCreationFailure(root, error: error)
      throw PaperSiftError(
        .io,
        "Unable to create the PaperSift home folder '\(root.path)': \(cause). "
          + "Pass a writable folder with --home or PAPERSIFT_HOME.",
        underlying: error)
    }
  }
}
