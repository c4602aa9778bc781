import CSQLite
import Foundation

/// A value bound to or read from a SQLite statement.
public enum SQLValue: Sendable, Equatable {
  case null
  case integer(Int64)
  case real(Double)
  case text(String)
  case blob([UInt8])
}

/// One connection to a SQLite database file.
///
/// Opening a connection turns on WAL journaling, foreign keys and a busy
/// timeout, then applies pending migrations. A connection is used from one
/// thread at a time; open one per process or task.
///
/// See https://www.sqlite.org/c3ref/intro.html for the C API it wraps.
public final class Database {
  let handle: OpaquePointer
  public let path: String

  /// How long a write waits for another process's transaction, in milliseconds.
  public static let defaultBusyTimeout: Int32 = 30_000

  /// Opens (creating if needed) the database at `path` and migrates it.
  public convenience init(
    path: String, busyTimeoutMilliseconds: Int32 = Database.defaultBusyTimeout
  ) throws {
    try self.init(
      path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds,
      schemaVersion: Migrations.all.count)
  }

  /// Opens the database at `path` and migrates it up to `schemaVersion`, so
  /// that tests can create a database as an earlier PaperSift left it.
  init(path: String, busyTimeoutMilliseconds: Int32, schemaVersion: Int) throws {
    Self.warnIfEmpty(path)
    var connection: OpaquePointer?
    let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
    let code = sqlite3_open_v2(path, &connection, flags, nil)
    guard code == SQLITE_OK, let connection else {
      let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
      if let connection { sqlite3_close_v2(connection) }
      throw PaperSiftError(
        .database,
        "Unable to open the database '\(path)': \(message) (SQLite code \(code)). "
          + "Check that the folder exists and is writable.")
    }
    self.handle = connection
    self.path = path
    sqlite3_busy_timeout(connection, busyTimeoutMilliseconds)
    try execute("PRAGMA foreign_keys = ON")
    try execute("PRAGMA journal_mode = WAL")
    try execute("PRAGMA synchronous = NORMAL")
    try Migrations.apply(to: self, upTo: schemaVersion)
  }

  deinit {
    sqlite3_close_v2(handle)
  }

  /// Warns when the file at `path` exists with 0 bytes. SQLite takes such a
  /// file as a new, empty database. A PaperSift database has data after its
  /// first open, because turning on WAL journaling writes its first page, so
  /// the file was most likely truncated, by a failed copy or a full disk.
  private static func warnIfEmpty(_ path: String) {
    let attributes = try? FileManager.default.attributesOfItem(atPath: path)
    guard let size = attributes?[.size] as? NSNumber, size.intValue == 0 else { return }
    Logger(label: "database").warning(
      "The database file is empty (0 bytes); starting a new database in it. If you expected "
        + "your history, restore the file from a copy",
      [("path", path)])
  }

  /// Runs one or more SQL statements that return no rows.
  public func execute(_ sql: String) throws {
    var errorMessage: UnsafeMutablePointer<CChar>?
    let code = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
    guard code == SQLITE_OK else {
      let message = errorMessage.map { String(cString: $0) } ?? lastErrorMessage
      sqlite3_free(errorMessage)
      throw error(code: code, message: message, sql: sql)
    }
  }

  /// Compiles `sql` into a statement with `?` placeholders.
  public func prepare(_ sql: String) throws -> Statement {
    var statement: OpaquePointer?
    let code = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
    guard code == SQLITE_OK, let statement else {
      throw error(code: code, message: lastErrorMessage, sql: sql)
    }
    return Statement(database: self, handle: statement, sql: sql)
  }

  /// Runs a statement that returns no rows, with `arguments` bound in order.
  public func run(_ sql: String, _ arguments: [SQLValue] = []) throws {
    let statement = try prepare(sql)
    try statement.bind(arguments)
    while try statement.step() {}
  }

  /// Returns every row of a query, with `arguments` bound in order.
  public func rows(_ sql: String, _ arguments: [SQLValue] = []) throws -> [Row] {
    let statement = try prepare(sql)
    try statement.bind(arguments)
    var result: [Row] = []
    while try statement.step() {
      result.append(statement.row())
    }
    return result
  }

  /// Returns the first column of the first row, or nil when there is no row.
  public func scalar(_ sql: String, _ arguments: [SQLValue] = []) throws -> SQLValue? {
    try rows(sql, arguments).first?.values.first
  }

  /// The number of rows that the last statement changed.
  public var changes: Int { Int(sqlite3_changes(handle)) }

  public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

  /// Runs `body` in one transaction: all of its changes are kept, or none.
  ///
  /// `BEGIN IMMEDIATE` takes the write lock at once, so that two processes
  /// wait on the busy timeout instead of failing half-way with `SQLITE_BUSY`.
  public func transaction<T>(_ body: () throws -> T) throws -> T {
    try execute("BEGIN IMMEDIATE")
    do {
      let result = try body()
      try execute("COMMIT")
      return result
    } catch {
      try? execute("ROLLBACK")
      throw error
    }
  }

