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
  /// The field of the current topic that a continuation line extends.
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
    // A plain "Relevant:" line, without a bullet, starts the topic's
    // relevant text instead of continuing the line above it.
    if let rest = Self.matchLabel("relevant", at: Substring(plain)), rest.first == ":" {
      addLabelled(label: "relevant", value: Self.stripEmphasis(String(rest.dropFirst())))
      return
    }

    // So does a plain line with another capitalised label, such as
    // "Examples:", under a topic: it is read by the LLM only, as its bullet is.
    if !inKeywords, !topics.isEmpty, let (label, value) = Self.plainLabel(plain) {
      addLabelled(label: label, value: value)
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
      if label == "application" || label == "applications" {
        applicationKeywords += keywords
      } else if !positive, !negative {
        textOutsideTopics.append(label + ": " + value)
      }
      return
    }
    let field: WritableKeyPath<TopicsFile.Topic, String>
    if positive {
      field = \.relevant
    } else if negative {
      field = \.irrelevant
    } else {
      addOtherLine(label + ": " + value)
      return
    }
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

  /// Keeps a bullet with a label the prefilter does not read under the
  /// topic above it, or outside the topics before the first one. The lines
  /// that continue the bullet join it.
  mutating func addOtherLine(_ line: String) {
    guard !topics.isEmpty else {
      textOutsideTopics.append(line)
      lastField = nil
      return
    }
    let last = topics.count - 1
    topics[last].otherLines.append(line)
    lastField = \TopicsFile.Topic.otherLines[topics[last].otherLines.count - 1]
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
        textOutsideTopics.insert(Self.irrelevantTextPrefix + removed.irrelevant, at: 0)
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

  /// Splits a line such as `Examples: SPLADE` into its lowercased label and
  /// text, or returns nil. The label starts with a capital letter and has
  /// one to three words of letters, so that a sentence that merely contains
  /// a colon stays text.
  static func plainLabel(_ line: String) -> (String, String)? {
    guard let colon = line.firstIndex(of: ":"), line.first?.isUppercase == true else {
      return nil
    }
    let label = line[..<colon]
    let words = label.split(separator: " ")
    guard (1...3).contains(words.count), label.count <= 20,
      label.allSatisfy({ $0.isLetter || $0 == " " || $0 == "-" })
    else { return nil }
    return (label.lowercased(), stripEmphasis(String(line[line.index(after: colon)...])))
  }

  /// The start of a paragraph outside the topics that holds text to leave
  /// out, from a file whose only topic was made up for it.
  static let irrelevantTextPrefix = "Not relevant: "

  /// The labels that mark text to leave out, lowercased, a space standing
  /// for any run of spaces.
  static let irrelevantLabels = [
    "not relevant", "not-relevant", "non-relevant", "non relevant", "nonrelevant", "notrelevant",
    "irrelevant",
  ]
  /// The marks that may follow such a label: colons, dashes and semicolons,
  /// full-width ones too.
  static let labelSeparators: Set<Character> = [
    ":", "\u{FF1A}", "-", "\u{2013}", "\u{2014}", ";", "\u{FF1B}",
  ]

  /// Returns the text after a leading `Not relevant:` or `Irrelevant:` label
  /// in any case, on a bullet, a numbered item or a plain line, or nil.
  ///
  /// The label may be spelt `Non-relevant` or `not-relevant`, carry a note in
  /// brackets, and end with a colon, a dash or a semicolon. A `Not relevant`
  /// label may also be followed by the text alone; `Irrelevant` needs a mark,
  /// so that a topic such as "Irrelevant feature removal" stays a topic.
  static func irrelevantText(_ line: String) -> String? {
    var text = Substring(line)
    // Up to two markers, such as "- 2) Not relevant: ...".
    for _ in 0..<2 {
      text = text.drop { $0.isWhitespace }
      if let (_, rest) = numberedItem(String(text)) {
        text = Substring(rest)
      } else if let first = text.first, "-*\u{2022}+".contains(first) {
        text = text.dropFirst()
      }
    }
    text = text.drop { $0.isWhitespace }
    for label in irrelevantLabels {
      guard var rest = matchLabel(label, at: text) else { continue }
      let spaced = rest.first?.isWhitespace == true
      rest = rest.drop { $0.isWhitespace }
      if rest.first == "(", let close = rest.firstIndex(of: ")") {
        rest = rest[rest.index(after: close)...].drop { $0.isWhitespace }
      }
      if let mark = rest.first, labelSeparators.contains(mark) {
        return stripEmphasis(String(rest.dropFirst()))
      }
      let value = stripEmphasis(String(rest))
      return label != "irrelevant" && spaced && !value.isEmpty ? value : nil
    }
    return nil
  }

  /// Returns the text after `label` at the start of `text`, compared without
  /// case, each space of the label matching any run of spaces, or nil.
  static func matchLabel(_ label: String, at text: Substring) -> Substring? {
    var rest = stripEmphasis(String(text))[...]
    for character in label {
      if character == " " {
        guard rest.first?.isWhitespace == true else { return nil }
        rest = rest.drop { $0.isWhitespace }
      } else {
        guard let first = rest.first, first.lowercased() == String(character) else { return nil }
        rest = rest.dropFirst()
      }
    }
    // "irrelevantly" is a word, not the label.
    if let next = rest.first, next.isLetter { return nil }
    return rest
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
