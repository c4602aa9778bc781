import Foundation

extension FileManager {
  /// Returns whether `url` names an existing folder.
  func isFolder(_ url: URL) -> Bool {
    var isDirectory: ObjCBool = false
    return fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
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
