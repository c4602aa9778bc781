import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct TokenizerTests {
  static let smallVocabulary = [
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "aff", "able", "a",
    "##b", "hello", ",", "world", "!",
  ]

  static func small() throws -> WordPieceTokenizer {
    try WordPieceTokenizer(tokens: smallVocabulary)
  }

  @Test(arguments: [
    ("Hello, World!", ["hello", ",", "world", "!"]),
    ("Café résumé", ["cafe", "resume"]),
    ("ÅNGSTRÖM", ["angstrom"]),
    ("深度 学习", ["深", "度", "学", "习"]),
    ("a\u{0}b\u{7}c\u{FFFD}d", ["abcd"]),
    ("zero\u{200B}width soft\u{AD}hyphen", ["zerowidth", "softhyphen"]),
    ("tab\there\nnew\u{00A0}line", ["tab", "here", "new", "line"]),
    ("state-of-the-art", ["state", "-", "of", "-", "the", "-", "art"]),
    ("«quoted» x²", ["«", "quoted", "»", "x²"]),
    ("   ", []),
  ])
  func basicTokensSplitAndNormalise(_ text: String, _ expected: [String]) throws {
    let words = try Self.small().basicTokens(text[...]).map { String(String.UnicodeScalarView($0)) }
    #expect(words == expected)
  }

  @Test func wordPieceTakesLongestMatches() throws {
    let tokenizer = try Self.small()
    // [CLS] un ##aff ##able [SEP]
    #expect(tokenizer.encode("unaffable", maxLength: 32) == [2, 5, 6, 7, 3])
  }

  @Test func unknownPieceMakesWholeWordUnknown() throws {
    let tokenizer = try Self.small()
    // "abx": "a" then "##b", then no piece for "x", so the word is [UNK].
    #expect(tokenizer.encode("abx hello", maxLength: 32) == [2, 1, 12, 3])
  }

  @Test func wordOverHundredScalarsIsUnknown() throws {
    let tokenizer = try Self.small()
    let long = "a" + String(repeating: "b", count: 100)
    #expect(tokenizer.encode(long, maxLength: 32) == [2, 1, 3])
    let limit = "a" + String(repeating: "b", count: 99)
    #expect(tokenizer.encode(limit, maxLength: 200).count == 2 + 100)
  }

  @Test func megabyteWordIsOneUnknown() throws {
    // A text without whitespace cannot be cut before cleaning, so all of it
    // is cleaned and lower-cased, which must take time linear in its length.
    let tokenizer = try Self.small()
    let word = String(repeating: "AbÀ", count: 400_000)
    #expect(tokenizer.encode(word + " hello", maxLength: 32) == [2, 1, 12, 3])
  }

  @Test func truncationKeepsSeparator() throws {
    let tokenizer = try Self.small()
    let ids = tokenizer.encode("hello world hello world hello", maxLength: 5)
    #expect(ids == [2, 12, 14, 12, 3])
  }

  @Test func hugeTextGivesSameIdsAsItsStart() throws {
    let tokenizer = try Self.small()
    let start = String(repeating: "hello, world\u{301} \u{0}\t", count: 40)
    let huge = String(repeating: "hello, world\u{301} \u{0}\t", count: 20_000)
    let ids = tokenizer.encode(huge, maxLength: 64)
    #expect(ids == tokenizer.encode(start, maxLength: 64))
    #expect(ids.count == 64)
  }

  @Test func emptyTextGivesFrame() throws {
    #expect(try Self.small().encode("", maxLength: 8) == [2, 3])
  }

  @Test func specialTokensInTextStayWhole() throws {
    let tokenizer = try Self.small()
    #expect(tokenizer.encode("[SEP]hello [MASK] [cls]", maxLength: 32).prefix(4) == [2, 3, 12, 4])
  }

  @Test func missingSpecialTokenIsRejected() {
    let error = #expect(throws: PaperSiftError.self) {
      try WordPieceTokenizer(tokens: ["[PAD]", "[UNK]", "[CLS]"], source: "tiny.txt")
    }
    #expect(error?.message.contains("tiny.txt") == true)
    #expect(error?.message.contains("[SEP]") == true)
  }

  @Test(arguments: EncoderFixtures.cases)
  func idsMatchReference(_ reference: EncoderReferenceCase) throws {
    let vocabulary = EncoderFixtures.modelDirectory.appendingPathComponent("vocab.txt")
    try #require(
      FileManager.default.fileExists(atPath: vocabulary.path), EncoderFixtures.missingModelMessage)
    let tokenizer = try WordPieceTokenizer(vocabularyFile: vocabulary)
    #expect(tokenizer.encode(reference.text, maxLength: 256) == reference.inputIDs)
  }
}
