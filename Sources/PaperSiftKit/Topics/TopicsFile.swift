import Foundation

/// The user's research interests, parsed from a topics file.
///
/// Two formats are read. The structured one numbers each topic and follows
/// it with `- Relevant:` and `- Irrelevant:` lines, then closes with a
/// `**Keywords:**` block of `- Relevant:`, `- Irrelevant:` and
/// `- Application:` comma-separated lists. The free-text `paper_topics.txt`
/// of gpt_paper_assistant numbers its topics too, with `- Relevant:` and
/// `- Not relevant:` sub-bullets and loose sentences around them; a file with
/// no numbered line becomes one topic per paragraph. A line that starts with
/// `Irrelevant:` or `Not relevant:`, behind a bullet, a number or nothing, is
/// the irrelevant text of the topic above it and never a topic.
///
/// The LLM reads the whole file. The prefilter ranks by each topic's name and
/// relevant text and by the keyword lists only, so it ignores each topic's
/// irrelevant text, ``introduction`` and ``textOutsideTopics``.
public struct TopicsFile: Sendable, Equatable, Codable {
  /// One numbered topic.
  public struct Topic: Sendable, Equatable, Codable {
    public var name: String
    /// The text after `Relevant:`, empty when the topic has none.
    public var relevant: String
    /// The text after `Irrelevant:` or `Not relevant:`, empty when absent.
    public var irrelevant: String
    /// Bullets under the topic with another label, such as `- Examples: …`,
    /// as `label: text`. Only the LLM reads them.
    public var otherLines: [String]

    public init(
      name: String, relevant: String = "", irrelevant: String = "", otherLines: [String] = []
    ) {
      self.name = name
      self.relevant = relevant
      self.irrelevant = irrelevant
      self.otherLines = otherLines
    }

    /// The text embedded as the topic's vector: its name and relevant text.
    public var embeddingText: String {
      relevant.isEmpty ? name : name + ": " + relevant
    }
  }

  public var topics: [Topic]
  public var relevantKeywords: [String]
  public var irrelevantKeywords: [String]
  public var applicationKeywords: [String]
  /// The paragraphs before the first numbered topic, such as a sentence on
  /// how to read the topics.
  public var introduction: [String]
  /// The paragraphs after the first topic that belong to no topic and no
  /// keyword list, such as the closing paragraph of a gpt_paper_assistant
  /// file, and `Not relevant:` text that has no topic to belong to.
  public var textOutsideTopics: [String]

  public init(
    topics: [Topic], relevantKeywords: [String] = [], irrelevantKeywords: [String] = [],
    applicationKeywords: [String] = [], introduction: [String] = [],
    textOutsideTopics: [String] = []
  ) {
    self.topics = topics
    self.relevantKeywords = relevantKeywords
    self.irrelevantKeywords = irrelevantKeywords
    self.applicationKeywords = applicationKeywords
    self.introduction = introduction
    self.textOutsideTopics = textOutsideTopics
  }

  /// The largest topics file read, in bytes: 40 times the bundled example.
  public static let maxBytes = 100_000

  /// The advice of `run`, `score`, `rank` and `topics` for a topics file
  /// that cannot be read.
  public static let unreadableAdvice =
    "Pass --topics FILE, set ranking.topicsFile in the configuration, or copy "
    + "Data/topics/topics.md there and edit it to describe your interests."

  /// Reads and parses the file at `url`.
  ///
  /// - Throws: ``PaperSiftError`` when the file cannot be read or contains no topic.
  public static func load(from url: URL) throws -> TopicsFile {
    try read(from: url, ifUnreadable: unreadableAdvice).topics
  }

  /// Reads the file at `url` and parses it.
  ///
  /// - Parameters:
  ///   - url: The topics file.
  ///   - advice: What the user can do when the file cannot be read, which
  ///     depends on the command that reads it.
  /// - Returns: The file's text, for the LLM prompt, and the parsed topics.
  /// - Throws: ``PaperSiftError`` when the file cannot be read, is not UTF-8
  ///   or contains no topic, such as a file of `Not relevant:` lines only.
  public static func read(
    from url: URL, ifUnreadable advice: String
  ) throws -> (text: String, topics: TopicsFile) {
    if FileManager.default.isFolder(url) {
      throw PaperSiftError(
        .invalidInput, "'\(url.path)' is a folder, not a topics file. " + advice)
    }
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw PaperSiftError(
        FileManager.default.fileExists(atPath: url.path) ? .io : .invalidInput,
        "Unable to read the topics file '\(url.path)': \(PaperSiftError.describe(error)). "
          + advice,
        underlying: error)
    }
    guard data.count <= maxBytes else {
      throw PaperSiftError(
        .invalidInput,
        "The topics file '\(url.path)' has \(data.count) bytes; at most \(maxBytes) are "
          + "accepted, because the file goes with every LLM request and each topic and keyword "
          + "is embedded. Describe your interests in fewer words.")
    }
    let text = try text(of: data, path: url.path)
    let parsed = parse(text)
    guard !parsed.topics.isEmpty || !parsed.relevantKeywords.isEmpty else {
      throw noTopicError(parsed, path: url.path)
    }
    return (text, parsed)
  }

  /// Returns the error for a file with nothing to rank by: no topic and no
  /// relevant keyword.
  static func noTopicError(_ parsed: TopicsFile, path: String) -> PaperSiftError {
    let negativeOnly =
      parsed.textOutsideTopics.contains { $0.hasPrefix(TopicsParser.irrelevantTextPrefix) }
      || !parsed.irrelevantKeywords.isEmpty || !parsed.applicationKeywords.isEmpty
    var found = ""
    if negativeOnly {
      found = ", only text on what to leave out"
    } else if !parsed.textOutsideTopics.isEmpty || !parsed.introduction.isEmpty {
      found = ", only text that the prefilter does not read (bullets such as '- Examples:')"
    }
    return PaperSiftError(
      .invalidInput,
      "The topics file '\(path)' contains no topic to rank by\(found). Describe what you "
        + "want to read: a numbered topic such as '1. Sparse retrieval' with a "
        + "'- Relevant: learned sparse representations' line under it, a paragraph of free "
        + "text, or a '- Relevant:' keyword list, as in Data/topics/topics.md.")
  }

  /// Decodes a topics file's bytes as UTF-8.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput`, naming the file
  ///   and the offset of the first invalid byte.
  static func text(of data: Data, path: String) throws -> String {
    guard let text = String(data: data, encoding: .utf8) else {
      let offset = firstInvalidUTF8Offset(in: data) ?? 0
      throw PaperSiftError(
        .invalidInput,
        "The topics file '\(path)' is not valid UTF-8 (byte \(offset) of \(data.count)). "
          + "Save it as UTF-8, for example with 'iconv -f latin1 -t utf-8'.")
    }
    return text
  }

  /// Returns the offset of the first byte that does not decode as UTF-8, or nil.
  static func firstInvalidUTF8Offset(in data: Data) -> Int? {
    var decoder = UTF8()
    var bytes = data.makeIterator()
    // The start of the sequence being decoded: where an error begins.
    var start = 0
    while true {
      switch decoder.decode(&bytes) {
      case .scalarValue(let scalar): start += UTF8.width(scalar)
      case .emptyInput: return nil
      case .error: return start
      }
    }
  }

  /// Parses either format. It does not throw: an empty text gives an empty result.
  public static func parse(_ text: String) -> TopicsFile {
    var parser = TopicsParser()
    // `isNewline` also splits "\r\n", which Swift reads as one Character.
    for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
      parser.consume(String(line))
    }
    return parser.finish()
  }
}
