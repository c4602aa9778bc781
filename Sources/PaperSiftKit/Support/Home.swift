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

  /// Resolves the home folder from a `--home` value and the environment.
  public static func resolve(
    flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> PaperSiftHome {
    if let flag, !flag.isEmpty {
      return PaperSiftHome(root: URL(fileURLWithPath: (flag as NSString).expandingTildeInPath))
    }
    if let value = environment["PAPERSIFT_HOME"], !value.isEmpty {
      return PaperSiftHome(root: URL(fileURLWithPath: (value as NSString).expandingTildeInPath))
    }
    let home = environment["HOME"] ?? NSHomeDirectory()
    return PaperSiftHome(root: URL(fileURLWithPath: home).appendingPathComponent(".papersift"))
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
      throw PaperSiftError(
        .io,
        "Unable to create the PaperSift home folder '\(root.path)': \(PaperSiftError.describe(error)). "
          + "Pass a writable folder with --home or PAPERSIFT_HOME.",
        underlying: error)
    }
  }
}
