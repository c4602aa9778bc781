import Foundation

/// Reads an arXiv API (`/api/query`) Atom response.
///
/// Each `entry` carries the abs URL with its version in `id`, `title`,
/// `summary`, one `author/name` per author, `arxiv:primary_category` and
/// `category` terms, and `published`, the submission time of version 1.
/// The API reports a bad request as an entry whose `id` is an
/// `.../api/errors#...` URL. See https://info.arxiv.org/help/api/user-manual.html.
enum AtomFeedParser {
  static func parse(_ root: XMLNode, source: String) throws -> FeedDocument {
    let entries = root.children("entry", namespace: XMLNamespace.atom)
    var papers: [Paper] = []
    papers.reserveCapacity(entries.count)
    for entry in entries {
      papers.append(try parseEntry(entry, source: source))
    }
    return FeedDocument(format: .atom, source: source, date: nil, papers: papers)
  }

  static func parseEntry(_ entry: XMLNode, source: String) throws -> Paper {
    let atom = XMLNamespace.atom
    let idText = entry.child("id", namespace: atom)?.text.trimmingCharacters(in: .whitespaces)
    let summary = FeedText.clean(entry.child("summary", namespace: atom)?.text ?? "")
    if let idText, idText.contains("/api/errors") {
      throw PaperSiftError(
        .invalidInput,
        "The arXiv API reported an error in '\(source)': \(summary). Check the requested ids.")
    }
    guard let idText, let identifier = ArxivIdentifier.parse(idText) else {
      throw PaperSiftError(
        .invalidInput,
        "The Atom entry at line \(entry.line) of '\(source)' has no arXiv id in <id> "
          + "(found '\(idText ?? "")').")
    }

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

    return Paper(
      id: identifier.id,
      version: identifier.version ?? 1,
      title: FeedText.clean(entry.child("title", namespace: atom)?.text ?? ""),
      abstract: summary,
      authors: authors,
      categories: categories,
      announceType: .unknown,
      announced: nil,
      published: published.flatMap { FeedText.isDay($0) ? $0 : nil })
  }
}
