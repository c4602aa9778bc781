import Foundation
import Testing

@testable import PaperSiftKit

/// `papersift topics`, run as a user runs it, on files whose parts the
/// prefilter and the LLM read differently.
@Suite struct TopicsCommandTests {
  /// A gpt_paper_assistant style file: one topic, then a closing paragraph.
  static let assistantStyle = """
    1. Diffusion language models
       - Relevant: text diffusion.
       - Not relevant: image diffusion.

    He enjoys statistical machine learning.
    """

  @Test func textMarksLLMOnlyParts() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let url = try TestFiles.write(Self.assistantStyle, named: "paper_topics.txt", in: home)

    let result = try PaperSiftProcess(home: home).run(["topics", "--topics", url.path])

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    let lines = result.output.split(separator: "\n").map(String.init)
    #expect(
      lines == [
        "1 topic in \(url.path)",
        "1. Diffusion language models",
        "   relevant: text diffusion.",
        "   irrelevant (LLM only): image diffusion.",
        "outside the topics (LLM only): He enjoys statistical machine learning.",
        "The prefilter ranks by the topics' names and relevant text and by the keywords; the "
          + "LLM reads the whole file, so the parts marked (LLM only) change its scores but "
          + "not which papers reach it.",
      ])
    #expect(
      result.errorOutput.contains(
        "warning [topics] The prefilter ignores text outside the topics; only the LLM reads "
          + "it. Make it a numbered topic or a '- Relevant:' line of one to rank by it "
          + "file=\(url.path) paragraphs=1"), "stderr: \(result.errorOutput)")
  }

  @Test func otherLabelsShownAsLLMOnly() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let text = """
      1. Sparse retrieval
         - Relevant: learned sparse representations.
         - Examples: SPLADE, uniCOIL and
           DeepImpact.
         Methods: pairwise losses, as in: distillation.
         - Not relevant: dense retrieval.
      """
    let url = try TestFiles.write(text, named: "topics.md", in: home)

    let result = try PaperSiftProcess(home: home).run(["topics", "--topics", url.path])

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    let lines = result.output.split(separator: "\n").map(String.init)
    #expect(
      Array(lines.prefix(6)) == [
        "1 topic in \(url.path)",
        "1. Sparse retrieval",
        "   relevant: learned sparse representations.",
        "   irrelevant (LLM only): dense retrieval.",
        "   examples (LLM only): SPLADE, uniCOIL and DeepImpact.",
        "   methods (LLM only): pairwise losses, as in: distillation.",
      ])
    #expect(!result.errorOutput.contains("warning"), "stderr: \(result.errorOutput)")
  }

  @Test func bundledFileGivesNoWarning() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }

    let result = try PaperSiftProcess(home: home).run(
      ["topics", "--topics", NightFixtures.topicsFile.path])

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(result.errorOutput.isEmpty, "stderr: \(result.errorOutput)")
    #expect(
      result.output.contains(
        "introduction (LLM only): Use the following relevance criteria to focus on "
          + "foundational research."))
    #expect(
      result.output.contains(
        "   irrelevant (LLM only): Incremental improvements or trend-following without novel "
          + "insights."))
  }

  @Test func jsonNamesLLMOnlyKeys() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let url = try TestFiles.write(Self.assistantStyle, named: "paper_topics.txt", in: home)

    let result = try PaperSiftProcess(home: home).run(
      ["topics", "--topics", url.path, "--json"])

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    let object = try #require(
      JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
    #expect(
      object["readByLLMOnly"] as? [String] == [
        "topics[].irrelevant", "topics[].otherLines", "introduction", "textOutsideTopics",
      ])
    #expect(
      object["textOutsideTopics"] as? [String] == ["He enjoys statistical machine learning."])
    #expect(object["introduction"] as? [String] == [])
    let topics = try #require(object["topics"] as? [[String: Any]])
    #expect(topics.count == 1)
    #expect(topics.first?["name"] as? String == "Diffusion language models")
    #expect(topics.first?["relevant"] as? String == "text diffusion.")
    #expect(topics.first?["irrelevant"] as? String == "image diffusion.")
    #expect(topics.first?["otherLines"] as? [String] == [])
  }

  @Test func negativeOnlyFileExitsTwo() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let url = try TestFiles.write("- Not relevant: image diffusion\n", named: "t.md", in: home)

    let result = try PaperSiftProcess(home: home).run(["topics", "--topics", url.path])

    #expect(result.status == 2)
    #expect(result.output.isEmpty)
    #expect(
      result.errorOutput.contains(
        "The topics file '\(url.path)' contains no topic to rank by, only text on what to "
          + "leave out. Describe what you want to read: a numbered topic such as "
          + "'1. Sparse retrieval' with a '- Relevant: learned sparse representations' line "
          + "under it"), "stderr: \(result.errorOutput)")
  }

  @Test func otherLabelsOnlyFileExitsTwo() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let url = try TestFiles.write(
      "- Examples: ColBERT, DPR\n- Methods: distillation\n", named: "t.md", in: home)

    let result = try PaperSiftProcess(home: home).run(["topics", "--topics", url.path])

    #expect(result.status == 2)
    #expect(
      result.errorOutput.contains(
        "The topics file '\(url.path)' contains no topic to rank by, only text that the "
          + "prefilter does not read (bullets such as '- Examples:'). Describe what you want "
          + "to read"), "stderr: \(result.errorOutput)")
  }
}
