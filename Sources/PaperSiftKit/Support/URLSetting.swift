import Foundation

/// Checks of the URLs that the configuration sets, such as `fetch.apiBaseURL`.
enum URLSetting {
  /// What a client adds to a configured URL, which decides the parts that
  /// the URL may not have.
  enum Use {
    /// A path is appended, as `/cs.LG+cs.AI` to `fetch.rssBaseURL`, so a
    /// query or fragment would end up before it.
    case pathAppended(String)
    /// Query items are appended, as `id_list=...` to `fetch.apiBaseURL`, so
    /// a fragment would hide them from the server and a query may not set
    /// these items itself.
    case queryAppended(Set<String>)
  }

  /// Checks that `value` is an http or https URL with a host, to which the
  /// client can add what `use` describes.
  ///
  /// - Parameters:
  ///   - key: The dotted key, such as `fetch.apiBaseURL`, for the message.
  ///   - value: The configured URL, which the message shows without a password.
  ///   - example: A usable URL, the default.
  ///   - use: What the client adds to the URL.
  /// - Throws: ``PaperSiftError`` with code `configuration` naming the key,
  ///   the value and what to change.
  static func check(_ key: String, _ value: String, example: String, use: Use) throws {
    if let problem = problem(value, example: example, use: use) {
      throw PaperSiftError(
        .configuration,
        "Invalid \(key) '\(SecretRedaction.displayURL(value))' in the configuration: "
          + "\(problem).")
    }
  }

  /// Returns what to change in `value`, or nil when it is usable.
  static func problem(_ value: String, example: String, use: Use) -> String? {
    guard let url = URLComponents(string: value), ["http", "https"].contains(url.scheme ?? ""),
      url.host?.isEmpty == false
    else {
      return "expected an http or https URL such as \(example)"
    }
    switch use {
    case .pathAppended(let path):
      guard url.query == nil, url.fragment == nil else {
        return "remove the part from '?' or '#' on, because PaperSift appends \(path) to the URL "
          + "and the server would not see it after a query or fragment; use a URL such as "
          + example
      }
    case .queryAppended(let items):
      guard url.fragment == nil else {
        return "remove the '#\(url.fragment ?? "")' part, because PaperSift appends its query to "
          + "the URL and a fragment would hide that query from the server; use a URL such as "
          + example
      }
      let reservedNames = (url.queryItems ?? []).map(\.name).filter { items.contains($0) }
      guard reservedNames.isEmpty else {
        let itemList = reservedNames.map { "'\($0)='" }.joined(separator: " and ")
        let pronoun = reservedNames.count == 1 ? "it" : "them"
        return "remove \(itemList) from the query, because PaperSift sets \(pronoun) for each "
          + "request; use a URL such as \(example)"
      }
    }
    return nil
  }
}
