import Foundation

/// The digest as JSON: ``DigestContent`` encoded with sorted keys, pretty
/// printed, for other tools.
public enum JSONDigest {
  public static func encode(_ content: DigestContent) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(content)
  }

  /// Decodes a digest written by ``encode(_:)``.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput` that names the
  ///   JSON problem.
  public static func decode(_ data: Data) throws -> DigestContent {
    do {
      return try JSONDecoder().decode(DigestContent.self, from: data)
    } catch let error as DecodingError {
      throw PaperSiftError(
        .invalidInput, "Invalid digest JSON: \(JSONErrorText.describe(error)).",
        underlying: error)
    }
  }
}

/// The two files of a night's digest, `digest-YYYY-MM-DD.md` and
/// `digest-YYYY-MM-DD.json`, in the output folder.
public struct DigestFiles: Sendable, Equatable {
  public let markdown: URL
  public let json: URL

  /// Creates the file locations for the night `date` in `directory`.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput` when `date` is not
  ///   `YYYY-MM-DD`, so a date can never name a file outside `directory`.
  public init(directory: URL, date: String) throws {
    guard date.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil else {
      throw PaperSiftError(
        .invalidInput,
        "Invalid digest date '\(date)': use the form YYYY-MM-DD, such as 2025-05-02.")
    }
    markdown = directory.appendingPathComponent("digest-\(date).md")
    json = directory.appendingPathComponent("digest-\(date).json")
  }

  /// Writes `content` as Markdown and JSON into `directory`, creating the
  /// folder when missing.
  ///
  /// Each file is written to a temporary file and renamed into place, so a
  /// reader sees the old file or the new one, never a part. The JSON file is
  /// written first and the Markdown second.
  ///
  /// - Returns: The locations of the two files.
  /// - Throws: ``PaperSiftError`` with code `io` naming the file that failed.
  @discardableResult
  public static func write(_ content: DigestContent, to directory: URL) throws -> DigestFiles {
    let files = try DigestFiles(directory: directory, date: content.date)
    try createDirectory(directory)
    let json: Data
    do {
      json = try JSONDigest.encode(content)
    } catch {
      throw PaperSiftError(
        .io, "Unable to encode the digest of \(content.date) as JSON: \(error).",
        underlying: error)
    }
    try write(json, to: files.json)
    try write(Data(MarkdownDigest.render(content).utf8), to: files.markdown)
    return files
  }

  /// Creates the digest folder when it does not exist.
  ///
  /// - Throws: ``PaperSiftError`` with code `io` when the path is a file or
  ///   cannot be created.
  public static func createDirectory(_ directory: URL) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else {
        throw PaperSiftError(
          .io,
          "The digest folder '\(directory.path)' is a file. Pass another --out folder or set "
            + "run.outputFolder in the configuration.")
      }
      return
    }
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw PaperSiftError(
        .io,
        "Unable to create the digest folder '\(directory.path)': "
          + "\(FileManager.default.folderCreationFailure(directory, error: error)). Check the "
          + "permissions or set run.outputFolder in the configuration.",
        underlying: error)
    }
  }

  /// Creates the digest folder when missing and checks that a file can be
  /// written into it, so that a run finds a read-only folder before it pays
  /// for any LLM request.
  ///
  /// The check writes an empty temporary file and removes it. A disk that
  /// fills up later still fails the write of the digest itself.
  ///
  /// - Throws: ``PaperSiftError`` with code `io` naming the folder.
  public static func prepareDirectory(_ directory: URL) throws {
    try createDirectory(directory)
    let probe = directory.appendingPathComponent(".papersift-write-check-\(UUID().uuidString)")
    do {
      try Data().write(to: probe)
    } catch {
      throw PaperSiftError(
        .io,
        "Unable to write into the digest folder '\(directory.path)': "
          + "\(PaperSiftError.describe(error)). Make it writable, pass another --out folder or "
          + "set run.outputFolder in the configuration.",
        underlying: error)
    }
    try? FileManager.default.removeItem(at: probe)
  }

  private static func write(_ data: Data, to url: URL) throws {
    do {
      try data.write(to: url, options: .atomic)
    } catch {
      throw PaperSiftError(
        .io, "Unable to write the digest '\(url.path)': \(PaperSiftError.describe(error)).",
        underlying: error)
    }
  }
}
