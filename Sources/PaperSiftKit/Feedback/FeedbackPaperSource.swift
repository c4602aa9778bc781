import Foundation

/// The arXiv API answers the look-ups of `like` and `dislike` for papers
/// that are not stored yet.
extension ArxivAPIClient: PaperLookup {
  public func lookUp(ids: [String]) throws -> PaperLookupResult {
    try lookUpPapers(ids: ids)
  }
}

/// The paper store keeps the papers that a look-up found.
extension PaperStore: PaperImporting {
  public func importPapers(_ papers: [Paper]) throws {
    _ = try store(papers)
  }
}
