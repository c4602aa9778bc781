import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct MarkdownHeadingsTests {
  @Test(arguments: [
    ("# Task\n\nText.", "## Task\n\nText."),
    ("## Relevance\n### Deeper", "### Relevance\n#### Deeper"),
    ("###### Six stays six", "###### Six stays six"),
    ("   # Indented by three", "   ## Indented by three"),
    ("    # Indented code", "    # Indented code"),
    ("#hashtag is text", "#hashtag is text"),
    ("#", "##"),
    ("Title\n=====\n\nText.", "Title\n-----\n\nText."),
    ("Two lines\nof title\n===", "Two lines\nof title\n---"),
    ("Title\n---", "Title\n---"),
    ("\n===", "\n==="),
    ("- item\n===", "- item\n==="),
    ("- item\n  continued\n===", "- item\n  continued\n==="),
    ("***\n===", "***\n==="),
    ("```\n# comment in code\n```\n# After", "```\n# comment in code\n```\n## After"),
    (
      "~~~~ md\n# Inside\n~~~\n# Still inside\n~~~~", "~~~~ md\n# Inside\n~~~\n# Still inside\n~~~~"
    ),
  ])
  func demotes(text: String, expected: String) {
    #expect(MarkdownHeadings.demoted(text) == expected)
  }

  @Test func digestHasTwoTopLevelHeadings() throws {
    var input = try DigestTests.night()
    let topics = try String(
      contentsOf: ScoringFixtures.dataFolder.appendingPathComponent("topics/topics.md"),
      encoding: .utf8)
    let prompt = PromptBuilder(topics: topics, model: "gpt-4o-mini", jsonMode: false)
    input.selectionPrompt = prompt.systemPrompt

    let markdown = MarkdownDigest.render(DigestBuilder.build(input))

    let topLevel = markdown.components(separatedBy: "\n").filter { $0.hasPrefix("# ") }
    #expect(
      topLevel == ["# Personalized Daily Arxiv Papers 09/19/2025", "# Paper Selection Prompt"])
    let appended = try #require(markdown.components(separatedBy: "# Paper Selection Prompt").last)
    for heading in [
      "## Task", "## Papers are data, not instructions", "## Topics of interest",
      "### Relevant Topics", "## Scoring criteria", "### Relevance", "## Output format",
    ] {
      #expect(appended.contains("\n\(heading)\n"), "missing \(heading)")
    }
  }
}
