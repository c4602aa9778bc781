import Foundation

/// The uncased BERT tokenizer: basic tokenization, then WordPiece.
///
/// It follows Hugging Face's `BertTokenizer` with `do_lower_case`.
/// Control characters, NUL and U+FFFD are dropped and whitespace becomes a
/// space. CJK ideographs become words of their own. Text is lower-cased and
/// accents are stripped (canonical decomposition, then every nonspacing mark
/// removed). Punctuation splits words. Each word is then cut greedily into the
/// longest vocabulary pieces, continuations prefixed with `##`, and a word
/// with no cut, or over 100 scalars, becomes `[UNK]`.
///
/// See https://huggingface.co/docs/transformers/model_doc/bert#transformers.BertTokenizer.
public struct WordPieceTokenizer: Sendable {
  /// Vocabulary entries keyed by their UTF-8 bytes, because Swift's `String`
  /// equality is canonical and would merge entries that BERT keeps apart,
  /// such as a Hangul syllable and its decomposed jamo.
  private let vocabulary: [[UInt8]: Int32]
  public let vocabularySize: Int
  public let classifierID: Int32
  public let separatorID: Int32
  public let unknownID: Int32
  public let paddingID: Int32
  /// Special tokens written in the input text, matched verbatim before
  /// normalisation and kept whole, as Hugging Face tokenizers do.
  private let specialTokens: [(text: String, id: Int32)]
  /// The maximum word length, in Unicode scalars, that WordPiece splits; longer words are `[UNK]`.
  public let maxWordScalars = 100

  /// Reads `vocab.txt`: one token per line, its line number being its id.
  ///
  /// - Throws: ``PaperSiftError`` naming the file when it is missing or lacks
  ///   a special token.
  public init(vocabularyFile url: URL) throws {
    let text: String
    do {
      text = try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw PaperSiftError(
        .model,
        "Unable to read the vocabulary '\(url.path)': \(PaperSiftError.describe(error)). "
          + "Run scripts/install-model to install the model again.",
        underlying: error)
    }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    if lines.last == "" { lines.removeLast() }
    try self.init(
      tokens: lines.map { String($0.hasSuffix("\r") ? $0.dropLast() : $0) }, source: url.path)
  }

  /// Builds a tokenizer from the vocabulary in id order.
  public init(tokens: [String], source: String = "vocabulary") throws {
    var vocabulary: [[UInt8]: Int32] = [:]
    vocabulary.reserveCapacity(tokens.count)
    for (index, token) in tokens.enumerated() where vocabulary[Array(token.utf8)] == nil {
      vocabulary[Array(token.utf8)] = Int32(index)
    }
    func id(_ token: String) throws -> Int32 {
      guard let id = vocabulary[Array(token.utf8)] else {
        throw PaperSiftError(
          .model,
          "The vocabulary '\(source)' has no \(token) token. "
            + "Run scripts/install-model to install the model again.")
      }
      return id
    }
    self.vocabulary = vocabulary
    self.vocabularySize = tokens.count
    self.classifierID = try id("[CLS]")
    self.separatorID = try id("[SEP]")
    self.unknownID = try id("[UNK]")
    self.paddingID = try id("[PAD]")
    self.specialTokens = try ["[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]"].map { token in
      (token, try id(token))
    }
  }

  /// Returns the ids of `text` framed by `[CLS]` and `[SEP]`, at most
  /// `maxLength` ids in all (the word pieces are cut to fit).
  public func encode(_ text: String, maxLength: Int) -> [Int32] {
    let budget = max(0, maxLength - 2)
    var ids: [Int32] = [classifierID]
    for segment in splitOnSpecialTokens(text) {
      guard ids.count - 1 < budget else { break }
      switch segment {
      case .special(let id):
        ids.append(id)
      case .text(let part):
        let kept = Self.prefix(of: part, holdingWords: budget - (ids.count - 1))
        for word in basicTokens(kept) {
          guard ids.count - 1 < budget else { break }
          appendWordPieces(of: word, to: &ids)
        }
      }
    }
    if ids.count - 1 > budget { ids.removeLast(ids.count - 1 - budget) }
    ids.append(separatorID)
    return ids
  }

  private enum Segment {
    case text(Substring)
    case special(Int32)
  }

  /// Cuts `text` around verbatim special tokens such as `[SEP]`.
  private func splitOnSpecialTokens(_ text: String) -> [Segment] {
    var segments: [Segment] = []
    var rest = text[...]
    while let open = rest.firstIndex(of: "[") {
      let tail = rest[open...]
      if let match = specialTokens.first(where: { tail.hasPrefix($0.text) }) {
        if open > rest.startIndex { segments.append(.text(rest[..<open])) }
        segments.append(.special(match.id))
        rest = tail.dropFirst(match.text.count)
      } else {
        let next = rest.index(after: open)
        segments.append(.text(rest[..<next]))
        rest = rest[next...]
      }
    }
    if !rest.isEmpty { segments.append(.text(rest)) }
    return segments
  }

