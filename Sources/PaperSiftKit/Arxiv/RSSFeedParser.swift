import Foundation

/// Reads arXiv's RSS 2.0 feed, the format `rss.arxiv.org` serves since 2024.
///
/// Each `item` carries the id and version in `guid` (`oai:arXiv.org:IDvN`)
/// and at the start of `description` (`arXiv:IDvN Announce Type: new`),
/// the abstract after `Abstract:` in `description`, the type in
/// `arxiv:announce_type`, comma-separated authors in `dc:creator`, and one
/// `category` element per category, primary first. The channel's `pubDate`
/// gives the announcement day; a channel without items is a day without
/// announcements. See https://info.arxiv.org/help/rss.html.
///
/// An item without an arXiv id, or with the id of an earlier item, is
/// skipped with a warning. An item with an empty title, abstract or author
/// list is kept with a warning, so that one bad item does not cost the
/// night. A feed whose items all lack an id is rejected.
enum RSSFeedParser {
  static func parse(_ root: XMLNode, source: String) throws -> FeedDocument {
    guard let channel = root.child("channel") else {
      throw PaperSiftError(
        .invalidInput, "The RSS feed '\(source)' has no <channel> element.")
    }
    let items = channel.children("item")
    let channelDay = channel.child("pubDate").flatMap { FeedText.day(fromRFC822: $0.text) }
    let itemDay = items.lazy.compactMap { item in
      item.child("pubDate").flatMap { FeedText.day(fromRFC822: $0.text) }
    }.first
    let date = channelDay ?? itemDay

    var papers: [Paper] = []
    papers.reserveCapacity(items.count)
    var lines: [Int] = []
    var skipped: [FeedItemChecks.SkippedItem] = []
    for (offset, item) in items.enumerated() {
      guard var paper = parseItem(item, source: source) else {
        let link = item.child("link")?.text.trimmingCharacters(in: .whitespacesAndNewlines)
        skipped.append(
          FeedItemChecks.SkippedItem(position: offset + 1, line: item.line, link: link))
        continue
      }
      paper.announced = date
      papers.append(paper)
      lines.append(item.line)
    }
    try FeedItemChecks.reportSkipped(
      skipped, itemCount: items.count, pluralName: "RSS items",
      idPlaces: "guid, description or link", source: source)
    let (kept, repeated) = FeedItemChecks.keepingFirst(papers, lines: lines)
    FeedItemChecks.reportRepeated(repeated, source: source)
    return FeedDocument(
      format: .rss, source: source, date: date, papers: kept,
      skippedItems: skipped.count + repeated.count, repeatedItems: repeated.count)
  }

  /// Reads one item, or returns nil when it has no arXiv id.
  static func parseItem(_ item: XMLNode, source: String) -> Paper? {
    let description = item.child("description")?.text ?? ""
    let header = parseHeader(description)
    let guid = item.child("guid")?.text.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    let guidIdentifier = ArxivIdentifier.parse(
      guid.hasPrefix("oai:arXiv.org:") ? String(guid.dropFirst("oai:arXiv.org:".count)) : guid)
    let linkIdentifier = item.child("link").flatMap { ArxivIdentifier.parse($0.text) }

    guard let identifier = guidIdentifier ?? header.identifier ?? linkIdentifier else {
      return nil
    }
    let title = FeedText.clean(item.child("title")?.text ?? "")
    let abstract = FeedText.clean(header.abstract)
    let typeText =
      item.child("announce_type", namespace: XMLNamespace.arxiv)?.text ?? header.announceType
    let announceType = typeText.flatMap {
      AnnounceType(rawValue: $0.trimmingCharacters(in: .whitespacesAndNewlines))
    }
    let authors = item.children("creator", namespace: XMLNamespace.dublinCore).flatMap {
      FeedText.splitAuthors($0.text)
    }
    let categories = item.children("category").map {
      $0.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }.filter { !$0.isEmpty }

    let paper = Paper(
      id: identifier.id,
      version: identifier.version ?? header.identifier?.version ?? 1,
      title: title,
      abstract: abstract,
      authors: authors,
      categories: categories,
      announceType: announceType ?? .unknown)
    FeedItemChecks.warnIfEmpty(paper, line: item.line, source: source)
    return paper
  }

  struct DescriptionHeader {
    var identifier: ArxivIdentifier?
    var announceType: String?
    var abstract: String
  }

  /// Splits `arXiv:IDvN Announce Type: TYPE\nAbstract: TEXT` into its parts.
  ///
  /// Without the header, the abstract is the text after `Abstract:`, or the
  /// whole description when that label is missing too.
  static func parseHeader(_ description: String) -> DescriptionHeader {
    let pattern = /^\s*arXiv:(\S+)\s+Announce Type:\s*(\S+)\s*/
    guard let match = description.prefixMatch(of: pattern) else {
      let label = description.range(of: "Abstract:")
      let abstract = label.map { String(description[$0.upperBound...]) } ?? description
      return DescriptionHeader(identifier: nil, announceType: nil, abstract: abstract)
    }
    var rest = description[match.range.upperBound...]
    if rest.hasPrefix("Abstract:") { rest = rest.dropFirst("Abstract:".count) }
    return DescriptionHeader(
      identifier: ArxivIdentifier.parse(String(match.1)), announceType: String(match.2),
      abstract: String(rest))
  }
}
