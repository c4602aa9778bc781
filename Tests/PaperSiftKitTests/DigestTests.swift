import Foundation
import Testing

@testable import PaperSiftKit

/// The digest of a real night, 2025-09-19, built from a fixture with 30 of the
/// night's papers. `Fixtures/digest/README.md` lists which values are real and
/// which were made up. Set `PAPERSIFT_UPDATE_GOLDEN=1` to rewrite the golden
/// files after an intended change, then review their diff.
@Suite struct DigestTests {
  // MARK: - Fixture and golden files

  static func night() throws -> DigestInput {
    let url = try #require(
      Bundle.module.url(
        forResource: "night-2025-09-19", withExtension: "json", subdirectory: "Fixtures/digest"))
    return try JSONDecoder().decode(DigestInput.self, from: Data(contentsOf: url))
  }

  /// Returns ``night()`` as a `--no-llm` run on a night without stored
  /// scores passes it: no scores, no unscored reasons and nothing paid.
  static func skippedNight() throws -> DigestInput {
    var input = try night()
    input.scores = [:]
    input.unscoredReasons = [:]
    input.usage = .zero
    input.skippedLLM = DigestContent.SkippedLLM(
      reason: "--no-llm was given",
      estimatedUsage: DigestContent.Usage(
        promptTokens: 17_900, completionTokens: 1_550, cachedTokens: 0, promptDollars: 0.022375,
        completionDollars: 0.0155, cachedDollars: 0))
    return input
  }

  /// Compares `text` with the golden file `name`, or rewrites the golden file
  /// in the source tree when `PAPERSIFT_UPDATE_GOLDEN=1`.
  private func expectGolden(_ text: String, _ name: String) throws {
    if ProcessInfo.processInfo.environment["PAPERSIFT_UPDATE_GOLDEN"] == "1" {
      let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/digest/\(name)")
      try Data(text.utf8).write(to: source, options: .atomic)
      return
    }
    let base = (name as NSString).deletingPathExtension
    let ext = (name as NSString).pathExtension
    let url = try #require(
      Bundle.module.url(forResource: base, withExtension: ext, subdirectory: "Fixtures/digest"))
    let golden = try String(contentsOf: url, encoding: .utf8)
    let goldenLines = golden.components(separatedBy: "\n")
    let lines = text.components(separatedBy: "\n")
    let firstDifference = zip(lines, goldenLines).enumerated().first { $1.0 != $1.1 }?.offset
    #expect(
      text == golden,
      "differs from \(name) at line \((firstDifference ?? min(lines.count, goldenLines.count)) + 1)"
    )
  }

  private func temporaryFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("papersift-digest-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
  }

  @Test func markdownMatchesGolden() throws {
    let content = DigestBuilder.build(try Self.night())
    try expectGolden(MarkdownDigest.render(content), "digest-2025-09-19.md")
  }

  @Test func jsonMatchesGolden() throws {
    let content = DigestBuilder.build(try Self.night())
    let json = String(decoding: try JSONDigest.encode(content), as: UTF8.self)
    try expectGolden(json + "\n", "digest-2025-09-19.json")
  }

  @Test func noLLMMarkdownMatchesGolden() throws {
    let content = DigestBuilder.build(try Self.skippedNight())
    try expectGolden(MarkdownDigest.render(content), "digest-2025-09-19-no-llm.md")
  }

  // MARK: - JSON and Markdown carry the same content

  @Test func writtenJSONRerendersToWrittenMarkdown() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let content = DigestBuilder.build(try Self.night())

    let files = try DigestFiles.write(content, to: folder)
    let decoded = try JSONDigest.decode(Data(contentsOf: files.json))
    let markdown = try String(contentsOf: files.markdown, encoding: .utf8)

    #expect(decoded == content)
    #expect(MarkdownDigest.render(decoded) == markdown)
    #expect(decoded.papers.count == 10)
    for (offset, paper) in decoded.papers.enumerated() {
      let number = offset + 1
      let heading = "## \(number). [\(MarkdownText.escaped(paper.title))](\(paper.link))"
      #expect(markdown.contains(heading), "missing heading of \(paper.id)")
      #expect(markdown.contains("**ArXiv ID:** \(paper.id)"))
      let scores = "**Relevance:** \(paper.relevance ?? 0)\n**Novelty:** \(paper.novelty ?? 0)"
      #expect(markdown.contains(heading + " <a id=\"link\(number)\"></a>"))
      #expect(markdown.contains(scores), "missing scores of \(paper.id)")
      #expect(markdown.contains("`papersift like \(paper.id)`"))
    }
    #expect(markdown.contains("Total scanned papers: \(decoded.counts.papers)"))
    #expect(markdown.contains("Total relevant papers: \(decoded.papers.count)"))
  }

  @Test(
    arguments: [
      (nil, "no score returned"), ("budget", "not sent, because the budget (--budget) was reached"),
      ("invalid score", "invalid score"),
    ] as [(String?, String)])
  func unscoredReasonsReadAsSentences(stored: String?, expected: String) {
    #expect(DigestBuilder.readableReason(stored) == expected)
  }

  @Test func hugeAbstractIsCutInDigest() {
    let paper = Paper(
      id: "2505.00001", title: "A title", abstract: String(repeating: "word ", count: 120_000),
      authors: ["A. Author"], categories: ["cs.LG"])
    let entry = DigestContent.SelectedPaper(
      paper: paper, prefilterRank: 1, prefilterScore: 0.9, reason: .auditSample, score: nil)
    #expect(entry.abstract.count < PromptBuilder.maxAbstractCharacters + 40)
    #expect(entry.abstract.hasSuffix("more characters cut]"))
    #expect(entry.title == "A title")
  }

  @Test func likedPaperIsNotOfferedALike() throws {
    var input = try Self.night()
    // Rank 1 is the first pick, 2509.14678.
    input.ranking[0].feedback = .liked
    let content = DigestBuilder.build(input)
    let first = try #require(content.papers.first)

    let markdown = MarkdownDigest.render(content)

    #expect(first.id == "2509.14678")
    #expect(first.feedback == .liked)
    #expect(first.likeCommand == "papersift unlike 2509.14678")
    #expect(markdown.contains("**Liked:** yes; `papersift unlike 2509.14678` takes it back"))
    #expect(!markdown.contains("**Like it:** `papersift like 2509.14678`"))
    let second = try #require(content.papers.dropFirst().first)
    #expect(second.feedback == nil)
    #expect(markdown.contains("**Like it:** `papersift like \(second.id)`"))
  }

  @Test func dislikedPaperOffersUnlike() throws {
    var input = try Self.night()
    // Rank 9 is the followed author's paper 2509.14476, which passes although disliked.
    input.ranking[8].feedback = .disliked
    let content = DigestBuilder.build(input)
    let paper = try #require(content.papers.first { $0.id == "2509.14476" })

    let markdown = MarkdownDigest.render(content)
    let json = String(decoding: try JSONDigest.encode(content), as: UTF8.self)

    #expect(paper.feedback == .disliked)
    #expect(paper.likeCommand == "papersift unlike 2509.14476")
    #expect(markdown.contains("**Disliked:** yes; `papersift unlike 2509.14476` takes it back"))
    #expect(json.contains("\"feedback\" : \"disliked\""))
    #expect(json.contains("\"likeCommand\" : \"papersift unlike 2509.14476\""))
  }

  @Test func jsonMarksFeedbackAuditAndCategories() throws {
    var input = try Self.night()
    input.ranking[0].feedback = .liked
    input.ranking[0].paper.announceType = .cross
    let content = DigestBuilder.build(input)
    let json = try #require(
      try JSONSerialization.jsonObject(with: JSONDigest.encode(content)) as? [String: Any])
    let papers = try #require(json["papers"] as? [[String: Any]])
    let byID = Dictionary(uniqueKeysWithValues: papers.map { ($0["id"] as? String ?? "", $0) })

    let liked = try #require(byID["2509.14678"])
    #expect(liked["feedback"] as? String == "liked")
    #expect(liked["likeCommand"] as? String == "papersift unlike 2509.14678")
    #expect(liked["categories"] as? [String] == ["cs.LG", "physics.data-an"])
    #expect(liked["inAuditSample"] as? Bool == false)
    #expect(liked["announceType"] as? String == "cross")
    // The pick at rank 21 came from the audit sample.
    let audited = try #require(byID["2509.14961"])
    #expect(audited["inAuditSample"] as? Bool == true)
    #expect(audited["feedback"] == nil)
    #expect(audited["likeCommand"] as? String == "papersift like 2509.14961")
    #expect(audited["announceType"] as? String == "new")
    #expect(papers.filter { $0["inAuditSample"] as? Bool == true }.count == 1)
    for paper in content.papers {
      let listed = try #require(input.ranking.first { $0.paper.id == paper.id })
      #expect(paper.categories == listed.paper.categories)
    }
  }

  @Test(arguments: [
    (
      DigestContent.PassReason.topic(number: 1, name: "Model Architecture"),
      #"{"kind":"topic","name":"Model Architecture","number":1}"#
    ),
    (.likedPaper(id: "2509.05605"), #"{"id":"2509.05605","kind":"likedPaper"}"#),
    (.earlierPick(id: "2509.05606"), #"{"id":"2509.05606","kind":"earlierPick"}"#),
    (.likedByUser, #"{"kind":"likedByUser"}"#),
    (.followedAuthor(name: "Jiasen Lu"), #"{"kind":"followedAuthor","name":"Jiasen Lu"}"#),
    (.auditSample, #"{"kind":"auditSample"}"#),
    (.relevantKeyword(keyword: "MoE"), #"{"keyword":"MoE","kind":"relevantKeyword"}"#),
    (.learnedModel(score: 0.912), #"{"kind":"learnedModel","score":0.912}"#),
    (
      .other(text: "within the prefilter cutoff"),
      #"{"kind":"other","text":"within the prefilter cutoff"}"#
    ),
  ])
  func reasonJSONHasKind(reason: DigestContent.PassReason, json: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let encoded = String(decoding: try encoder.encode(reason), as: UTF8.self)
    #expect(encoded == json)
    let decoded = try JSONDecoder().decode(DigestContent.PassReason.self, from: Data(json.utf8))
    #expect(decoded == reason)
  }

  @Test func unknownReasonKindIsNamed() throws {
    var json = String(
      decoding: try JSONDigest.encode(DigestBuilder.build(Self.night())), as: UTF8.self)
    json = json.replacingOccurrences(of: "\"kind\" : \"likedPaper\"", with: "\"kind\" : \"liked\"")

    let error = #expect(throws: PaperSiftError.self) { try JSONDigest.decode(Data(json.utf8)) }

    #expect(error?.code == .invalidInput)
    #expect(error?.message.contains("Unknown reason kind 'liked'") == true)
  }

  @Test func digestFilesAreNamedByDate() throws {
    let folder = URL(fileURLWithPath: "/tmp/out")
    let files = try DigestFiles(directory: folder, date: "2025-09-19")
    #expect(files.markdown.path == "/tmp/out/digest-2025-09-19.md")
    #expect(files.json.path == "/tmp/out/digest-2025-09-19.json")
  }

  @Test(arguments: ["../2025-09-19", "2025-9-19", "", "2025-09-19/x"])
  func invalidDateIsRejected(date: String) {
    let error = #expect(throws: PaperSiftError.self) {
      try DigestFiles(directory: URL(fileURLWithPath: "/tmp/out"), date: date)
    }
    #expect(error?.code == .invalidInput)
    #expect(
      error?.message
        == "Invalid digest date '\(date)': use the form YYYY-MM-DD, such as 2025-05-02.")
  }

  @Test func rewriteReplacesFilesAndLeavesNoOthers() throws {
    let root = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: root) }
    let folder = root.appendingPathComponent("nested/digests")
    var content = DigestBuilder.build(try Self.night())
    try DigestFiles.write(content, to: folder)
    content.model = "gpt-5-mini"

    let files = try DigestFiles.write(content, to: folder)

    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    #expect(names == ["digest-2025-09-19.json", "digest-2025-09-19.md"])
    let markdown = try String(contentsOf: files.markdown, encoding: .utf8)
    #expect(markdown.contains("- Model: gpt-5-mini"))
    #expect(try JSONDigest.decode(Data(contentsOf: files.json)).model == "gpt-5-mini")
  }

  @Test func unwritableFolderIsReported() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let blocker = folder.appendingPathComponent("file")
    try Data("x".utf8).write(to: blocker)
    let content = DigestBuilder.build(try Self.night())

    let error = #expect(throws: PaperSiftError.self) {
      try DigestFiles.write(content, to: blocker.appendingPathComponent("digests"))
    }
    #expect(error?.code == .io)
    #expect(error?.message.hasPrefix("Unable to create the digest folder '") == true)
  }

  // MARK: - Building the content

  @Test func picksFollowRelevanceNoveltyRank() throws {
    let content = DigestBuilder.build(try Self.night())
    // 9/8 at ranks 1 and 3, 9/7 at 2 and 7, 8/8 at 8, 8/7 at 6 and 12,
    // 7/8 at 21 (audit sample), 7/7 at 9 and 11.
    #expect(
      content.papers.map(\.id) == [
        "2509.14678", "2509.14786", "2509.14391", "2509.15105", "2509.14722", "2509.14562",
        "2509.14863", "2509.14961", "2509.14476", "2509.14257",
      ])
    #expect(content.papers.map(\.prefilterRank) == [1, 3, 2, 7, 8, 6, 12, 21, 9, 11])
  }

  @Test func sortBreaksTiesByRank() {
    let paper = Paper(id: "2509.00001", title: "T", abstract: "A", authors: [], categories: [])
    func entry(_ id: String, _ relevance: Int, _ novelty: Int, rank: Int)
      -> DigestContent.SelectedPaper
    {
      var copy = paper
      copy.id = id
      return DigestContent.SelectedPaper(
        paper: copy, prefilterRank: rank, prefilterScore: 0, reason: .auditSample,
        score: DigestInput.Score(relevance: relevance, novelty: novelty, comment: ""))
    }
    let sorted = DigestBuilder.sortPicks([
      entry("a", 8, 7, rank: 5), entry("b", 8, 8, rank: 9), entry("c", 8, 7, rank: 2),
      entry("d", 9, 1, rank: 30),
    ])
    #expect(sorted.map(\.id) == ["d", "b", "c", "a"])
  }

  @Test func ruleExcludesNearMiss() throws {
    let input = try Self.night()
    let content = DigestBuilder.build(input)
    // 2509.14271 was sent and scored relevance 7, novelty 6: below novelty 7.
    #expect(
      input.scores["2509.14271"]
        == DigestInput.Score(
          relevance: 7, novelty: 6,
          comment: "Fixture score: the real ranker recorded only its picks."))
    #expect(!content.papers.contains { $0.id == "2509.14271" })
  }

  @Test func stricterRuleKeepsFewerPicks() throws {
    var input = try Self.night()
    input.selectionRule = SelectionRule(minimumRelevance: 9, minimumNovelty: 7)
    let content = DigestBuilder.build(input)
    #expect(content.papers.map(\.id) == ["2509.14678", "2509.14786", "2509.14391", "2509.15105"])
    #expect(content.recall?.picksAboveCutoff == 4)
    #expect(content.recall?.samplePicks == 0)
  }

  @Test func reasonsComeFromPrefilterOrAudit() throws {
    let content = DigestBuilder.build(try Self.night())
    let reasons = Dictionary(uniqueKeysWithValues: content.papers.map { ($0.id, $0.reason) })
    #expect(reasons["2509.14678"] == .topic(number: 1, name: "Model Architecture"))
    #expect(reasons["2509.14786"] == .likedPaper(id: "2509.05605"))
    #expect(reasons["2509.14476"] == .followedAuthor(name: "Jiasen Lu"))
    #expect(reasons["2509.14961"] == .auditSample)
  }

  @Test(arguments: [
    (
      DigestContent.PassReason.topic(number: 2, name: "Model Architecture"),
      "topic 2: Model Architecture"
    ),
    (.relevantKeyword(keyword: "mixture of experts"), "relevant keyword: mixture of experts"),
    (.likedPaper(id: "2501.12345"), "liked paper 2501.12345"),
    (.earlierPick(id: "2501.12346"), "earlier LLM pick 2501.12346"),
    (.followedAuthor(name: "Yann LeCun"), "followed author Yann LeCun"),
    (.auditSample, "audit sample"),
    (.learnedModel(score: 0.91249), "learned model score 0.912"),
    (.other(text: "within the prefilter cutoff"), "within the prefilter cutoff"),
  ])
  func reasonText(reason: DigestContent.PassReason, text: String) {
    #expect(reason.text == text)
  }

  @Test func auditSampleMatchesFixture() throws {
    let input = try Self.night()
    let below = input.ranking.map(\.paper.id).filter { !input.sentIDs.contains($0) }
    let count = RunSettings().auditSampleSize(
      nightPapers: input.ranking.count, papersBelowCutoff: below.count)
    let drawn = AuditSample.draw(from: below, count: count, date: input.date)
    let planned = AuditSample.draw(
      ranking: input.ranking.map(\.paper.id), sentIDs: input.sentIDs, date: input.date,
      settings: RunSettings())
    // max(5, ceil(0.03 * 30)) = 5 of the 18 papers below the cutoff.
    #expect(count == 5)
    #expect(Set(drawn) == input.auditIDs)
    #expect(planned == drawn)
  }

  /// Returns ``night()`` with a non-pick score for 2509.14846, the paper
  /// above the cutoff whose request failed, so that all 12 papers above the
  /// cutoff have a score.
  static func fullyScoredNight() throws -> DigestInput {
    var input = try night()
    input.scores["2509.14846"] = DigestInput.Score(relevance: 3, novelty: 3, comment: "Off topic.")
    return input
  }

  @Test func recallCountsComeFromScores() throws {
    let content = DigestBuilder.build(try Self.fullyScoredNight())
    let recall = try #require(content.recall)
    // 9 picks among 12 sent; 18 below, 5 audited, 1 pick among them.
    #expect(recall.picksAboveCutoff == 9)
    #expect(recall.unscoredAboveCutoff == 0)
    #expect(recall.noRecallReason == nil)
    #expect(recall.papersBelowCutoff == 18)
    #expect(recall.sampleSize == 5)
    #expect(recall.samplePicks == 1)
    // Lost 18 * 1 / 5 = 3.6; recall 9 / (9 + 3.6) = 0.714285...
    #expect(recall.estimatedLostPicks == 3.6)
    #expect(abs((recall.recall ?? 0) - 9 / 12.6) < 1e-12)
    #expect(
      content.counts == DigestContent.Counts(papers: 30, aboveCutoff: 12, audited: 5, scored: 17))
  }

  @Test func unscoredPaperAboveCutoffHidesRecall() throws {
    let content = DigestBuilder.build(try Self.night())
    let recall = try #require(content.recall)
    // 2509.14846 failed, so the picks above the cutoff are 9 or 10: recall
    // is not known, but the audit's 18 * 1 / 5 = 3.6 lost picks still hold.
    #expect(recall.picksAboveCutoff == 9)
    #expect(recall.unscoredAboveCutoff == 1)
    #expect(recall.recall == nil)
    #expect(recall.recallLow == nil)
    #expect(recall.recallHigh == nil)
    #expect(
      recall.noRecallReason
        == "1 paper above the cutoff has no score, so the picks above the cutoff are not known")
    #expect(recall.estimatedLostPicks == 3.6)
    #expect(recall.lostPicksLow == 1)
    #expect(recall.lostPicksHigh == 11)
    let markdown = MarkdownDigest.render(content)
    let section = """
      ## Estimated recall

      No recall estimate, because 1 paper above the cutoff has no score, so the picks above \
      the cutoff are not known. The unscored papers below give the reasons.

      - Picks among the 11 of the 12 papers above the cutoff that got a score: 9
      - Audit sample: 5 of the 18 papers below the cutoff, with 1 pick
      - Estimated picks lost below the cutoff: 3.6 (18 × 1 / 5)
      - 95% interval on the picks lost: 1 to 11

      The sample is a simple random sample
      """
    #expect(markdown.contains(section))
    #expect(!markdown.contains("The cutoff kept an estimated"))
  }

  /// A `--no-llm` run with a cutoff below every paper, after a run that
  /// scored only the top of the night: nothing lies below the cutoff, but
  /// most papers above it were never sent.
  @Test func wholeNightAboveCutoffUnscoredHidesRecall() throws {
    var input = try Self.fullyScoredNight()
    input.sentIDs = Set(input.ranking.map(\.paper.id))
    input.auditIDs = []
    input.noRequestReason = "--no-llm was given"
    for entry in input.ranking[12...] where input.scores[entry.paper.id] == nil {
      input.unscoredReasons[entry.paper.id] = "not sent, because --no-llm was given"
    }
    let content = DigestBuilder.build(input)
    let recall = try #require(content.recall)
    // The 12 papers of the old slice and its 5 audit papers have a score,
    // so 13 of the 30 papers above the cutoff have none.
    #expect(content.counts.scored == 17)
    #expect(content.unscored.count == 13)
    #expect(recall.unscoredAboveCutoff == 13)
    #expect(recall.papersBelowCutoff == 0)
    #expect(recall.picksAboveCutoff == 10)
    #expect(recall.recall == nil)
    #expect(recall.recallLow == nil)
    #expect(recall.recallHigh == nil)
    #expect(recall.estimatedLostPicks == 0)
    let markdown = MarkdownDigest.render(content)
    let section = """
      No recall estimate, because 13 papers above the cutoff have no score, so the picks \
      above the cutoff are not known. The unscored papers below give the reasons.

      - Picks among the 17 of the 30 papers above the cutoff that got a score: 10
      - Papers below the cutoff: none, so the cutoff itself lost no picks

      ## Cost
      """
    #expect(markdown.contains(section))
    #expect(!markdown.contains("Every paper of the night"))

    let json = String(decoding: try JSONDigest.encode(content), as: UTF8.self)
    #expect(json.contains(#""unscoredAboveCutoff" : 13"#))
    #expect(json.contains(#""noRecallReason" : "13 papers above the cutoff have no score"#))
    #expect(!json.contains(#""recall" : 1"#))
    #expect(!json.contains("recallLow"))
  }

  @Test func unscoredAboveAndUnauditedSaysBoth() throws {
    var input = try Self.night()
    for id in input.auditIDs { input.scores[id] = nil }
    let content = DigestBuilder.build(input)
    #expect(content.recall?.hasEstimate == false)
    #expect(content.recall?.unscoredAboveCutoff == 1)
    let section = """
      - Picks among the 11 of the 12 papers above the cutoff that got a score: 9
      - Picks lost below the cutoff: not estimated

      No estimate, because none of the 5 papers drawn for the audit got a score.
      """
    #expect(MarkdownDigest.render(content).contains(section))
  }

  @Test func unscoredAuditPaperLeavesSample() throws {
    var input = try Self.night()
    input.scores["2509.14249"] = nil
    let content = DigestBuilder.build(input)
    #expect(content.recall?.sampleSize == 4)
    #expect(content.recall?.samplePicks == 1)
    #expect(content.unscored.map(\.id) == ["2509.14846", "2509.14249"])
    #expect(content.unscored.last?.reason == "no score returned")
  }

  @Test func unscoredListsFailedPaper() throws {
    let content = DigestBuilder.build(try Self.night())
    #expect(
      content.unscored == [
        DigestContent.UnscoredPaper(
          id: "2509.14846",
          title: "[Re] Improving Interpretation Faithfulness for Vision Transformers",
          link: "https://arxiv.org/abs/2509.14846",
          reason: "batch 2 failed: HTTP 500 after 3 attempts")
      ])
    let markdown = MarkdownDigest.render(content)
    #expect(
      markdown.contains(
        "- [2509.14846](https://arxiv.org/abs/2509.14846) \\[Re\\] Improving Interpretation "
          + "Faithfulness for Vision Transformers: batch 2 failed: HTTP 500 after 3 attempts"))
  }

  @Test func costSavedScalesPerPaperCost() throws {
    let content = DigestBuilder.build(try Self.night())
    let cost = try #require(content.costSaved)
    // 12 above the cutoff + 5 audited = 17 chosen, 16 scored for 0.0160155 +
    // 0.01604 = 0.0320555 dollars, so 0.0320555 / 16 per paper. The digest
    // rounds each amount to 10 decimals.
    let perPaper = 0.0320555 / 16
    #expect(cost.chosenPapers == 17)
    #expect(cost.scoredPapers == 16)
    #expect(cost.allPapers == 30)
    #expect(abs(cost.paidDollars - 0.0320555) < 1e-10)
    #expect(cost.estimatedDollars == nil)
    #expect(abs(cost.allPapersDollars - perPaper * 30) < 1e-10)
    #expect(abs(cost.chosenPapersDollars - perPaper * 17) < 1e-10)
    #expect(abs(cost.savedDollars - perPaper * 13) < 1e-10)
  }

  @Test func budgetCutPricesByScoredPapers() throws {
    var input = try Self.night()
    // The budget stopped the last batches: 4 papers above the cutoff and the
    // whole audit sample got no score.
    let cut = ["2509.14271", "2509.14274", "2509.14257", "2509.14476"] + input.auditIDs
    for id in cut {
      input.scores[id] = nil
      input.unscoredReasons[id] = "budget"
    }
    let content = DigestBuilder.build(input)
    let cost = try #require(content.costSaved)
    let markdown = MarkdownDigest.render(content)

    // 17 chosen, 1 failed, 9 cut by the budget: 7 scored for 0.0320555.
    #expect(content.counts.scored == 7)
    #expect(cost.scoredPapers == 7)
    #expect(cost.chosenPapers == 17)
    #expect(abs(cost.allPapersDollars - 0.0320555 / 7 * 30) < 1e-10)
    #expect(
      markdown.contains(
        "7 of the 17 papers chosen got a score, for $0.0321, and 10 got no score. At the same "
          + "cost per scored paper, scoring all 30 would have cost about $0.1374 and scoring "
          + "the 17 chosen about $0.0778, so the cutoff saved about $0.0595."))
    #expect(
      markdown.contains(
        "No estimate, because the budget (--budget) was reached before the 5 papers drawn for "
          + "the audit were sent, so the audit sample has no score."))
    #expect(!markdown.contains("no paper below the cutoff was audited"))
    #expect(content.unscored.filter(\.inAuditSample).count == 5)
  }

  @Test func failedStageKeepsPaidUsage() throws {
    var input = try Self.night()
    let paid = input.usage
    let estimate = DigestContent.Usage(
      promptTokens: 17_900, completionTokens: 1_550, cachedTokens: 0, promptDollars: 0.022375,
      completionDollars: 0.0155, cachedDollars: 0)
    input.scores = [:]
    input.skippedLLM = DigestContent.SkippedLLM(
      reason: "no paper got a score, and the first cause was: invalid score",
      estimatedUsage: estimate, failed: true)
    let content = DigestBuilder.build(input)
    let cost = try #require(content.costSaved)
    let markdown = MarkdownDigest.render(content)

    #expect(content.usage == paid)
    #expect(content.usage.totalDollars > 0)
    #expect(cost.scoredPapers == 0)
    #expect(abs(cost.paidDollars - 0.0320555) < 1e-12)
    #expect(abs((cost.estimatedDollars ?? 0) - 0.037875) < 1e-12)
    #expect(
      markdown.contains(
        "No paper got a score in this run. What the night's requests cost, earlier runs' included:\n\n"
          + MarkdownDigest.usageTable(paid)))
    #expect(
      markdown.contains(
        "Scoring the 17 papers at the chosen cutoff (12 above it and 5 drawn for the audit) "
          + "would cost about:\n\n" + MarkdownDigest.usageTable(estimate)))
    #expect(
      markdown.contains(
        "No paper got a score, although the requests cost $0.0321. Scoring the 17 papers at "
          + "the chosen cutoff would cost about $0.0379 by estimate."))
    #expect(
      markdown.contains(
        "Total relevant papers: not known, because the LLM stage failed. Below are the top 12 "
          + "papers of the prefilter ranking."))
    #expect(!markdown.contains("was skipped"))
    let json = String(decoding: try JSONDigest.encode(content), as: UTF8.self)
    #expect(json.contains("\"paidDollars\" : 0.0320555"))
  }

  @Test func storedScoresDigestSaysNoRequestSent() throws {
    var input = try Self.night()
    // The earlier run scored all but 2509.14846, and this run sent nothing.
    input.unscoredReasons = ["2509.14846": "not sent, because --no-llm was given"]
    input.noRequestReason = "--no-llm was given"
    let content = DigestBuilder.build(input)

    let markdown = MarkdownDigest.render(content)

    #expect(content.noRequestReason == "--no-llm was given")
    #expect(content.papers.count == 10)
    #expect(content.usage == input.usage)
    #expect(content.recall?.sampleSize == 5)
    #expect(
      markdown.contains(
        "# Personalized Daily Arxiv Papers 09/19/2025\n\n**The LLM stage sent no request this "
          + "run: --no-llm was given.** The scores below were stored by earlier runs of this "
          + "night, and the table shows what those runs paid.\n\n"
          + MarkdownDigest.usageTable(input.usage)))
    #expect(
      markdown.contains(
        "- Chosen for the LLM: 12 of 30 papers above the cutoff, plus 5 drawn for the audit "
          + "from below it, and 16 of them have a score stored by an earlier run\n"
          + "- Sent to the LLM this run: none, because --no-llm was given\n"))
    #expect(
      markdown.contains(
        "Faithfulness for Vision Transformers: not sent, because --no-llm was given"))
    #expect(markdown.contains("Total relevant papers: 10"))
    let json = String(decoding: try JSONDigest.encode(content), as: UTF8.self)
    #expect(json.contains("\"noRequestReason\" : \"--no-llm was given\""))
  }

  @Test func skippedStageDropsNoRequestReason() throws {
    var input = try Self.skippedNight()
    input.noRequestReason = "--no-llm was given"
    let content = DigestBuilder.build(input)
    #expect(content.noRequestReason == nil)
    #expect(!MarkdownDigest.render(content).contains("sent no request this run"))
  }

  @Test func noLLMListOfOneIsSingular() throws {
    var input = try Self.skippedNight()
    input.prefilterListLength = 1
    let markdown = MarkdownDigest.render(DigestBuilder.build(input))
    #expect(
      markdown.contains(
        "Total relevant papers: not known, because the LLM stage was skipped. Below is the top "
          + "paper of the prefilter ranking."))
  }

  @Test func outsideIDsAreIgnored() throws {
    var input = try Self.night()
    input.sentIDs.insert("2509.99999")
    input.auditIDs.insert("2509.14678")
    let content = DigestBuilder.build(input)
    #expect(
      content.counts == DigestContent.Counts(papers: 30, aboveCutoff: 12, audited: 5, scored: 16))
  }

  @Test func duplicateRankingEntryIsDropped() throws {
    var input = try Self.night()
    input.ranking.append(input.ranking[0])
    let content = DigestBuilder.build(input)
    #expect(content.counts.papers == 30)
    #expect(content.recall?.papersBelowCutoff == 18)
  }

  // MARK: - The no-LLM variant

  @Test func noLLMListsPrefilterTop() throws {
    let content = DigestBuilder.build(try Self.skippedNight())
    #expect(content.papers.map(\.prefilterRank) == Array(1...12))
    #expect(content.papers.allSatisfy { $0.relevance == nil })
    #expect(content.papers.allSatisfy { $0.novelty == nil })
    #expect(content.papers.allSatisfy { $0.comment == nil })
    #expect(content.recall == nil)
    #expect(content.unscored.isEmpty)
    #expect(content.usage == .zero)
    #expect(content.counts.scored == 0)
    let cost = try #require(content.costSaved)
    #expect(cost.paidDollars == 0)
    #expect(abs((cost.estimatedDollars ?? 0) - 0.037875) < 1e-12)
  }

  @Test func noLLMListLengthIsConfigurable() throws {
    var input = try Self.skippedNight()
    input.prefilterListLength = 5
    let content = DigestBuilder.build(input)
    #expect(content.papers.map(\.prefilterRank) == [1, 2, 3, 4, 5])
  }

  @Test func noLLMDigestStatesSkipAndCost() throws {
    let markdown = MarkdownDigest.render(DigestBuilder.build(try Self.skippedNight()))
    #expect(
      markdown.contains(
        "**The LLM stage was skipped: --no-llm was given.**\n\nScoring the 17 papers at the "
          + "chosen cutoff (12 above it and 5 drawn for the audit) would have cost about:"))
    #expect(markdown.contains("| **Token** | 17900   | 0               | 1550       | 19450   |"))
    #expect(!markdown.contains("**Relevance:**"))
    #expect(markdown.contains("## 5. [\\[Re\\] Improving Interpretation Faithfulness"))
    // 0.022375 + 0.0155 = 0.037875 for 17 papers; 30 papers: 0.066838...
    #expect(
      markdown.contains(
        "Scoring the 17 papers at the chosen cutoff would cost about $0.0379 by estimate. "
          + "Scoring all 30 "
          + "at the same cost per paper would cost about $0.0668, so the cutoff would save "
          + "about $0.0290."))
  }

  // MARK: - Markdown details

  @Test(arguments: [
    ("[Re] Improving Faithfulness", "\\[Re\\] Improving Faithfulness"),
    ("Bounds for $[0,1]$-Valued Regression", "Bounds for $[0,1]$-Valued Regression"),
    (
      "TIME$[t] \\subseteq {\\rm SPACE}[O(\\sqrt{t})]$ via Trees",
      "TIME$[t] \\subseteq {\\rm SPACE}[O(\\sqrt{t})]$ via Trees"
    ),
    (
      "Second-Order Bounds for [0,1]-Valued Regression",
      "Second-Order Bounds for \\[0,1\\]-Valued Regression"
    ),
    ("Entropy After <think> Tokens", "Entropy After \\<think> Tokens"),
    ("Already \\[escaped\\]", "Already \\[escaped\\]"),
    ("*Emphasis* in a Title", "\\*Emphasis\\* in a Title"),
    ("**Strong** Claims", "\\*\\*Strong\\*\\* Claims"),
    ("A* Search Revisited", "A\\* Search Revisited"),
    ("_Private_ Fields", "\\_Private\\_ Fields"),
    ("__init__ Methods", "\\_\\_init\\_\\_ Methods"),
    ("Learning snake_case and W_Q Names", "Learning snake_case and W_Q Names"),
    ("Spaced * and _ Stay", "Spaced * and _ Stay"),
    ("~Struck~ and ~~Twice~~ Struck", "\\~Struck\\~ and \\~\\~Twice\\~\\~ Struck"),
    ("About ~100 Tokens", "About \\~100 Tokens"),
    ("Spaced ~ Stays", "Spaced ~ Stays"),
    ("The `torch.compile` Story", "The \\`torch.compile\\` Story"),
    ("Math $x_i * y_{`j`}$ Stays", "Math $x_i * y_{`j`}$ Stays"),
    ("Already \\*escaped\\* and \\`code\\`", "Already \\*escaped\\* and \\`code\\`"),
  ])
  func titleEscaping(title: String, expected: String) {
    #expect(MarkdownText.escaped(title) == expected)
  }

  @Test func markupInTitleAuthorsCommentIsEscaped() throws {
    var input = try Self.night()
    // Rank 1 is the first pick, 2509.14678.
    input.ranking[0].paper.title = "*Fast* `Attention` for snake_case Models"
    input.ranking[0].paper.authors = ["A_B* Lab", "Jo `Dev`"]
    input.scores["2509.14678"]?.comment = "Uses _sparse_ **kernels**."

    let markdown = MarkdownDigest.render(DigestBuilder.build(input))

    let title = "\\*Fast\\* \\`Attention\\` for snake_case Models"
    #expect(markdown.contains("1. [\(title)](#user-content-link1)"))
    #expect(markdown.contains("## 1. [\(title)](https://arxiv.org/abs/2509.14678)"))
    #expect(markdown.contains("**Authors:** A_B\\* Lab, Jo \\`Dev\\`"))
    #expect(markdown.contains("**Comment:** Uses \\_sparse\\_ \\*\\*kernels\\*\\*."))
  }

  @Test func lineBreaksJoinIntoOneLine() {
    let paper = Paper(
      id: "2509.00001", title: "Long\n  Title", abstract: "First line\nsecond line.\n\nNext.",
      authors: ["Ada\nLovelace"], categories: ["cs.LG"])
    let entry = DigestContent.SelectedPaper(
      paper: paper, prefilterRank: 1, prefilterScore: 0.5, reason: .auditSample, score: nil)
    #expect(entry.title == "Long Title")
    #expect(entry.abstract == "First line second line. Next.")
    #expect(entry.authors == ["Ada Lovelace"])
  }

  // 1000 tokens at $0.15 and 2000 at $0.60 per million cost $0.00135, which
  // the sum 0.00015 + 0.0012 gives as 0.0013499999999999999.
  @Test(arguments: [
    (0.0, "$0.0000"), (0.0042, "$0.0042"), (0.0320555, "$0.0321"), (0.1, "$0.1000"),
    (0.54, "$0.5400"), (1.5, "$1.5000"), (0.000_04, "<$0.0001"), (0.000_05, "$0.0001"),
    (0.000_15 + 0.0012, "$0.0014"),
  ])
  func dollarsFormat(value: Double, text: String) {
    #expect(MarkdownText.dollars(value) == text)
  }

  @Test func usageTableHasCachedColumn() {
    let usage = DigestContent.Usage(
      promptTokens: 21638, completionTokens: 1823, cachedTokens: 4096, promptDollars: 0.54,
      completionDollars: 0.18, cachedDollars: 0.0051)
    #expect(
      MarkdownDigest.usageTable(usage) == """
        |           | Prompt  | of which cached | Completion | Total   |
        |-----------|---------|-----------------|------------|---------|
        | **Token** | 21638   | 4096            | 1823       | 23461   |
        | **Cost**  | $0.5400 | $0.0051         | $0.1800    | $0.7200 |

        The cached tokens are part of the prompt tokens, billed at the cached price, so Total \
        is Prompt plus Completion.
        """)
  }

  @Test func usageTableWithoutCacheHasNoNote() {
    let usage = DigestContent.Usage(
      promptTokens: 1000, completionTokens: 100, cachedTokens: 0, promptDollars: 0.00015,
      completionDollars: 0.00006, cachedDollars: 0)
    let table = MarkdownDigest.usageTable(usage)
    #expect(table.hasSuffix("| **Cost**  | $0.0001 | $0.0000         | $0.0001    | $0.0002 |"))
    #expect(!table.contains(MarkdownDigest.cachedNote))
  }

  @Test func jsonDollarsHaveNoNoise() throws {
    var input = try Self.night()
    // Sums of prices carry the noise of binary floating point, such as
    // 0.0100001 + 0.0004882 = 0.010488299999999999.
    input.usage.promptDollars = 0.004_453_349_999_999_999
    input.scoringDollars = 0.010_000_1 + 0.000_488_2
    #expect("\(input.usage.promptDollars)" == "0.004453349999999999")
    #expect("\(try #require(input.scoringDollars))" == "0.010488299999999999")

    let json = String(decoding: try JSONDigest.encode(DigestBuilder.build(input)), as: UTF8.self)

    #expect(json.contains("\"promptDollars\" : 0.00445335,"))
    #expect(json.contains("\"paidDollars\" : 0.0104883,"))
    // Amounts such as 0.0104883 / 16 per paper keep at most 10 decimals.
    // The 3 amounts of usage and the 4 of costSaved without an estimate.
    let dollarLines = json.split(separator: "\n").filter { $0.lowercased().contains("dollars") }
    #expect(dollarLines.count == 7)
    let longDecimals = dollarLines.filter { $0.contains(/\d\.\d{11,}/) }
    #expect(longDecimals.isEmpty)
  }

  @Test(arguments: [(0.95, "95%"), (0.5, "50%"), (0.975, "97.5%")])
  func levelFormat(level: Double, text: String) {
    #expect(MarkdownText.level(level) == text)
  }

  @Test(arguments: [("2025-09-19", "09/19/2025"), ("someday", "someday")])
  func titleShowsUSDate(date: String, shown: String) {
    #expect(MarkdownDigest.title(date) == "# Personalized Daily Arxiv Papers \(shown)")
  }

  @Test func promptIsAppendedWhenSet() throws {
    var input = try Self.night()
    input.selectionPrompt = "You are a helpful paper reading assistant.\n"
    let markdown = MarkdownDigest.render(DigestBuilder.build(input))
    #expect(
      markdown.hasSuffix(
        "---\n\n# Paper Selection Prompt\n\nYou are a helpful paper reading assistant.\n"))
  }

  @Test func emptyNightRendersCounts() {
    let input = DigestInput(
      date: "2025-12-25", model: "gpt-5", ranking: [], sentIDs: [], auditIDs: [], scores: [:],
      unscoredReasons: [:], usage: .zero, selectionRule: SelectionRule())
    let markdown = MarkdownDigest.render(DigestBuilder.build(input))
    #expect(markdown.contains("Total scanned papers: 0\n\nTotal relevant papers: 0\n\n## Run"))
    #expect(!markdown.contains("Table of contents"))
    #expect(markdown.contains("No estimate, because the night had no papers."))
    #expect(markdown.contains("No paper was sent to the LLM, so nothing was spent."))
    #expect(markdown.contains("## Unscored papers\n\nNone."))
  }

  @Test func emptyAuditSaysNoEstimate() throws {
    var input = try Self.night()
    input.auditIDs = []
    let markdown = MarkdownDigest.render(DigestBuilder.build(input))
    #expect(
      markdown.contains(
        "No estimate, because no paper below the cutoff was audited. The configuration keys "
          + "run.auditFraction and run.auditMinimum set the sample size."))
  }

  @Test func allPapersScoredSaysNoneLost() throws {
    var input = try Self.fullyScoredNight()
    input.sentIDs = Set(input.ranking.map(\.paper.id))
    input.auditIDs = []
    for entry in input.ranking where input.scores[entry.paper.id] == nil {
      input.scores[entry.paper.id] = DigestInput.Score(relevance: 2, novelty: 2, comment: "")
    }
    let content = DigestBuilder.build(input)
    #expect(content.recall?.recall == 1)
    #expect(content.recall?.noRecallReason == nil)
    #expect(
      MarkdownDigest.render(content).contains(
        "Every paper of the night is above the cutoff and got a score, so the cutoff lost no "
          + "picks.\n\n- Picks among the 30 papers above the cutoff: 10"))
  }

  @Test func unscoredAuditNoteNeedsUnscoredAudit() throws {
    let note = "The audit papers listed below as unscored are left out of the sample"
    var input = try Self.fullyScoredNight()
    #expect(!MarkdownDigest.render(DigestBuilder.build(input)).contains(note))

    input.scores["2509.14249"] = nil
    let markdown = MarkdownDigest.render(DigestBuilder.build(input))
    #expect(markdown.contains(note))
    #expect(markdown.contains("- Audit sample: 4 of the 18 papers below the cutoff, with 1 pick"))

    // The fixture night's unscored paper is above the cutoff, not in the audit.
    var failed = try Self.night()
    #expect(!MarkdownDigest.render(DigestBuilder.build(failed)).contains(note))
    failed.scores["2509.14249"] = nil
    let unknown = MarkdownDigest.render(DigestBuilder.build(failed))
    #expect(unknown.contains("No recall estimate, because 1 paper above the cutoff"))
    #expect(unknown.contains(note))
  }

  @Test func recallSectionShowsArithmetic() throws {
    let markdown = MarkdownDigest.render(DigestBuilder.build(try Self.fullyScoredNight()))
    #expect(markdown.contains("- Estimated picks lost below the cutoff: 3.6 (18 × 1 / 5)"))
    #expect(
      markdown.contains(
        "The cutoff kept an estimated 71.4% of the night's picks (95% interval 45.0% to 90.0%)."))
    #expect(markdown.contains("- 95% interval on the picks lost: 1 to 11"))
  }
}
