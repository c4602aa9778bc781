import Foundation

// Why an id in an accepted form is still rejected: a month in the future,
// a new-style id before the scheme's start in April 2007, or a new-style
// number of the wrong length.
extension ArxivIdentifier {
  /// A reason to reject an id, and what the user should do about it.
  public struct Rejection: Sendable, Equatable {
    /// A clause that completes "because", such as "its month 2027-02 is in the future".
    public var reason: String
    /// The sentence on what the user should check, or write instead.
    public var advice: String

    /// Returns the error message on `text`, with `place` after the quoted
    /// text, such as " on line 2 of 'ids.txt'".
    func message(for text: String, place: String = "") -> String {
      "Invalid arXiv id '\(ArxivIdentifier.shown(text))'\(place) because \(reason). \(advice)"
    }
  }

  /// The advice on an id whose month is in the future.
  static let clockAdvice = "Check the id, and the system clock if the id is right."

  /// The advice on a new-style id of a paper from before the new scheme
  /// started.
  static let oldStyleAdvice =
    "Papers from before April 2007 have old-style ids, archive/YYMMNNN, such as hep-th/9901001."

  /// The year and month of a new-style id, such as 2025 and 1 for
  /// 2501.19281, or nil for an old-style id.
  var newStyleMonth: (year: Int, month: Int)? {
    guard !id.utf8.contains(UInt8(ascii: "/")), let yearMonth = Int(id.prefix(4)) else {
      return nil
    }
    // Valid new-style years are 07-99, so 2007-2099.
    return (2000 + yearMonth / 100, yearMonth % 100)
  }

  /// Returns why the id's month is in the future at `now`, such as "its
  /// month 2027-02 is in the future", or nil when it is not.
  ///
  /// The YYMM of a new-style id is a month that has begun, so a later month
  /// is a typo. The month after the current UTC month is still accepted, as
  /// a margin for time zones and slightly wrong clocks at a month's turn.
  /// Old-style ids end in 2007-03, so this returns nil for them.
  public func futureMonthReason(now: Date) -> String? {
    futureMonthReason(currentMonth: Self.monthNumber(of: now))
  }

  /// Returns ``futureMonthReason(now:)`` for the UTC month `currentMonth`
  /// that ``monthNumber(of:)`` returns, so that a file of many ids reads
  /// the calendar once.
  func futureMonthReason(currentMonth: Int) -> String? {
    futureMonthRejection(currentMonth: currentMonth)?.reason
  }

  /// Returns the rejection of an id whose month is in the future in the
  /// UTC month `currentMonth`, or nil when the month is not in the future.
  ///
  /// A YYMM from 9107 to 9912 is a month of the old scheme, so such an id
  /// is most likely a paper of the 1990s written in the new style. Its
  /// rejection names the old-style form.
  func futureMonthRejection(currentMonth: Int) -> Rejection? {
    guard let (year, month) = newStyleMonth else { return nil }
    guard year * 12 + month - 1 > currentMonth + 1 else { return nil }
    let monthText = String(format: "%04d-%02d", year, month)
    let yearMonth = (year - 2000) * 100 + month
    guard yearMonth >= 9107 else {
      return Rejection(reason: "its month \(monthText) is in the future", advice: Self.clockAdvice)
    }
    return Rejection(
      reason: "new-style ids (YYMM.NNNNN) start at 0704 (April 2007), so its YYMM "
        + "\(id.prefix(4)) would be the month \(monthText), which is in the future",
      advice: Self.oldStyleAdvice)
  }

  /// Returns the UTC month of `date` counted from year 0 (`year * 12 + month - 1`),
  /// so that December to January is one step.
  static func monthNumber(of date: Date) -> Int {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = .gmt
    let current = calendar.dateComponents([.year, .month], from: date)
    return (current.year ?? 0) * 12 + (current.month ?? 1) - 1
  }

