import Foundation

/// Checks a day given on the command line, such as `--date 2025-05-05`.
public enum DayOption {
  private static let monthNames = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
  ]

  /// Returns `text` when it is a day of the Gregorian calendar written as
  /// `YYYY-MM-DD`.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput` that names the
  ///   expected form, or, for text in that form such as `2025-02-30`, the
  ///   month or day that the calendar lacks, or a year before arXiv's first.
  public static func validated(_ text: String, option: String = "--date") throws -> String {
    let opening = "Invalid value '\(text)' for \(option):"
    guard let match = text.wholeMatch(of: /(\d{4})-(\d{2})-(\d{2})/),
      let year = Int(match.1), let month = Int(match.2), let day = Int(match.3)
    else {
      throw PaperSiftError(
        .invalidInput, "\(opening) expected a day as YYYY-MM-DD, such as 2025-05-05.")
    }
    guard (1...12).contains(month) else {
      throw PaperSiftError(
        .invalidInput,
        "\(opening) not a calendar day, because there is no month \(match.2); months run from "
          + "01 to 12.")
    }
    let days = daysIn(month: month, year: year)
    guard (1...days).contains(day) else {
      throw PaperSiftError(
        .invalidInput,
        "\(opening) not a calendar day, because \(monthNames[month - 1]) \(match.1) has days "
          + "01 to \(days).")
    }
    guard year >= firstYear else {
      throw PaperSiftError(
        .invalidInput,
        "\(opening) arXiv announced its first papers in \(firstYear), so no earlier day has "
          + "any; give a day from \(firstYear) on, such as 2025-05-05.")
    }
    return text
  }

  /// The year arXiv started (August 1991), so no earlier day has papers.
  static let firstYear = 1991

  /// Returns the number of days of `month` (1 to 12) in `year` of the
  /// Gregorian calendar.
  static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2:
      let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
      return isLeap ? 29 : 28
    case 4, 6, 9, 11:
      return 30
    default:
      return 31
    }
  }
}
