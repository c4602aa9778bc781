import Foundation

/// Choosing the night to rank: the day `--date` names, the stored nights and
/// the feed's day.
extension NightlyRun {
  /// Returns the latest day that arXiv can have announced by `now`:
  /// tomorrow in New York, because the listing announced at 20:00 US
  /// Eastern time is dated the next day.
  public static func latestAnnouncementDay(now: Date = Date()) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "America/New_York") ?? .gmt
    let tomorrow = calendar.date(byAdding: .day, value: 1, to: now) ?? now
    let parts = calendar.dateComponents([.year, .month, .day], from: tomorrow)
    return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
  }

  /// Checks that `date`, a day given with `option`, is not later than
  /// ``latestAnnouncementDay(now:)``.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput` naming the day.
  public static func checkAnnounced(_ date: String?, option: String = "--date", now: Date = Date())
    throws
  {
    let latest = latestAnnouncementDay(now: now)
    guard let date, date > latest else { return }
    throw PaperSiftError(
      .invalidInput,
      "Invalid \(option) \(date): arXiv has announced nothing on that day yet (the latest "
        + "possible announcement day is \(latest), tomorrow in New York). Pass the day the "
        + "papers were announced, or leave \(option) out.")
  }

  /// Checks that the feed just fetched is of the night `date` that `--date`
  /// names, which is not stored.
  ///
  /// A feed without a day lists no papers, and is taken to be of any day, so
  /// the run ends as a night without papers.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput` naming both days.
  static func checkFeedDay(_ feedDay: String?, requested date: String) throws {
    guard let feedDay, feedDay != date else { return }
    throw PaperSiftError(
      .invalidInput,
      "--date \(date) is not the day of the arXiv feed, \(feedDay), and no paper announced on "
        + "\(date) is stored. Pass --date \(feedDay) or leave --date out to rank the feed's day, "
        + "or import the listing of \(date) with --input FILE.")
  }

  /// Returns `date` when papers announced on it are stored, so that the run
  /// ranks them without fetching the feed. Returns nil otherwise.
  func storedNight(_ date: String?, database: Database) throws -> String? {
    guard let date else { return nil }
    let count = try PaperStore(database: database).paperCount(announcedOn: date)
    guard count > 0 else { return nil }
    logger.notice(
      "Ranking the stored night without fetching the feed",
      [("date", date), ("papers", "\(count)")])
    try notePendingFeedback(database: database)
    return date
  }

  /// Logs the feedback that stays pending, because a run that fetches
  /// nothing looks nothing up.
  func notePendingFeedback(database: Database) throws {
    let pending = try FeedbackStore(database: database).pendingIds()
    guard !pending.isEmpty else { return }
    logger.notice(
      "Feedback on papers not stored yet stays pending and does not count tonight; "
        + "a run that fetches the feed, 'papersift fetch' or 'papersift like' looks them up",
      [("papers", "\(pending.count)"), ("ids", pending.prefix(10).joined(separator: ","))])
  }
}
