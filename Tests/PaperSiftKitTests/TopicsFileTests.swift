import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct TopicsFileTests {
  static let structured = """
    ## Relevant Topics

    Use the following relevance criteria.

    1. Representation Learning
       - Relevant: Insights into how deep networks encode information.
       - Irrelevant: Standard applications of known techniques.

    2. Model Compression
       - Relevant: Sparsity, pruning,
         quantization.
       - Irrelevant: Straightforward applications.

    **Keywords:**

    - Relevant: Mixture of Experts (MoE), Pruning, etc.
    - Irrelevant: Reinforcement Learning, Federated Learning, etc.
    - Application: Medical Imaging, Time Series, etc.
    """

  @Test func structuredTopics() {
    let parsed = TopicsFile.parse(Self.structured)
    #expect(parsed.topics.map(\.name) == ["Representation Learning", "Model Compression"])
    #expect(parsed.topics[0].relevant == "Insights into how deep networks encode information.")
    #expect(parsed.topics[0].irrelevant == "Standard applications of known techniques.")
    #expect(parsed.topics[1].relevant == "Sparsity, pruning, quantization.")
    #expect(parsed.introduction == ["Use the following relevance criteria."])
    #expect(parsed.textOutsideTopics.isEmpty)
  }

  @Test func structuredKeywords() {
    let parsed = TopicsFile.parse(Self.structured)
    #expect(parsed.relevantKeywords == ["Mixture of Experts (MoE)", "Pruning"])
    #expect(parsed.irrelevantKeywords == ["Reinforcement Learning", "Federated Learning"])
    #expect(parsed.applicationKeywords == ["Medical Imaging", "Time Series"])
  }

  @Test func bundledTopicsFile() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../Data/topics/topics.md").standardized
    let parsed = try TopicsFile.load(from: url)
    #expect(parsed.topics.count == 6)
    #expect(parsed.topics[5].name == "Emerging Trends")
    #expect(parsed.applicationKeywords.count == 13)
    #expect(parsed.irrelevantKeywords.last == "Diffusion Models")
  }

  @Test func gptPaperAssistantStyle() {
    let text = """
       1. New methodological improvements to RLHF or instruction-following
          - Relevant: papers that discuss specific methods like RLHF.
          - Not relevant: papers about adaptation to some task.
       2. Shows new powerful test set contamination or membership inference methods

       In suggesting papers to your friend, remember that he enjoys papers on statistics.
      """
    let parsed = TopicsFile.parse(text)
    #expect(parsed.topics.count == 2)
    #expect(parsed.topics[0].relevant == "papers that discuss specific methods like RLHF.")
    #expect(parsed.topics[0].irrelevant == "papers about adaptation to some task.")
    #expect(parsed.topics[1].name.hasPrefix("Shows new powerful test set"))
    #expect(parsed.topics[1].relevant.isEmpty)
    #expect(
      parsed.textOutsideTopics == [
        "In suggesting papers to your friend, remember that he enjoys papers on statistics."
      ])
    #expect(parsed.introduction.isEmpty)
  }

  @Test func textBetweenTopicsKept() {
    let text = """
      Intro line one
      and two.
      1. Sparse retrieval
         - Relevant: SPLADE.

      A remark between topics.

      2. Dense retrieval
      **Keywords:**
      - Relevant: ColBERT
      A remark after the keywords.
      """
    let parsed = TopicsFile.parse(text)
    #expect(parsed.topics.map(\.name) == ["Sparse retrieval", "Dense retrieval"])
    #expect(parsed.introduction == ["Intro line one and two."])
    #expect(
      parsed.textOutsideTopics == ["A remark between topics.", "A remark after the keywords."])
    #expect(parsed.relevantKeywords == ["ColBERT"])
  }

  @Test func windowsLineEndingsParse() {
    let parsed = TopicsFile.parse(Self.structured.replacingOccurrences(of: "\n", with: "\r\n"))
    #expect(parsed.topics.map(\.name) == ["Representation Learning", "Model Compression"])
    #expect(parsed.topics[1].relevant == "Sparsity, pruning, quantization.")
    #expect(parsed.relevantKeywords == ["Mixture of Experts (MoE)", "Pruning"])
  }

  @Test func freeTextParagraphs() {
    let parsed = TopicsFile.parse("Sparse attention\nin transformers.\n\nProtein folding models.\n")
    #expect(
      parsed.topics.map(\.name) == ["Sparse attention in transformers.", "Protein folding models."])
  }

  @Test func wrappedNumberIsText() {
    let text = """
      1. Scaling of language models
         - Relevant: training runs from
      1.5B to 70B parameters.
         - Not relevant: benchmarks.
      """
    let parsed = TopicsFile.parse(text)
    #expect(parsed.topics.map(\.name) == ["Scaling of language models"])
    #expect(parsed.topics[0].relevant == "training runs from 1.5B to 70B parameters.")
    #expect(parsed.topics[0].irrelevant == "benchmarks.")
  }

  @Test func sentenceStartingWithKeywordsIsText() {
    let text = """
      1. Efficient inference
         - Relevant: speculative decoding.
      Keywords in the title alone are not enough.
         - Not relevant: RAG benchmarks and leaderboards.
      """
    let parsed = TopicsFile.parse(text)
    #expect(parsed.topics[0].relevant.hasSuffix("Keywords in the title alone are not enough."))
    #expect(parsed.topics[0].irrelevant == "RAG benchmarks and leaderboards.")
    #expect(parsed.irrelevantKeywords.isEmpty)
  }

  @Test func bulletsWithoutNumbersKeepTheirSigns() {
    let parsed = TopicsFile.parse(
      "Intro paragraph about me.\n\nScaling laws\n- Relevant: compute-optimal training\n"
        + "- Not relevant: benchmarks\n\nProtein folding.\n")
    #expect(
      parsed.topics.map(\.name) == [
        "Intro paragraph about me.", "Scaling laws", "Protein folding.",
      ])
    #expect(parsed.topics[1].relevant == "compute-optimal training")
    #expect(parsed.topics[1].irrelevant == "benchmarks")
    let bare = TopicsFile.parse("- Relevant: scaling laws\n- Not relevant: benchmarks\n")
    #expect(
      bare.topics == [
        TopicsFile.Topic(name: "Interests", relevant: "scaling laws", irrelevant: "benchmarks")
      ])
    #expect(bare.textOutsideTopics.isEmpty)
  }

  /// A "Not relevant" bullet with no topic above it makes no topic, which
  /// would rank by the embedding of its made-up name alone.
  @Test func negativeBulletWithoutTopicStaysOutside() {
    let alone = TopicsFile.parse("- Not relevant: image diffusion\n")
    #expect(alone.topics.isEmpty)
    #expect(alone.textOutsideTopics == ["Not relevant: image diffusion"])

    let before = TopicsFile.parse("- Not relevant: image diffusion\n\nSparse retrieval.\n")
    #expect(before.topics == [TopicsFile.Topic(name: "Sparse retrieval.")])
    #expect(before.textOutsideTopics == ["Not relevant: image diffusion"])
    #expect(Profile.texts(of: before).map(\.text) == ["Sparse retrieval."])

    let numbered = TopicsFile.parse("- Not relevant: image diffusion\n1. Text diffusion\n")
    #expect(numbered.topics == [TopicsFile.Topic(name: "Text diffusion")])
    #expect(numbered.textOutsideTopics == ["Not relevant: image diffusion"])
  }

  /// A "Not relevant:" or "Irrelevant:" line without a dash, or as a
  /// numbered item, is the irrelevant text of the topic above it.
  @Test(arguments: [
    "1. Sparse retrieval\nNot relevant: image diffusion\n",
    "1. Sparse retrieval\n2. Not relevant: image diffusion\n",
    "1. Sparse retrieval\n2) IRRELEVANT: image diffusion\n",
    "1. Sparse retrieval\n* **Irrelevant:** image diffusion\n",
    "1. Sparse retrieval\n\n   not relevant:   image diffusion\n",
  ])
  func unbulletedIrrelevantLineJoinsTopic(text: String) {
    let parsed = TopicsFile.parse(text)
    #expect(
      parsed.topics == [TopicsFile.Topic(name: "Sparse retrieval", irrelevant: "image diffusion")])
    #expect(parsed.textOutsideTopics.isEmpty)
    #expect(Profile.texts(of: parsed).map(\.text) == ["Sparse retrieval"])
  }

  @Test func irrelevantLinesWithoutTopicStayOutside() {
    let plain = TopicsFile.parse("Not relevant: diffusion\nIrrelevant: robotics\n")
    #expect(plain.topics.isEmpty)
    #expect(plain.textOutsideTopics == ["Not relevant: diffusion robotics"])

    let numbered = TopicsFile.parse(
      "1. Not relevant: diffusion\n2. Not relevant: robotics\n\nSparse retrieval.\n")
    #expect(numbered.topics == [TopicsFile.Topic(name: "Sparse retrieval.")])
    #expect(numbered.textOutsideTopics == ["Not relevant: diffusion robotics"])

    let nested = TopicsFile.parse(
      "1. Topic\n   - Not relevant: diffusion\n2. Not relevant: robotics\n")
    #expect(nested.topics == [TopicsFile.Topic(name: "Topic", irrelevant: "diffusion robotics")])
  }

  @Test func unbulletedIrrelevantKeywordsAreNegative() {
    let parsed = TopicsFile.parse(
      "1. Topic\n\n**Keywords:**\n\nIrrelevant: Federated Learning, Robotics\n")
    #expect(parsed.irrelevantKeywords == ["Federated Learning", "Robotics"])
    #expect(parsed.topics == [TopicsFile.Topic(name: "Topic")])
  }

  /// A sentence that mentions the label later in the line stays text.
  @Test func irrelevantLabelInsideSentenceIsText() {
    let parsed = TopicsFile.parse("Papers on what is not relevant: a survey.\n")
    #expect(parsed.topics == [TopicsFile.Topic(name: "Papers on what is not relevant: a survey.")])
  }

  @Test func irrelevantTextMakesNoProfileEntry() {
    let texts = Profile.texts(of: TopicsFile.parse(Self.structured))
    #expect(!texts.contains { $0.text.contains("Standard applications") })
    #expect(!texts.contains { $0.text.contains("Straightforward applications") })
    #expect(!texts.contains { $0.text.contains("Use the following") })
    #expect(texts.count == 2 + 2 + 4)
  }

  @Test func profileTextsSigns() {
    let texts = Profile.texts(of: TopicsFile.parse(Self.structured))
    #expect(
      texts.filter { $0.entry.kind == .topic }.map(\.entry.label) == [
        "Representation Learning", "Model Compression",
      ])
    #expect(
      texts.filter { $0.entry.kind == .keyword }.map(\.text) == [
        "Mixture of Experts (MoE)", "Pruning",
      ])
    #expect(texts.filter { $0.entry.kind == .negative }.count == 4)
    #expect(
      texts[0].text
        == "Representation Learning: Insights into how deep networks encode information.")
  }

  @Test func latin1FileRejectedWithOffset() throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("papersift-topics-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("topics.md")
    // "1. Caf\u{e9} models" in Latin-1: byte 6 is 0xE9, not UTF-8.
    try Data([0x31, 0x2E, 0x20, 0x43, 0x61, 0x66, 0xE9, 0x20, 0x6D]).write(to: url)
    #expect {
      _ = try TopicsFile.load(from: url)
    } throws: { error in
      let error = error as? PaperSiftError
      return error?.code == .invalidInput && error?.message.contains("byte 6 of 9") == true
    }
  }

  @Test func oversizedFileRejected() throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("topics-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("topics.md")
    let topic = "1. Sparse mixtures of experts\n   - Relevant: routing and load balancing.\n"
    let text = String(repeating: topic, count: TopicsFile.maxBytes / topic.utf8.count + 1)
    try text.write(to: url, atomically: true, encoding: .utf8)
    #expect {
      _ = try TopicsFile.load(from: url)
    } throws: { error in
      let error = error as? PaperSiftError
      return error?.code == .invalidInput
        && error?.message.contains("has \(text.utf8.count) bytes; at most 100000") == true
    }
  }

  @Test func folderRejected() throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("topics-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    #expect {
      _ = try TopicsFile.load(from: folder)
    } throws: { error in
      let error = error as? PaperSiftError
      return error?.code == .invalidInput
        && error?.message.hasPrefix("'\(folder.path)' is a folder, not a topics file.") == true
    }
  }

  @Test(arguments: [
    ("## Heading only\n", ""),
    ("- Not relevant: image diffusion\n", ", only text on what to leave out"),
    ("Not relevant: diffusion models\n", ", only text on what to leave out"),
    (
      "1. Not relevant: diffusion models\n2. Irrelevant: robotics\n",
      ", only text on what to leave out"
    ),
    (
      "## Topics\n\n**Keywords:**\n\n- Irrelevant: Reinforcement Learning\n",
      ", only text on what to leave out"
    ),
    (
      "- Irrelevant: benchmarks\n- Application: Medical Imaging\n",
      ", only text on what to leave out"
    ),
  ])
  func fileWithoutTopicRejected(text: String, found: String) throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = try TestFiles.write(text, named: "topics.md", in: folder)
    #expect {
      _ = try TopicsFile.load(from: url)
    } throws: { error in
      let error = error as? PaperSiftError
      return error?.code == .invalidInput
        && error?.message.hasPrefix(
          "The topics file '\(url.path)' contains no topic to rank by\(found). Describe what "
            + "you want to read: a numbered topic such as '1. Sparse retrieval'") == true
    }
  }

  @Test(arguments: [
    ("   Examples: SPLADE and uniCOIL", "", ["examples: SPLADE and uniCOIL"]),
    ("   Key Methods: distillation", "", ["key methods: distillation"]),
    ("   and sparse ones: SPLADE", " and sparse ones: SPLADE", []),
    ("   Four words long label: text", " Four words long label: text", []),
    ("   Version 2: text", " Version 2: text", []),
  ])
  func plainLabelLinesAreLLMOnly(line: String, addedToRelevant: String, other: [String]) {
    let file = TopicsFile.parse("1. Dense retrieval\n   - Relevant: ColBERT.\n\(line)\n")

    #expect(file.topics.count == 1)
    #expect(file.topics.first?.relevant == "ColBERT." + addedToRelevant)
    #expect(file.topics.first?.otherLines == other)
  }

  @Test(arguments: [
    "   - Not relevant - medical image segmentation",
    "   - Not relevant medical image segmentation",
    "   - Not Relevant \u{2014} medical image segmentation",
    "   - Irrelevant - medical image segmentation",
    "   - Not relevant\u{FF1B} medical image segmentation",
    "   - not-relevant: medical image segmentation",
    "   - Not  relevant : medical image segmentation",
    "   - Notrelevant: medical image segmentation",
    "   - Non-relevant: medical image segmentation",
    "   - * Not relevant: medical image segmentation",
    "   - 2) Not relevant: medical image segmentation",
    "   - Not relevant (LLM only): medical image segmentation",
    "   - Not relevant:medical image segmentation",
    "   Not relevant: medical image segmentation",
  ])
  func oddIrrelevantFormsStayOutOfTheTopic(line: String) {
    let file = TopicsFile.parse(
      "1. Dense retrieval\n   - Relevant: ColBERT and late interaction.\n\(line)\n")
    #expect(file.topics.count == 1)
    #expect(file.topics.first?.relevant == "ColBERT and late interaction.")
    #expect(file.topics.first?.irrelevant == "medical image segmentation")
  }

  @Test func irrelevantWordStartsATopic() {
    let file = TopicsFile.parse("1. Irrelevant feature removal\n2. Irrelevantly long names\n")
    #expect(file.topics.map(\.name) == ["Irrelevant feature removal", "Irrelevantly long names"])
  }

  @Test func plainRelevantLineAfterIrrelevantLine() {
    let file = TopicsFile.parse(
      "1. Dense retrieval\n   Not relevant: recommender systems\n"
        + "   Relevant: ColBERT and late interaction.\n")
    #expect(file.topics.first?.irrelevant == "recommender systems")
    #expect(file.topics.first?.relevant == "ColBERT and late interaction.")
    #expect(file.topics.first?.name == "Dense retrieval")
  }
}
