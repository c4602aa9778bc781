import Foundation

/// A line-by-line state machine over a topics file.
struct TopicsParser {
  var topics: [TopicsFile.Topic] = []
  var relevantKeywords: [String] = []
  var irrelevantKeywords: [String] = []
  var applicationKeywords: [String] = []
  var inKeywords = false
  var paragraphs: [String] = []
  var paragraph = ""
  var introduction: [String] = []
  var textOutsideTopics: [String] = []
  /// Whether the first topic was made up for bullets with no topic above them.
  var madeUpFirstTopic = false
  /// Which field of the current topic a continuation line extends.
  var lastField: WritableKeyPath<TopicsFile.Topic, String>?
  /// Whether the topics are paragraphs, because the file numbers none.
  var paragraphTopics = false

  mutating func consume(_ rawLine: String) {
    let line = rawLine.trimmingCharacters(in: .whitespaces)
    guard !line.isEmpty else {
      closeParagraph()
      lastField = nil
      return
    }
    let plain = Self.stripEmphasis(line)
    // Only a heading line starts the keyword lists; a sentence that begins
    // with the word does not.
    let heading = plain.drop { $0 == "#" || $0 == " " }.lowercased()
    if heading == "keywords" || heading == "keywords:" {
      inKeywords = true
      // Text under the keyword lists belongs to no topic.
      closeParagraph()
      lastField = nil
      return
    }
    if plain.hasPrefix("#") { return }
    // Text on what to leave out is never a topic, whatever marks its line.
    if let value = Self.irrelevantText(plain) {
      addLabelled(label: "irrelevant", value: value)
      return
    }
    if let (number, rest) = Self.numberedItem(plain), number > 0 {
      inKeywords = false
      if paragraphTopics {
        // Numbers after free text: the paragraphs so far stay topics.
        promoteParagraphs()
        paragraphTopics = false
      } else {
        setAsideParagraphs()
      }
      topics.append(TopicsFile.Topic(name: rest))
      lastField = \.name
      return
    }
    if let (label, value) = Self.labelledBullet(plain) {
      addLabelled(label: label, value: value)
      return
    }
    if let field = lastField, !topics.isEmpty {
      topics[topics.count - 1][keyPath: field] += " " + plain
      return
    }
    paragraph += paragraph.isEmpty ? plain : " " + plain
  }

  mutating func addLabelled(label: String, value: String) {
    let positive = label == "relevant"
    let negative = label == "irrelevant" || label == "not relevant"
    if inKeywords {
      let keywords = Self.keywordList(value)
      if positive { relevantKeywords += keywords }
      if negative { irrelevantKeywords += keywords }
      if label == "application" || label == "applications" { applicationKeywords += keywords }
      return
    }
    let field: WritableKeyPath<TopicsFile.Topic, String>? =
      positive ? \.relevant : negative ? \.irrelevant : nil
    guard let field else { return }
    if topics.isEmpty || paragraphTopics {
      // In a file without numbers each paragraph is a topic, and a bullet
      // belongs to the paragraph above it, so that "Not relevant" text
      // never counts as interest.
      promoteParagraphs()
      if topics.isEmpty {
        topics.append(TopicsFile.Topic(name: "Interests"))
        madeUpFirstTopic = true
      }
      paragraphTopics = true
    }
    let current = topics[topics.count - 1][keyPath: field]
    topics[topics.count - 1][keyPath: field] = current.isEmpty ? value : current + " " + value
    lastField = field
  }

  mutating func closeParagraph() {
    if !paragraph.isEmpty { paragraphs.append(paragraph) }
    paragraph = ""
  }

  /// Turns the paragraphs read so far, the open one included, into topics.
  mutating func promoteParagraphs() {
    closeParagraph()
    topics += paragraphs.map { TopicsFile.Topic(name: $0) }
    paragraphs = []
  }

  /// Keeps the paragraphs read so far, the open one included, as text
  /// outside the topics: before the first topic, they are the introduction.
  mutating func setAsideParagraphs() {
    closeParagraph()
    if topics.isEmpty {
      introduction += paragraphs
    } else {
      textOutsideTopics += paragraphs
    }
    paragraphs = []
  }

  mutating func finish() -> TopicsFile {
    if topics.isEmpty || paragraphTopics {
      promoteParagraphs()
    } else {
      setAsideParagraphs()
    }
    // A made-up topic without relevant text would rank by the embedding of
    // its placeholder name alone, so its "Not relevant" text stays outside.
    if madeUpFirstTopic, topics[0].relevant.isEmpty {
      let removed = topics.removeFirst()
      if !removed.irrelevant.isEmpty {
        textOutsideTopics.insert("Not relevant: " + removed.irrelevant, at: 0)
      }
    }
    return TopicsFile(
      topics: topics, relevantKeywords: relevantKeywords,
      irrelevantKeywords: irrelevantKeywords, applicationKeywords: applicationKeywords,
      introduction: introduction, textOutsideTopics: textOutsideTopics)
  }

  /// Splits `12. Text` into its number and text.
  static func numberedItem(_ line: String) -> (Int, String)? {
    let digits = line.prefix { $0.isASCII && $0.isNumber }
    guard !digits.isEmpty, let number = Int(digits) else { return nil }
    let rest = line.dropFirst(digits.count)
    guard let marker = rest.first, marker == "." || marker == ")" else { return nil }
    // "1.5B parameters" and "2)x" are text, not numbered items.
    guard rest.dropFirst().first?.isWhitespace == true else { return nil }
    let text = rest.dropFirst().trimmingCharacters(in: .whitespaces)
    return text.isEmpty ? nil : (number, text)
  }

  /// Splits `- Label: value` into the lowercased label and the value.
  static func labelledBullet(_ line: String) -> (String, String)? {
    var text = Substring(line)
    guard let first = text.first, first == "-" || first == "*" || first == "•" else {
      return nil
    }
    text = text.dropFirst()
    guard let colon = text.firstIndex(of: ":") else { return nil }
    let label = stripEmphasis(String(text[..<colon])).lowercased()
    guard label.count <= 20 else { return nil }
    let value = stripEmphasis(String(text[text.index(after: colon)...]))
    return (label, value)
  }

  /// Returns the text after a leading `Not relevant:` or `Irrelevant:` label
  /// in any case, on a bullet, a numbered item or a plain line, or nil.
  static func irrelevantText(_ line: String) -> String? {
    var text = Substring(line)
    if let (_, rest) = numberedItem(line) {
      text = Substring(rest)
    } else if let first = text.first, first == "-" || first == "*" || first == "•" {
      text = text.dropFirst().drop { $0.isWhitespace }
    }
    let start = text.prefix("not relevant:".count).lowercased()
    for label in ["not relevant:", "irrelevant:"] where start.hasPrefix(label) {
      return stripEmphasis(String(text.dropFirst(label.count)))
    }
    return nil
  }

  /// Splits a comma-separated keyword list, dropping a closing "etc.".
  static func keywordList(_ value: String) -> [String] {
    value.split(separator: ",")
      .map { $0.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "."))) }
      .filter { !$0.isEmpty && $0.lowercased() != "etc" }
  }

  static func stripEmphasis(_ text: String) -> String {
    text.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "__", with: "")
      .trimmingCharacters(in: .whitespaces)
  }
}
