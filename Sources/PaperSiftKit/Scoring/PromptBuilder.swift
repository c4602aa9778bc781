import Foundation

/// The messages sent to the LLM for one batch of papers.
///
/// The system message is the fixed part: the task, the rule that paper text
/// is data, the user's topics verbatim, the scoring rubric and the output
/// format. It is the same for every batch of a setup, so providers that cache
/// long prompt prefixes (OpenAI does so without being asked) can bill it at
/// the cached price after the first request. The user message carries the
/// papers, each between `<<<PAPER id>>>` and `<<<END PAPER id>>>` lines.
public struct PromptBuilder: Sendable {
  public let topics: String
  public let model: String
  /// Whether the response is requested as one JSON object
  /// (`{"papers": [...]}`) instead of one JSON object per line.
  public let jsonMode: Bool
  /// The fixed part, sent as the system message.
  public let systemPrompt: String

  /// The largest number of authors shown per paper; the rest are counted.
  public static let maxAuthorsShown = 10
  /// The maximum title and abstract lengths sent, in characters. A longer
  /// text is cut and marked. The longest of the 22,474 bundled papers have
  /// 240 and 2,300, so only a broken or hostile feed reaches these.
  public static let maxTitleCharacters = 1_000
  public static let maxAbstractCharacters = 5_000

  public init(topics: String, model: String, jsonMode: Bool) {
    self.topics = topics
    self.model = model
    self.jsonMode = jsonMode
    self.systemPrompt = PromptBuilder.makeSystemPrompt(topics: topics, jsonMode: jsonMode)
  }

  /// The identity of the scoring setup: SHA-256 of the fixed part, a newline
  /// and the model name. Stored scores are keyed by it, so a change of topics,
  /// rubric, output format or model scores papers anew.
  public var promptHash: String {
    SHA256.hexDigest(of: systemPrompt + "\n" + model)
  }

  /// Returns the system and user messages for `papers`.
  public func messages(for papers: [Paper]) -> [ChatMessage] {
    [
      ChatMessage(role: "system", content: systemPrompt),
      ChatMessage(role: "user", content: userPrompt(for: papers)),
    ]
  }

  /// Returns the user message: the ids that the response must cover, then
  /// each paper as delimited data.
  public func userPrompt(for papers: [Paper]) -> String {
    let ids = papers.map(\.id).joined(separator: ", ")
    var text = "Score each of the following \(papers.count) papers. "
    text += "Answer once for each of these ARXIVIDs: \(ids).\n"
    for paper in papers {
      text += "\n" + PromptBuilder.block(for: paper)
    }
    return text
  }

  /// Returns one paper between its data markers, with whitespace runs folded
  /// to single spaces and marker look-alikes broken up, so that no text of
  /// the paper can end its block or start another.
  static func block(for paper: Paper) -> String {
    var authors = paper.authors.prefix(maxAuthorsShown).map(sanitized).joined(separator: ", ")
    if paper.authors.count > maxAuthorsShown {
      authors += " and \(paper.authors.count - maxAuthorsShown) more"
    }
    return """
      <<<PAPER \(paper.id)>>>
      Title: \(shortened(sanitized(paper.title), to: maxTitleCharacters))
      Authors: \(authors)
      Abstract: \(shortened(sanitized(paper.abstract), to: maxAbstractCharacters))
      <<<END PAPER \(paper.id)>>>

      """
  }

  /// Returns `text`, or its first `limit` characters followed by a note of how many were cut.
  static func shortened(_ text: String, to limit: Int) -> String {
    guard text.count > limit else { return text }
    let cut = text.count - limit
    return String(text.prefix(limit)) + " [\(cut) more character\(cut == 1 ? "" : "s") cut]"
  }

  /// Returns `text` on one line, without any run of three or more `<` or `>`.
  static func sanitized(_ text: String) -> String {
    var result = text.split(whereSeparator: { $0.isWhitespace || $0.isNewline })
      .joined(separator: " ")
    for marker in ["<<<", ">>>"] {
      let broken = String(marker.prefix(2)) + " " + String(marker.suffix(1))
      while result.contains(marker) {
        result = result.replacingOccurrences(of: marker, with: broken)
      }
    }
    return result
  }
}

/// An estimate of how many tokens a text costs, made before sending.
///
/// NOTE: This is an estimate, not a tokenizer. It counts one token per 4.4
/// characters. The 22,474 papers of `Data/benchmark` were formatted as prompt
/// blocks and tokenized with `o200k_base` (gpt-4o, gpt-4.1, gpt-5, o-series)
/// by the bpe-openai 0.1.4 Python package. They average 5.1 characters per
/// token, and 95% of them have more than 4.5 (`cl100k_base`: 5.0 and 4.4).
/// So the estimate errs high for most papers. Other tokenizers differ, so the
/// scorer also scales later estimates of a run by the ratio of reported to
/// estimated prompt tokens of the batches already sent.
public enum TokenEstimate {
  public static let charactersPerToken = 4.4
  /// An allowance for the chat formatting tokens of each message, and once
  /// for the start of the reply.
  public static let tokensPerMessage = 3

  /// Returns the estimated tokens of `text`.
  public static func tokens(in text: String) -> Int {
    Int((Double(text.unicodeScalars.count) / charactersPerToken).rounded(.up))
  }

  /// Returns the estimated prompt tokens of `messages`.
  public static func promptTokens(of messages: [ChatMessage]) -> Int {
    messages.reduce(tokensPerMessage) { sum, message in
      sum + tokensPerMessage + tokens(in: message.content)
    }
  }
}
