import Foundation

extension Configuration {
  /// The top-level keys that a configuration file may have.
  static let sectionNames = ["embedding", "fetch", "llm", "ranking", "run"]

  /// Returns the error for a configuration file with `problem`.
  static func invalidFile(_ file: URL, _ problem: String, underlying: (any Error)? = nil)
    -> PaperSiftError
  {
    PaperSiftError(
      .configuration,
      "Invalid configuration file '\(file.path)': \(problem). "
        + "Fix the file or delete it to return to the defaults.",
      underlying: underlying)
  }

  /// Returns the text of the configuration file at `url`, or nil when it
  /// does not exist.
  ///
  /// - Throws: ``PaperSiftError`` with code `configuration` when `url` is a
  ///   folder, or `io` when the file cannot be read.
  static func readFile(_ url: URL) throws -> Data? {
    guard FileManager.default.fileExists(atPath: url.path) else { return nil }
    guard !FileManager.default.isFolder(url) else {
      throw PaperSiftError(
        .configuration,
        "Invalid configuration file '\(url.path)': it is a folder, not a file. Move the folder "
          + "away, then write the settings to a file of that name, or leave it out to use the "
          + "defaults.")
    }
    do {
      return try Data(contentsOf: url)
    } catch {
      throw PaperSiftError(
        .io, "Unable to read '\(url.path)': \(PaperSiftError.describe(error)).", underlying: error)
    }
  }

  /// Rejects an unknown top-level key that looks like a misspelt section,
  /// such as `Fetch` or `fetc`. Its settings would be ignored, and the
  /// command would then use the defaults, which point at arxiv.org and
  /// api.openai.com, where the user may have meant a local server.
  ///
  /// - Parameters:
  ///   - unknown: The dotted paths of the keys that no setting reads.
  ///   - data: The text of the file, for the key's line.
  ///   - file: The file, named in the message.
  /// - Throws: ``PaperSiftError`` with code `configuration` naming the key,
  ///   its line and the section it resembles.
  static func rejectMisspeltSections(_ unknown: [String], in data: Data, file: URL) throws {
    for key in unknown where !key.contains(".") {
      guard let section = sectionNames.first(where: { resembles(key, $0) }) else { continue }
      let line = JSONTextScan(data).values[JSONPath([.key(key)])]?.line
      throw invalidFile(
        file,
        "the top-level key \"\(key)\"\(line.map { " on line \($0)" } ?? "") is no section, "
          + "so its settings would be ignored and the defaults used; rename it to "
          + "\"\(section)\", as section names are lower case")
    }
  }

  /// Returns whether `key` is `section` in another case, or one edit away
  /// from it (two for sections of more than four letters). An edit adds,
  /// drops or changes a letter, or swaps two neighbours as in `rnu`.
  static func resembles(_ key: String, _ section: String) -> Bool {
    let key = Array(key.lowercased())
    let section = Array(section)
    let allowed = section.count > 4 ? 2 : 1
    guard abs(key.count - section.count) <= allowed else { return false }
    // The optimal string alignment distance, in a full table because the names are short.
    var distance = [[Int]](
      repeating: [Int](repeating: 0, count: section.count + 1), count: key.count + 1)
    for i in 0...key.count { distance[i][0] = i }
    for j in 0...section.count { distance[0][j] = j }
    for i in stride(from: 1, through: key.count, by: 1) {
      for j in stride(from: 1, through: section.count, by: 1) {
        let change = key[i - 1] == section[j - 1] ? 0 : 1
        var best = min(
          distance[i - 1][j] + 1, distance[i][j - 1] + 1, distance[i - 1][j - 1] + change)
        if i > 1, j > 1, key[i - 1] == section[j - 2], key[i - 2] == section[j - 1] {
          best = min(best, distance[i - 2][j - 2] + 1)
        }
        distance[i][j] = best
      }
    }
    return distance[key.count][section.count] <= allowed
  }

  /// Returns `error`, a range error of validation that starts with
  /// `Invalid KEY`, with the line of KEY in `data` in place of "in the
  /// configuration", or `error` itself when the file does not set KEY.
  static func withLine(_ error: PaperSiftError, in data: Data) -> PaperSiftError {
    guard let match = error.message.prefixMatch(of: /Invalid ([A-Za-z]+(?:\.[A-Za-z]+)+)/),
      let line = JSONTextScan(data).values[
        JSONPath(match.output.1.split(separator: ".").map { .key(String($0)) })]?.line,
      let range = error.message.range(of: " in the configuration")
    else { return error }
    var located = error
    located.message.replaceSubrange(range, with: " on line \(line) of the configuration")
    return located
  }
}
