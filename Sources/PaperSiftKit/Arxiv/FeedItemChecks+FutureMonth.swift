import Foundation

extension FeedItemChecks {
  /// Returns `document` without the papers whose new-style id has a month in
  /// the future at `now`, as ``ArxivIdentifier/futureMonthReason(now:)``
  /// describes, and logs a warning that names each id.
  ///
  /// arXiv lists no such id, so it is a typo or a clock set back, and storing
  /// it would let a wrong paper join the ranking and the learned models.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput` when every paper
  ///   of the document has such an id, since nothing of it would be stored.
  static func skippingFutureMonths(_ document: FeedDocument, now: Date) throws -> FeedDocument {
    let currentMonth = ArxivIdentifier.monthNumber(of: now)
    var accepted: [Paper] = []
    var skipped: [(id: String, reason: String)] = []
    for paper in document.papers {
      let identifier = ArxivIdentifier(id: paper.id, version: paper.version)
      if let reason = identifier.futureMonthReason(currentMonth: currentMonth) {
        skipped.append((paper.id, reason))
      } else {
        accepted.append(paper)
      }
    }
    guard let first = skipped.first else { return document }
    if accepted.isEmpty {
      throw PaperSiftError(
        .invalidInput,
        "Every one of the \(skipped.count) papers of '\(document.source)' has an arXiv id "
          + "whose month is in the future, such as \(first.id) (\(first.reason)). Nothing was "
          + "stored. Check the system clock, and that the file lists real arXiv papers.")
    }
    reportFutureMonths(skipped, papers: document.papers.count, source: document.source)
    var result = document
    result.papers = accepted
    result.skippedItems += skipped.count
    result.futureMonthIDs = skipped.map(\.id)
    return result
  }

  /// Logs the first ``maxItemWarnings`` papers skipped for a future month
  /// one by one, then a count that names every id.
  private static func reportFutureMonths(
    _ skipped: [(id: String, reason: String)], papers: Int, source: String
  ) {
    for item in skipped.prefix(maxItemWarnings) {
      logger.warning(
        "Feed item has an arXiv id whose month is in the future; skipped",
        [("paper", item.id), ("reason", item.reason), ("source", source)])
    }
    logger.warning(
      "Skipped feed items with an arXiv id whose month is in the future; check the system clock",
      [
        ("skipped", "\(skipped.count)"), ("papers", "\(papers)"),
        ("ids", skipped.map(\.id).joined(separator: ",")),
        ("without_warning", "\(max(0, skipped.count - maxItemWarnings))"), ("source", source),
      ])
  }
}
