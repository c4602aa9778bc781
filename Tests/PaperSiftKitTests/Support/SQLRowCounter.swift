import CSQLite
import Foundation

@testable import PaperSiftKit

/// Counts the result rows that SQLite returns on one connection, by the
/// statement's SQL text, through `sqlite3_trace_v2` with `SQLITE_TRACE_ROW`.
///
/// See https://www.sqlite.org/c3ref/trace_v2.html.
final class SQLRowCounter {
  private(set) var rowsBySQL: [String: Int] = [:]

  /// Counts the rows that `body` reads through `database`.
  static func count(on database: Database, _ body: () throws -> Void) rethrows -> SQLRowCounter {
    let counter = SQLRowCounter()
    let context = Unmanaged.passUnretained(counter).toOpaque()
    sqlite3_trace_v2(
      database.handle, UInt32(SQLITE_TRACE_ROW),
      { _, context, statement, _ in
        guard let context, let statement else { return 0 }
        let counter = Unmanaged<SQLRowCounter>.fromOpaque(context).takeUnretainedValue()
        let sql = sqlite3_sql(OpaquePointer(statement)).map { String(cString: $0) } ?? ""
        counter.rowsBySQL[sql, default: 0] += 1
        return 0
      }, context)
    defer { sqlite3_trace_v2(database.handle, 0, nil, nil) }
    try withExtendedLifetime(counter) { try body() }
    return counter
  }

  /// The number of rows of every statement.
  var total: Int { rowsBySQL.values.reduce(0, +) }

  /// Returns the number of rows of the statements whose SQL contains `fragment`.
  func rows(of fragment: String) -> Int {
    rowsBySQL.filter { $0.key.contains(fragment) }.values.reduce(0, +)
  }
}
