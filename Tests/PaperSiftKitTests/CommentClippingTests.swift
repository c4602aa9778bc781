import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct CommentClippingTests {
  @Test(arguments: [
    ("short text", 20, "short text"),
    ("exactly ten", 11, "exactly ten"),
    ("one two three four", 12, "one two…"),
    ("one two three four", 13, "one two three…"),
    ("one two   three four", 12, "one two…"),
    ("a https://example.org/very/long/path", 20, "a https://example.or…"),
    ("Ünïcödé wörds ärë fïnë", 16, "Ünïcödé wörds…"),
  ])
  func clipsAtWordBoundary(text: String, limit: Int, expected: String) {
    #expect(text.clipped(atWordBoundary: limit) == expected)
  }

  @Test func longCommentIsCutOnlyInMarkdown() throws {
    var input = try DigestTests.night()
    // Rank 1 is the first pick, 2509.14678.
    let words = (1...3000).map { "word\($0)" }
    let comment = "**Bold** </a><script>x</script> " + words.joined(separator: " ")
    input.scores["2509.14678"]?.comment = comment
    let content = DigestBuilder.build(input)

    let markdown = MarkdownDigest.render(content)
    let json = String(decoding: try JSONDigest.encode(content), as: UTF8.self)

    let line = try #require(
      markdown.components(separatedBy: "\n").first { $0.hasPrefix("**Comment:** \\*\\*Bold") })
    let note = " (cut short here; the JSON digest has the whole comment)"
    #expect(line.hasSuffix("…" + note))
    // Of the first 1,000 characters, 32 precede word1, words 1 to 9 take 6
    // with their space, 10 to 99 take 7 and 100 on take 8: 996 characters
    // end with "word134 ". The cut drops the "word" after it and the space,
    // which leaves 995, and escaping adds 7 backslashes (4 `*` and 3 `<`).
    let shown = line.dropFirst("**Comment:** ".count).dropLast(note.count + 1)
    #expect(shown.count == 995 + 7)
    #expect(shown.hasSuffix(" word134"))
    #expect(!markdown.contains("word135"))
    #expect(json.contains(words.last ?? ""))
    #expect(content.papers.first?.comment == comment)
  }

  @Test func commentAtLimitIsWhole() throws {
    var input = try DigestTests.night()
    let comment = String(repeating: "abcd ", count: 199) + "abcde"
    #expect(comment.count == MarkdownDigest.maxCommentCharacters)
    input.scores["2509.14678"]?.comment = comment

    let markdown = MarkdownDigest.render(DigestBuilder.build(input))

    #expect(markdown.contains("**Comment:** \(comment)\n"))
    #expect(!markdown.contains("cut short here"))
  }
}
