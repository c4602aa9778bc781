import Foundation
import Testing

@testable import PaperSiftKit

#if canImport(FoundationXML)
  import FoundationXML
#endif

@Suite("Recall report")
struct RecallReportTests {
  /// Returns a night of 10 papers where every variant ranks the picks at 1,
  /// 2, 5 and 9, except `auto`, which ranks them first.
  static func night(_ date: String) -> RecallDay {
    var rankings: [String: RankedNight] = [:]
    for variant in ReplayVariant.allCases {
      rankings[variant.rawValue] = RecallFixtures.night(
        variant == .auto ? "PPPP......" : "PP..P...P.")
    }
    return RecallDay(
      date: date, papers: 10, picks: 4, requestTokens: 50, batchSize: 20, rankings: rankings)
  }

  @Test("JSON has one object per night")
  func jsonShape() throws {
    let text = try RecallReport.json([Self.night("2025-05-05"), Self.night("2025-05-06")])
    let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
    let nights = try #require(parsed as? [[String: Any]])
    #expect(nights.count == 2)
    let first = try #require(nights.first)
    #expect(Set(first.keys) == ["date", "papers", "picks", "variants"])
    #expect(first["date"] as? String == "2025-05-05")
    #expect(first["papers"] as? Int == 10)
    #expect(first["picks"] as? Int == 4)
    let variants = try #require(first["variants"] as? [String: [String: Int]])
    #expect(Set(variants.keys) == Set(ReplayVariant.allCases.map(\.rawValue)))
    #expect(variants.keys.contains("auto"))
    // Top 1, 2, 3, 3, 4 and 5 papers of "PP..P...P." and of "PPPP......".
    #expect(variants["topics"] == ["0.1": 1, "0.2": 2, "0.25": 2, "0.3": 2, "0.4": 2, "0.5": 3])
    #expect(variants["auto"] == ["0.1": 1, "0.2": 2, "0.25": 3, "0.3": 3, "0.4": 4, "0.5": 4])
  }

  @Test("JSON counts decode as replay counts")
  func jsonDecodes() throws {
    let nights = [Self.night("2025-05-05")]
    let text = try RecallReport.json(nights)
    let decoded = try JSONDecoder().decode([ReplayDayCounts].self, from: Data(text.utf8))
    #expect(decoded == RecallReport.counts(nights))
  }

  @Test("SVG parses with one path per variant")
  func svgWellFormed() throws {
    let curves = RecallReport.variantLabels.map { (variant: $0.variant.rawValue, label: $0.label) }
    let plot = RecallPlot(curves: curves, target: 0.95, title: "Recall & cost <test>")
    let svg = plot.svg(days: [Self.night("2025-05-05")])
    let document = try XMLDocument(data: Data(svg.utf8), options: [])
    let root = try #require(document.rootElement())
    #expect(root.name == "svg")
    let paths = try root.nodes(forXPath: "//*[local-name()='path']")
    #expect(paths.count == ReplayVariant.allCases.count)
    let texts = try root.nodes(forXPath: "//*[local-name()='text']").compactMap(\.stringValue)
    #expect(texts.contains("Recall & cost <test>"))
    #expect(texts.contains("target 95%"))
    for (_, label) in RecallReport.variantLabels {
      #expect(texts.contains(label))
    }
  }

  @Test("plot points by hand")
  func plotPoints() {
    let points = RecallPlot.points(days: [Self.night("2025-05-05")], variant: "topics")
    #expect(points.count == 101)
    #expect(points[0].x == 0)
    #expect(points[0].y == 0)
    // 25% of 10 papers sends 3 ("PP."), 2 of the 4 picks.
    #expect(points[25].x == 0.3)
    #expect(points[25].y == 0.5)
    #expect(points[100].y == 1)
  }

  @Test("page lists every variant and the protocol")
  func markdownPage() {
    let nights = (1...24).map { Self.night(String(format: "2025-06-%02d", $0)) }
    let tuning = CutoffTuning.tune(
      days: RecallReport.protocolDays(nights), candidates: [], target: 0.95)
    var configured = RankingSettings()
    configured.cutoffPolicy = "fraction"
    configured.cutoffValue = 0.25
    let report = RecallReport(
      days: nights, tuning: tuning, configured: configured,
      run: RecallReport.RunInfo(
        command: "swift run -c release papersift-bench recall", machine: "2 cores",
        date: "2026-12-04", seconds: 12.5, cpuSeconds: 10,
        embeddedTexts: 0))
    let page = report.markdown(plotFile: "recall.svg")
    #expect(page.contains("- Replay, ranking and tuning: 12.5 s wall clock, 10.0 s CPU"))
    #expect(page.contains("4 nights (2025-06-21 to 2025-06-24), 40 papers, 16 picks"))
    #expect(page.contains("| topics only | 25.0% | 50.0% | 50.0% | 50.0% | 50.0% | 75.0% |"))
    #expect(page.contains("| auto (as configured) | 25.0% | 50.0% | 75.0% | 75.0% | 100.0% |"))
    #expect(page.contains("![Recall against the share of papers sent](recall.svg)"))
    #expect(page.contains("No weighting and cutoff reached the target"))
    // The configured auto cutoff, a quarter of the night, keeps 3 of 4 picks.
    #expect(page.contains("| fraction 0.25 | from the 21st, 4 | 75.0% |"))
  }
}
