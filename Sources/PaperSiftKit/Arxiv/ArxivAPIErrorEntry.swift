import Foundation

/// An error that the arXiv API reports as an Atom entry instead of a paper.
///
/// The entry's `id` is an `http://arxiv.org/api/errors#...` URL whose
/// fragment names the error, such as `incorrect_id_format_for_2505.77777`,
/// and its `summary` describes it, such as "incorrect id format for
/// 2505.77777". See https://info.arxiv.org/help/api/user-manual.html.
struct ArxivAPIErrorEntry: Error, Equatable {
  /// The fragment of the entry's id URL.
  var fragment: String
  /// The entry's summary.
  var summary: String

  /// Creates the error of an entry whose id is `idText`, or returns nil
  /// when `idText` is not an `/api/errors` URL.
  init?(idText: String, summary: String) {
    guard idText.contains("/api/errors") else { return nil }
    fragment = idText.split(separator: "#", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
    self.summary = summary.isEmpty ? fragment.replacingOccurrences(of: "_", with: " ") : summary
  }

  /// Returns the version-less id of `ids` that the error names after `_for_`,
  /// such as 2505.77777 in `incorrect_id_format_for_2505.77777`, or nil
  /// when it names none of them.
  func rejectedID(among ids: [String]) -> String? {
    guard let range = fragment.range(of: "_for_", options: .backwards) else { return nil }
    let named = String(fragment[range.upperBound...])
    let id = ArxivIdentifier.parse(named)?.id ?? named
    return ids.first { $0 == id }
  }

  /// Returns the message for an Atom file that contains the error, such
  /// as a saved API response passed to `import`.
  func fileMessage(source: String) -> String {
    "The arXiv API reported an error in '\(source)': \(summary). Check the requested ids."
  }
}
