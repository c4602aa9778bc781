import Foundation

extension FileManager {
  /// Returns whether `url` names an existing folder.
  func isFolder(_ url: URL) -> Bool {
    var isDirectory: ObjCBool = false
    return fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
  }
}