  var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

  func error(code: Int32, message: String, sql: String) -> PaperSiftError {
    let firstLine = sql.split(separator: "\n").first.map(String.init) ?? sql
    var hint = ""
    if code == SQLITE_BUSY || code == SQLITE_LOCKED {
      hint = " Another PaperSift process holds the database; wait for it to finish and retry."
    } else if code == SQLITE_CORRUPT || code == SQLITE_NOTADB {
      hint = " The file '\(path)' is not a valid PaperSift database; move it aside and re-import."
    } else if code == SQLITE_READONLY || code == SQLITE_CANTOPEN {
      hint = " Check the permissions of '\(path)' and its folder."
    }
    return PaperSiftError(
      .database,
      "SQLite failed on '\(firstLine.prefix(120))': \(message) (code \(code)).\(hint)")
  }
}

/// A compiled SQL statement.
public final class Statement {
  let database: Database
  let handle: OpaquePointer
  let sql: String

  init(database: Database, handle: OpaquePointer, sql: String) {
    self.database = database
    self.handle = handle
    self.sql = sql
  }

  deinit {
    sqlite3_finalize(handle)
  }

  /// Binds `values` to the placeholders in order, after clearing earlier bindings.
  public func bind(_ values: [SQLValue]) throws {
    sqlite3_reset(handle)
    sqlite3_clear_bindings(handle)
    for (offset, value) in values.enumerated() {
      let index = Int32(offset + 1)
      let code: Int32
      switch value {
      case .null:
        code = sqlite3_bind_null(handle, index)
      case .integer(let number):
        code = sqlite3_bind_int64(handle, index, number)
      case .real(let number):
        code = sqlite3_bind_double(handle, index, number)
      case .text(let text):
        code = sqlite3_bind_text(handle, index, text, -1, papersift_sqlite_transient())
      case .blob(let bytes):
        code = bytes.withUnsafeBytes { buffer in
          sqlite3_bind_blob(
            handle, index, buffer.baseAddress, Int32(buffer.count), papersift_sqlite_transient())
        }
      }
      guard code == SQLITE_OK else {
        throw database.error(code: code, message: database.lastErrorMessage, sql: sql)
      }
    }
  }

  /// Advances to the next row; returns false when the statement is done.
  public func step() throws -> Bool {
    let code = sqlite3_step(handle)
    switch code {
    case SQLITE_ROW:
      return true
    case SQLITE_DONE:
      return false
    default:
      let message = database.lastErrorMessage
      sqlite3_reset(handle)
      throw database.error(code: code, message: message, sql: sql)
    }
  }

  /// Runs the statement with `values` bound, for statements that return no rows.
  public func run(_ values: [SQLValue]) throws {
    try bind(values)
    while try step() {}
  }

  /// Returns the first column of the first row with `values` bound, or nil
  /// when there is no row, and resets the statement for its next use.
  public func scalar(_ values: [SQLValue]) throws -> SQLValue? {
    try bind(values)
    defer { sqlite3_reset(handle) }
    return try step() ? value(at: 0) : nil
  }

  /// The current row.
  public func row() -> Row {
    let count = sqlite3_column_count(handle)
    var values: [SQLValue] = []
    values.reserveCapacity(Int(count))
    for column in 0..<count {
      values.append(value(at: column))
    }
    return Row(values: values)
  }

  private func value(at column: Int32) -> SQLValue {
    switch sqlite3_column_type(handle, column) {
    case SQLITE_INTEGER:
      return .integer(sqlite3_column_int64(handle, column))
    case SQLITE_FLOAT:
      return .real(sqlite3_column_double(handle, column))
    case SQLITE_TEXT:
      guard let text = sqlite3_column_text(handle, column) else { return .text("") }
      return .text(String(cString: text))
    case SQLITE_BLOB:
      let count = Int(sqlite3_column_bytes(handle, column))
      guard count > 0, let bytes = sqlite3_column_blob(handle, column) else { return .blob([]) }
      return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
    default:
      return .null
    }
  }
}

/// One result row, read by column position.
public struct Row: Sendable {
  public let values: [SQLValue]

  public func string(_ index: Int) -> String? {
    switch values[index] {
    case .text(let text): text
    case .integer(let number): String(number)
    case .real(let number): String(number)
    default: nil
    }
  }

  public func int(_ index: Int) -> Int? {
    switch values[index] {
    case .integer(let number): Int(number)
    case .real(let number): Int(number)
    default: nil
    }
  }

  public func double(_ index: Int) -> Double? {
    switch values[index] {
    case .integer(let number): Double(number)
    case .real(let number): number
    default: nil
    }
  }

  public func blob(_ index: Int) -> [UInt8]? {
    if case .blob(let bytes) = values[index] { return bytes }
    return nil
  }
}
