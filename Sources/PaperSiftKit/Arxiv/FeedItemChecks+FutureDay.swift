import Foundation

extension FeedItemChecks {
  /// Checks that the day `document` gives, from a feed's pubDate or a JSON
  /// Lines file's name, is not later than
  /// ``NightlyRun/latestAnnouncementDay(now:)``.
  ///
  /// arXiv has announced nothing on such a day, so the feed is broken or the
  /// file misnamed, and storing it would move its papers to that day. The
  /// check runs before anything is stored.
  ///
  /// - Parameters:
  ///   - document: The file or feed just parsed.
  ///   - now: The time against which the day is checked.
  ///   - advice: What to check besides the system clock.
  /// - Throws: ``PaperSiftError`` with code `invalidInput` naming the file
  ///   or URL and the day.
  static func checkAnnouncedDay(of document: FeedDocument, now: Date, advice: String) throws {
    guard let day = document.date else { return }
    let latest = NightlyRun.latestAnnouncementDay(now: now)
    guard day > latest else { return }
    let origin = document.format == .jsonLines ? "its file name" : "its pubDate"
    throw PaperSiftError(
      .invalidInput,
      "'\(document.source)' gives the day \(day) (\(origin)), but arXiv has announced nothing "
        + "on that day yet (the latest possible announcement day is \(latest), tomorrow in New "
        + "York). Nothing was stored. Check the system clock, and \(advice)")
  }

  /// The advice of ``checkAnnouncedDay(of:now:advice:)`` for a file.
  static let fileDayAdvice =
    "name a JSON Lines file after the day its papers were announced, or pass arXiv's own feed."
}
