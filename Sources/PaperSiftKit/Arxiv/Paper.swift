import Foundation

/// How a paper appeared in a day's listing, as arXiv's RSS feed names it.
public enum AnnounceType: String, Sendable, Codable, CaseIterable {
  case new
  case cross
  case replace
  case replaceCross = "replace-cross"
  /// A source that does not say, such as an API look-up.
  case unknown

  /// Whether the paper is a newer version of one announced before.
  public var isReplacement: Bool { self == .replace || self == .replaceCross }
}

/// One arXiv paper, keyed by its version-less id.
public struct Paper: Sendable, Codable, Equatable, Hashable {
  /// The version-less id, such as `2505.01234` or `hep-th/9901001`.
  public var id: String
  public var version: Int
  public var title: String
  public var abstract: String
  public var authors: [String]
  /// Categories with the primary category first.
  public var categories: [String]
  public var announceType: AnnounceType
  /// The announcement day, `YYYY-MM-DD`, when the source gives one.
  public var announced: String?
  /// The day the first version was submitted, `YYYY-MM-DD`, when the source
  /// gives one (the arXiv API does, the RSS feed does not).
  public var published: String?

  public init(
    id: String, version: Int = 1, title: String, abstract: String, authors: [String],
    categories: [String], announceType: AnnounceType = .new, announced: String? = nil,
    published: String? = nil
  ) {
    self.id = id
    self.version = version
    self.title = title
    self.abstract = abstract
    self.authors = authors
    self.categories = categories
    self.announceType = announceType
    self.announced = announced
    self.published = published
  }

  /// The text that is embedded and shown to the LLM: title, newline, abstract.
  public var embeddingText: String { title + "\n" + abstract }

  public var absURL: String { "https://arxiv.org/abs/\(id)" }
}
