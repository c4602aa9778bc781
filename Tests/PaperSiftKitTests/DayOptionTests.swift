import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct DayOptionTests {
  @Test(arguments: [
    "2025-05-05", "2024-02-29", "2000-02-29", "2025-12-31", "2025-04-30", "1991-01-01",
  ])
  func calendarDayIsAccepted(text: String) throws {
    #expect(try DayOption.validated(text) == text)
  }

  @Test(arguments: [
    ("1900-02-29", "not a calendar day, because February 1900 has days 01 to 28."),
    ("2025-04-31", "not a calendar day, because April 2025 has days 01 to 30."),
    ("2025-05-00", "not a calendar day, because May 2025 has days 01 to 31."),
    ("2025-00-10", "not a calendar day, because there is no month 00; months run from 01 to 12."),
    ("2025-05-05 ", "expected a day as YYYY-MM-DD, such as 2025-05-05."),
    ("20250505", "expected a day as YYYY-MM-DD, such as 2025-05-05."),
    (
      "0000-01-01",
      "arXiv announced its first papers in 1991, so no earlier day has any; give a day from "
        + "1991 on, such as 2025-05-05."
    ),
    (
      "1990-12-31",
      "arXiv announced its first papers in 1991, so no earlier day has any; give a day from "
        + "1991 on, such as 2025-05-05."
    ),
    ("٢٠٢٥-05-05", "expected a day as YYYY-MM-DD, such as 2025-05-05."),
  ])
  func invalidDayIsNamed(text: String, reason: String) {
    #expect {
      try DayOption.validated(text, option: "--date")
    } throws: { error in
      (error as? PaperSiftError)?.message == "Invalid value '\(text)' for --date: \(reason)"
    }
  }
}
