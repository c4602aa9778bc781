import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct ArxivIdentifierTests {
  @Test(
    arguments: [
      ("2501.19281", "2501.19281", nil),
      ("2501.19281v2", "2501.19281", 2),
      ("arXiv:2501.19281", "2501.19281", nil),
      ("arxiv:2501.19281v4", "2501.19281", 4),
      ("https://arxiv.org/abs/2501.19281v3", "2501.19281", 3),
      ("http://arxiv.org/abs/2505.01136v1", "2505.01136", 1),
      ("https://arxiv.org/pdf/2501.19281v1", "2501.19281", 1),
      ("https://arxiv.org/pdf/2501.19281v1.pdf", "2501.19281", 1),
      ("https://export.arxiv.org/abs/1412.1928", "1412.1928", nil),
      ("0704.0001v1", "0704.0001", 1),
      ("  2505.00730v1\n", "2505.00730", 1),
      ("hep-th/9901001", "hep-th/9901001", nil),
      ("math.GT/0309136v2", "math/0309136", 2),
      ("hep-th/9108001", "hep-th/9108001", nil),
      ("cond-mat/0703999", "cond-mat/0703999", nil),
      ("q-bio.BM/0412001", "q-bio/0412001", nil),
      ("cs.LG/0001001", "cs/0001001", nil),
      ("nlin.CD/0210012", "nlin/0210012", nil),
      ("solv-int/9901001v1", "solv-int/9901001", 1),
      ("https://arxiv.org/abs/chao-dyn/9312001", "chao-dyn/9312001", nil),
      ("1501.00001", "1501.00001", nil),
      ("1412.0001", "1412.0001", nil),
      // URLs as browsers and listings give them.
      ("https://arxiv.org/abs/2505.01105?context=cs.LG", "2505.01105", nil),
      ("https://arxiv.org/abs/2505.01105v2#comments", "2505.01105", 2),
      ("https://arxiv.org/abs/2505.01105/", "2505.01105", nil),
      ("arxiv.org/abs/2505.01105", "2505.01105", nil),
      ("www.arxiv.org/pdf/2505.01105v1", "2505.01105", 1),
      ("https://arxiv.org/html/2505.01105v1", "2505.01105", 1),
      ("https://doi.org/10.48550/arXiv.2505.01105", "2505.01105", nil),
    ] as [(String, String, Int?)])
  func acceptedFormParses(text: String, id: String, version: Int?) throws {
    let identifier = try ArxivIdentifier(parsing: text)
    #expect(identifier.id == id)
    #expect(identifier.version == version)
  }

  @Test(arguments: [
    "hep-ex", "hep-ph", "hep-lat", "astro-ph", "gr-qc", "math-ph", "nucl-ex", "nucl-th",
    "physics", "quant-ph", "math", "cs", "nlin", "q-bio", "alg-geom", "cmp-lg", "comp-gas",
    "dg-ga", "funct-an", "mtrl-th", "patt-sol", "supr-con", "adap-org", "acc-phys", "ao-sci",
    "atom-ph", "bayes-an", "chem-ph", "plasm-ph", "q-alg",
  ])
  func oldStyleArchiveParses(archive: String) throws {
    #expect(try ArxivIdentifier(parsing: "\(archive)/9901001").id == "\(archive)/9901001")
  }

  @Test(arguments: [
    "", "2501", "2513.00001", "2501.19281v0", "2501.19281v", "25011.9281",
    "https://example.org/abs/2501.19281", "https://arxiv.org/list/2501.19281",
    "oai:arXiv.org:2501.19281", "HEP-TH/9901001", "2505.1105", "1412.12345", "1501.0001",
    // A YYMM before 0704 in a text that is wrong in another way too.
    "0612.123", "0612.123456", "0600.1234", "10612.1234", "x0612.1234",
    "https://example.org/abs/0612.1234", "0612.1234v0",
    // New-style months outside 01-12, and number zero.
    "2500.19281", "2513.19281", "2500.00001", "2501.00000", "1412.0000", "0704.0000",
    "2501.00000v1", "https://arxiv.org/abs/2501.00000",
    // Archives that never existed or started after the April 2007 change.
    "foo/9901001", "hep/9901001", "hep-thx/9901001", "q-fin/0601001", "stat/0601001",
    "eess/0601001", "test/9901001", "a-b-c/9901001",
    // A subject class on an archive that has none in its ids, or of the wrong form.
    "hep-th.GT/9901001", "astro-ph.CO/0601001", "math.gt/0309136", "math.GTX/0309136",
    // Old-style months outside 01-12 or outside the old scheme's 9107-0703.
    "hep-th/9900001", "hep-th/9913001", "math/0300001", "hep-th/9106001", "hep-th/0704001",
    "hep-th/5001001",
    // Old-style number 000, and wrong digit counts.
    "hep-th/9901000", "hep-th/990100", "hep-th/99010011",
    // Digits of other scripts, which `\d` would match.
    "2505.\u{661}\u{660}\u{661}\u{661}\u{660}", "\u{1D7D0}505.01105",
    "hep-th/9901\u{660}\u{660}\u{661}",
    "2505.01105\u{FF11}",
    // A URL without arXiv's host, or of another page.
    "https://abs/2505.01105", "https://arxiv.org/list/cs.LG/2505.01105",
    "https://doi.org/10.1000/arXiv.2505.01105",
  ])
  func invalidFormIsRejected(text: String) {
    #expect(ArxivIdentifier.parse(text) == nil)
    let error = #expect(throws: PaperSiftError.self) { try ArxivIdentifier(parsing: text) }
    #expect(error?.code == .invalidInput)
    #expect(error?.message.contains("Invalid arXiv id '\(text)'") == true)
    #expect(error?.message.contains("Accepted forms: 2501.19281,") == true)
    #expect(error?.message.contains("hep-th/9901001, math.GT/0309136") == true)
  }

  /// Returns the instant of an ISO 8601 date-time such as 2025-01-15T12:00:00Z.
  static func instant(_ text: String) throws -> Date {
    try #require(ISO8601DateFormatter().date(from: text), "not ISO 8601: \(text)")
  }

  @Test(
    arguments: [
      // January 2025: up to 2502 is accepted.
      ("2025-01-15T12:00:00Z", "2501.00001", nil),
      ("2025-01-15T12:00:00Z", "2502.99999", nil),
      ("2025-01-15T12:00:00Z", "2503.00001", "2025-03"),
      ("2025-01-15T12:00:00Z", "2601.00001", "2026-01"),
      ("2025-01-15T12:00:00Z", "9106.12345", "2091-06"),
      // The last second of 2025: the next month is January 2026.
      ("2025-12-31T23:59:59Z", "2601.00001", nil),
      ("2025-12-31T23:59:59Z", "2602.00001", "2026-02"),
      // 23:30 on 31 December in New York is already January in UTC.
      ("2025-12-31T23:30:00-05:00", "2602.00001", nil),
      ("2025-12-31T23:30:00-05:00", "2603.00001", "2026-03"),
      // The first month of the new scheme, and old-style ids.
      ("2007-04-01T00:00:00Z", "0705.0001", nil),
      ("2007-04-01T00:00:00Z", "0706.0001", "2007-06"),
      ("2007-04-01T00:00:00Z", "hep-th/0703001", nil),
      ("1991-08-01T00:00:00Z", "hep-th/9108001", nil),
    ] as [(String, String, String?)])
  func futureMonthReason(now: String, id: String, futureMonth: String?) throws {
    let identifier = try ArxivIdentifier(parsing: id)
    let reason = identifier.futureMonthReason(now: try Self.instant(now))
    #expect(reason == futureMonth.map { "its month \($0) is in the future" })
  }

  /// Returns the error of parsing `text` on 2025-01-15, which must be
  /// invalid input.
  static func errorInJanuary2025(parsing text: String) throws -> PaperSiftError? {
    let now = try instant("2025-01-15T12:00:00Z")
    let error = #expect(throws: PaperSiftError.self) {
      try ArxivIdentifier(parsing: text, now: now)
    }
    #expect(error?.code == .invalidInput)
    return error
  }

  @Test(arguments: ["2503.00001", "arXiv:2503.00001v2", "https://arxiv.org/abs/2503.00001v1"])
  func futureMonthRejected(text: String) throws {
    let error = try Self.errorInJanuary2025(parsing: text)

    #expect(
      error?.message
        == "Invalid arXiv id '\(text)' because its month 2025-03 is in the future. "
        + "Check the id, and the system clock if the id is right.")
  }

  /// A YYMM from 9107 to 9912 is a month of the old scheme, so the message
  /// points to the old-style form as well as to the future month.
  @Test(
    arguments: [
      ("9912.12345", "9912", "2099-12"), ("arXiv:9107.00001v2", "9107", "2091-07"),
      ("https://arxiv.org/abs/9501.00001", "9501", "2095-01"),
    ] as [(String, String, String)])
  func oldSchemeMonthRejected(text: String, yearMonth: String, month: String) throws {
    let error = try Self.errorInJanuary2025(parsing: text)

    #expect(
      error?.message
        == "Invalid arXiv id '\(text)' because new-style ids (YYMM.NNNNN) start at 0704 "
        + "(April 2007), so its YYMM \(yearMonth) would be the month \(month), which is in the "
        + "future. Papers from before April 2007 have old-style ids, archive/YYMMNNN, such as "
        + "hep-th/9901001.")
  }

  @Test(
    arguments: [
      ("0612.1234", "0612"), ("0703.0001", "0703"), ("0703.00001", "0703"),
      ("0701.0001v2", "0701"), ("arXiv:0612.1234", "0612"),
      ("https://arxiv.org/abs/0612.12345v3", "0612"),
    ] as [(String, String)])
  func earlyMonthRejected(text: String, yearMonth: String) throws {
    #expect(ArxivIdentifier.parse(text) == nil)
    let error = #expect(throws: PaperSiftError.self) { try ArxivIdentifier(parsing: text) }
    #expect(error?.code == .invalidInput)
    #expect(
      error?.message
        == "Invalid arXiv id '\(text)' because its YYMM \(yearMonth) is before 0704 (April 2007), "
        + "the first month of new-style ids (YYMM.NNNNN). Papers from before April 2007 have "
        + "old-style ids, archive/YYMMNNN, such as hep-th/9901001.")
  }

  @Test func clockCheckKeepsFormErrors() throws {
    let now = try Self.instant("2025-01-15T12:00:00Z")
    let error = #expect(throws: PaperSiftError.self) {
      try ArxivIdentifier(parsing: "2513.00001", now: now)
    }
    #expect(error?.message.contains("Invalid arXiv id '2513.00001'. Accepted forms:") == true)
    #expect(try ArxivIdentifier(parsing: "2502.00001v3", now: now).description == "2502.00001v3")
  }

  @Test func parseWithoutClockAcceptsAnyMonth() {
    // Feeds and stored ids are parsed without a clock.
    #expect(ArxivIdentifier.parse("9912.12345")?.id == "9912.12345")
  }

  @Test func descriptionAddsVersion() {
    #expect(ArxivIdentifier(id: "2501.19281", version: 2).description == "2501.19281v2")
    #expect(ArxivIdentifier(id: "hep-th/9901001", version: nil).description == "hep-th/9901001")
  }

  @Test func longInputIsCutInMessage() {
    let text = String(repeating: "2505.01105", count: 1000)
    let error = #expect(throws: PaperSiftError.self) { try ArxivIdentifier(parsing: text) }
    #expect((error?.message.count ?? .max) < 800)
    #expect(error?.message.contains("… (10000 characters)") == true)
  }

  @Test(
    arguments: [
      (
        "2503.2000",
        "its number 2000 has 4 digits, but ids of the months from 1501 (January 2015) on have 5"
      ),
      (
        "https://arxiv.org/abs/2505.110v2",
        "its number 110 has 3 digits, but ids of the months from 1501 (January 2015) on have 5"
      ),
      (
        "1412.12345",
        "its number 12345 has 5 digits, but ids of the months from 0704 to 1412 have 4"
      ),
      ("2505.1105x", nil), ("2513.1234", nil), ("0612.123", nil), ("x2505.1105", nil),
    ] as [(String, String?)])
  func numberLengthRejection(text: String, reason: String?) {
    #expect(ArxivIdentifier.numberLengthRejection(text)?.reason == reason)
  }

  @Test func numberLengthNamedOnCommandLine() {
    let error = #expect(throws: PaperSiftError.self) {
      try ArxivIdentifier(parsing: "1412.12345")
    }

    #expect(
      error?.message.hasPrefix(
        "Invalid arXiv id '1412.12345' because its number 12345 has 5 digits, but ids of the "
          + "months from 0704 to 1412 have 4. Accepted forms: 2501.19281, ") == true,
      "message: \(error?.message ?? "")")
  }
}