  /// Returns the rejection of `text` when it is an accepted form except
  /// that its new-style YYMM is a month before 0704, such as 0612.1234 or
  /// https://arxiv.org/abs/0612.12345v2, or nil otherwise.
  ///
  /// The text qualifies when putting a valid YYMM in place of the early one
  /// makes ``parse(_:)`` accept it, so the message never blames the month
  /// of a text that is wrong in another way.
  static func earlyMonthRejection(_ text: String) -> Rejection? {
    let bytes = Array(text.utf8)
    for (dot, yearMonth) in yearMonths(in: bytes) {
      let yearMonthRange = (dot - 4)..<dot
      guard yearMonth < 704, (1...12).contains(yearMonth % 100) else { continue }
      let numberDigits = bytes[(dot + 1)...].prefix(while: isDigit).count
      // Ids from 1501 on have five digits after the dot, earlier ones four.
      var candidate = bytes
      candidate.replaceSubrange(yearMonthRange, with: (numberDigits == 5 ? "1501" : "0801").utf8)
      guard parse(String(decoding: candidate, as: UTF8.self)) != nil else { continue }
      return Rejection(
        reason: String(
          format: "its YYMM %04d is before 0704 (April 2007), the first month of new-style ids "
            + "(YYMM.NNNNN)", yearMonth),
        advice: oldStyleAdvice)
    }
    return nil
  }

  /// Returns each dot of `bytes` that follows four digits, the YYMM of a
  /// new-style id, with the number those digits form. A fifth digit before
  /// them, as in 10612.1234, rules the dot out.
  private static func yearMonths(in bytes: [UInt8]) -> [(dot: Int, yearMonth: Int)] {
    bytes.indices.compactMap { dot in
      guard bytes[dot] == UInt8(ascii: "."), dot >= 4,
        bytes[(dot - 4)..<dot].allSatisfy(isDigit), dot == 4 || !isDigit(bytes[dot - 5])
      else { return nil }
      let yearMonth = bytes[(dot - 4)..<dot].reduce(0) {
        $0 * 10 + Int($1 - UInt8(ascii: "0"))
      }
      return (dot, yearMonth)
    }
  }
}

extension ArxivIdentifier {
  /// Returns the rejection of `text`, which ``parse(_:)`` rejects, when it
  /// is one of ``earlyMonthRejection(_:)`` or
  /// ``numberLengthRejection(_:)``, or nil otherwise.
  static func formRejection(_ text: String) -> Rejection? {
    earlyMonthRejection(text) ?? numberLengthRejection(text)
  }

  /// Returns the rejection of `text` when it is an accepted form except
  /// that the number after a new-style YYMM has too few or too many digits,
  /// such as 2503.2000 or 1412.00001, or nil otherwise.
  ///
  /// As in ``earlyMonthRejection(_:)``, the text qualifies only when a
  /// number of the right length in place of the wrong one makes ``parse(_:)``
  /// accept it.
  static func numberLengthRejection(_ text: String) -> Rejection? {
    let bytes = Array(text.utf8)
    for (dot, yearMonth) in yearMonths(in: bytes) {
      guard yearMonth >= 704, (1...12).contains(yearMonth % 100) else { continue }
      // Ids from 1501 on have five digits after the dot, earlier ones four.
      let expected = yearMonth >= 1501 ? 5 : 4
      let digitCount = bytes[(dot + 1)...].prefix(while: isDigit).count
      guard digitCount > 0, digitCount != expected else { continue }
      let numberRange = (dot + 1)..<(dot + 1 + digitCount)
      var candidate = bytes
      candidate.replaceSubrange(
        numberRange, with: [UInt8](repeating: UInt8(ascii: "0"), count: expected - 1) + [0x31])
      guard parse(String(decoding: candidate, as: UTF8.self)) != nil else { continue }
      let number = String(decoding: bytes[numberRange], as: UTF8.self)
      let months = yearMonth >= 1501 ? "from 1501 (January 2015) on" : "from 0704 to 1412"
      return Rejection(
        reason: "its number \(number) has \(digitCount) digits, but ids of the months \(months) "
          + "have \(expected)",
        advice: "Copy the id from the paper's arXiv page.")
    }
    return nil
  }
}