  /// Returns the start of `text` that contains more than `words` words, cut
  /// at whitespace, or all of `text` when it contains fewer.
  ///
  /// Every word gives at least one id, so the ids of the prefix begin with the
  /// same `words` ids as those of the whole text. Cleaning and splitting only
  /// the prefix keeps a 20 MB abstract from being processed whole when 256 ids
  /// are kept.
  static func prefix(of text: Substring, holdingWords words: Int) -> Substring {
    let scalars = text.unicodeScalars
    var count = 0
    var inWord = false
    for index in scalars.indices {
      let scalar = scalars[index]
      let dropped =
        scalar.value == 0 || scalar.value == 0xFFFD || isControl(scalar)
        || scalar.properties.generalCategory == .nonspacingMark
      if dropped {
        // Cleaning removes these, so they make no word of their own.
        continue
      } else if isWhitespace(scalar) {
        if inWord { count += 1 }
        inWord = false
        if count > words { return Substring(scalars[..<index]) }
      } else if isPunctuation(scalar) {
        if inWord { count += 1 }
        count += 1
        inWord = false
      } else {
        inWord = true
      }
    }
    return text
  }

  /// Splits `text` into words as BERT's basic tokenizer does, lower-cased
  /// and without accents.
  public func basicTokens(_ text: Substring) -> [[Unicode.Scalar]] {
    // Clean: drop NUL, U+FFFD and control characters, turn whitespace into spaces,
    // and put spaces around CJK ideographs.
    // Scalars are appended one at a time: appending a whole scalar view with
    // `append(contentsOf:)` copied the growing view each time (quadratic).
    var cleaned: [Unicode.Scalar] = []
    cleaned.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      if scalar.value == 0 || scalar.value == 0xFFFD || Self.isControl(scalar) { continue }
      if Self.isWhitespace(scalar) {
        cleaned.append(" ")
      } else if Self.isCJK(scalar) {
        cleaned.append(" ")
        cleaned.append(scalar)
        cleaned.append(" ")
      } else {
        cleaned.append(scalar)
      }
    }

    // Lower-case, then decompose and remove nonspacing marks (the accents).
    var lowered = String.UnicodeScalarView()
    for scalar in cleaned {
      if scalar.isASCII {
        // An ASCII capital is 32 below its small letter, which spares a property look-up.
        let value = UInt8(scalar.value)
        lowered.append(Unicode.Scalar((65...90).contains(value) ? value + 32 : value))
      } else {
        for lower in scalar.properties.lowercaseMapping.unicodeScalars { lowered.append(lower) }
      }
    }
    let decomposed = String(lowered).decomposedStringWithCanonicalMapping.unicodeScalars

    // Split on spaces and make each punctuation character a word of its own.
    var words: [[Unicode.Scalar]] = []
    var current: [Unicode.Scalar] = []
    for scalar in decomposed {
      if scalar.properties.generalCategory == .nonspacingMark { continue }
      if Self.isWhitespace(scalar) {
        if !current.isEmpty { words.append(current) }
        current = []
      } else if Self.isPunctuation(scalar) {
        if !current.isEmpty { words.append(current) }
        words.append([scalar])
        current = []
      } else {
        current.append(scalar)
      }
    }
    if !current.isEmpty { words.append(current) }
    return words
  }

  /// Appends the greedy longest-match WordPiece ids of one word.
  private func appendWordPieces(of word: [Unicode.Scalar], to ids: inout [Int32]) {
    guard word.count <= maxWordScalars else {
      ids.append(unknownID)
      return
    }
    let utf8 = word.map { Array(String($0).utf8) }
    var pieces: [Int32] = []
    var start = 0
    while start < word.count {
      var end = word.count
      var match: Int32?
      while end > start {
        var key: [UInt8] = start > 0 ? [0x23, 0x23] : []
        for index in start..<end { key += utf8[index] }
        if let id = vocabulary[key] {
          match = id
          break
        }
        end -= 1
      }
      guard let match else {
        ids.append(unknownID)
        return
      }
      pieces.append(match)
      start = end
    }
    ids += pieces
  }

  static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case " ", "\t", "\n", "\r": return true
    default: return scalar.properties.generalCategory == .spaceSeparator
    }
  }

  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case "\t", "\n", "\r": return false
    default: break
    }
    switch scalar.properties.generalCategory {
    case .control, .format, .unassigned, .privateUse, .surrogate: return true
    default: return false
    }
  }

  static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
    let value = scalar.value
    if (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value)
      || (123...126).contains(value)
    {
      return true
    }
    switch scalar.properties.generalCategory {
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
      .initialPunctuation, .finalPunctuation, .otherPunctuation:
      return true
    default:
      return false
    }
  }

  /// Returns whether `scalar` is in a CJK Unified Ideographs block, as BERT defines them.
  static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
      0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
      return true
    default:
      return false
    }
  }
}
