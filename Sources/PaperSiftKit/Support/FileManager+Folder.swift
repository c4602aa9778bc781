import Foundation

extension FileManager {
  /// Returns whether `url` names an existing folder.
  func isFolder(_ url: URL) -> Bool {
    var isDirectory: ObjCBool = false
    return fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
  }

  /// Returns why creating the folder `url` with its parents failed with
  /// `error`, naming the path at fault.
  ///
  /// Foundation reports a parent that is a file as "The operation could
  /// not be completed" (`NSFileWriteUnknownError`, 512) on Linux, so the
  /// nearest existing ancestor is checked first: a file there, or a folder
  /// without write permission, is the cause. Otherwise `error` is described.
  public func folderCreationFailure(_ url: URL, error: any Error) -> String {
    var ancestor = url.standardizedFileURL
    while ancestor.path != "/", !fileExists(atPath: ancestor.path) {
      ancestor.deleteLastPathComponent()
    }
    guard isFolder(ancestor) else {
      return "'\(ancestor.path)' is a file, not a folder"
    }
    if !isWritableFile(atPath: ancestor.path) {
      return "the folder '\(ancestor.path)' is not writable"
    }
    return PaperSiftError.describe(error)
  }

  /// Returns the whole content of `url`. A file handle also reads pipes and
  /// devices such as /dev/stdin and /dev/null. `Data(contentsOf:)` rejects
  /// them, because `readBytesFromFile` of swift-foundation (Data+Reading.swift)
  /// reports a file that is neither regular nor a folder as EACCES, a
  /// permission error.
  public func contents(readingAllOf url: URL) throws -> Data {
    let handle = try FileHandle(forReadingFrom: url)
    defer { try? handle.close() }
    return try handle.readToEnd() ?? Data()
  }
}
