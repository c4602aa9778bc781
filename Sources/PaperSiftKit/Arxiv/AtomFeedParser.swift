import Foundation

/// Reads an arXiv API (`/api/query`) Atom response.
///
/// Each `entry` carries the abs URL with its version in `id`, `title`,
/// `summary`, one `author/name` per author, `arxiv:primary_category` and
/// `category` terms, and `published`, the submission time of version 1.
/// The API reports a bad request as an entry whose `id` is an
/// `.../api/errors#...` URL. See https://info.arxiv.org/help/api/user-manual.html.
///
/// An entry without an arXiv id, or with the id of an earlier entry, is
/// skipped with a warning, and an entry with an empty title, summary or
/// author list is kept with a warning. A response whose entries
/// all lack an id is rejected.
enum AtomFeedParser {
  static func parse(_ root: XMLNode, source: String) throws -> FeedDocument {
    let atom = XMLNamespace.atom
    let entries = root.children("entry", namespace: atom)
    var papers: [Paper] = []
    papers.reserveCapacity(entries.count)
    var lines: [Int] = []
    var skipped: [FeedItemChecks.SkippedItem] = []
    for (offset, entry) in entries.enumerated() {
      guard let paper = try parseEntry(entry, source: source) else {
        let links = entry.children("link", namespace: atom)
        let link = (links.first { $0.attributes["rel"] == "alternate" } ?? links.first)?
          .attributes["href"]
        skipped.append(
          FeedItemChecks.SkippedItem(position: offset + 1, line: entry.line, link: link))
        continue
      }
      papers.append(paper)
      lines.append(entry.line)
    }
    try FeedItemChecks.reportSkipped(
      skipped, itemCount: entries.count, pluralName: "Atom entries", idPlaces: "<id>",
      source: source)
    let (kept, repeated) = FeedItemChecks.keepingFirst(papers, lines: lines)
    FeedItemChecks.reportRepeated(repeated, source: source)
    return FeedDocument(
      format: .atom, source: source, date: nil, papers: kept,
      skippedItems: skipped.count + repeated.count, repeatedItems: repeated.count)
  }

  /// Reads one entry, or returns nil when its `<id>` has no arXiv id.
  ///
  /// - Throws: ``ArxivAPIErrorEntry`` for an error entry of the API.
  static func parseEntry(_ entry: XMLNode, source: String) throws -> Paper? {
    let atom = XMLNamespace.atom
    let idText = entry.child("id", namespace: atom)?.text.trimmingCharacters(in: .whitespaces)
    let summary = FeedText.clean(entry.child("summary", namespace: atom)?.text ?? "")
    if let idText, let apiError = ArxivAPIErrorEntry(idText: idText, summary: summary) {
      throw apiError
    }
    guard let idText, let identifier = ArxivIdentifier.parse(idText) else { return nil }
    let title = FeedText.clean(entry.child("title", namespace: atom)?.text ?? "")

    let authors = entry.children("author", namespace: atom).compactMap { author in
      author.child("name", namespace: atom).map { FeedText.clean($0.text) }
    }.filter { !$0.isEmpty }
    var categories: [String] = []
    let primary = entry.child("primary_category", namespace: XMLNamespace.arxiv)?
      .attributes["term"]
    let terms = entry.children("category", namespace: atom).compactMap { $0.attributes["term"] }
    for term in [primary].compactMap({ $0 }) + terms where !categories.contains(term) {
      categories.append(term)
    }
    let published = entry.child("published", namespace: atom).map {
      String($0.text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(10))
    }

    let paper = Paper(
      id: identifier.id,
      version: identifier.version ?? 1,
      title: title,
      abstract: summary,
      authors: authors,
      categories: categories,
      announceType: .unknown,
      announced: nil,
      published: published.flatMap { FeedText.isDay($0) ? $0 : nil })
    FeedItemChecks.warnIfEmpty(paper, line: entry.line, source: source)
    return paper
  }
}
