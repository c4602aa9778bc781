import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Ends a nightly run or a `score` run cleanly on SIGINT or SIGTERM.
///
/// The handler runs on a dispatch queue, not in the signal handler itself,
/// so it may open the database. It marks the run row `interrupted`, which
/// the next run would otherwise do, releases the run lock and exits with
/// 128 plus the signal number: 130 for SIGINT, 143 for SIGTERM. The batches
/// paid for are already stored, because each is written as it arrives. An
/// LLM request in flight is paid for too, so the handler first waits for its
/// response to be stored, up to `waitSeconds`, and lets no further request
/// start. A second signal while the first is handled exits at once, with
/// the first signal's status.
///
/// Unchecked Sendable: `firstStatus` is read and written under `handling`,
/// and `sources` changes only in `init` and `cancel`, on the run's thread.
public final class RunInterruption: @unchecked Sendable {
  private let databasePath: String
  private let lock: RunLock
  /// The gate the LLM stage passes around each request.
  public let requestGate = RequestGate()
  private let waitSeconds: Double
  private let queue = DispatchQueue(label: "papersift.run-interruption")
  private var sources: [DispatchSourceSignal] = []
  private let handling = NSLock()
  /// The exit status of the first signal, nil until one arrives.
  private var firstStatus: Int32?
  private let logger: Logger
  /// The command whose run this is, `run` or `score`, as the log names it.
  private let command: String

  static let signals: [(number: Int32, name: String)] = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")]

  /// Starts handling SIGINT and SIGTERM for the run that has taken `lock`.
  ///
  /// - Parameters:
  ///   - databasePath: The database that the run writes to.
  ///   - lock: The run lock to release before exiting.
  ///   - waitSeconds: The longest wait for the response to an LLM request
  ///     in flight, `llm.requestTimeout`.
  ///   - command: The command whose run this is, `run` or `score`.
  public init(databasePath: String, lock: RunLock, waitSeconds: Double, command: String = "run") {
    self.command = command
    self.logger = Logger(label: command)
    self.databasePath = databasePath
    self.lock = lock
    self.waitSeconds = waitSeconds
    for (number, name) in Self.signals {
      // The default action would end the process before the handler runs.
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
      source.setEventHandler { [self] in interrupt(signal: number, name: name) }
      source.resume()
      sources.append(source)
    }
  }

  /// Stops handling the signals and restores their default action.
  public func cancel() {
    for source in sources { source.cancel() }
    sources = []
    for (number, _) in Self.signals { signal(number, SIG_DFL) }
  }

  private func interrupt(signal number: Int32, name: String) {
    let status = 128 + number
    let earlierStatus = handling.withLock {
      defer { firstStatus = firstStatus ?? status }
      return firstStatus
    }
    if let earlierStatus {
      logger.notice(
        "Stopping at once on a second signal, without waiting",
        [("signal", name), ("exit_status", "\(earlierStatus)")])
      fflush(nil)
      _exit(earlierStatus)
    }

    ProgressLine.clearIfShown()
    if requestGate.hasRequestInFlight {
      logger.notice(
        "Stopping once the LLM request in flight is stored: its response is paid for, and a "
          + "failed attempt is not retried. Send the signal again to stop at once",
        [("signal", name), ("longest_wait_s", "\(Int(waitSeconds))")])
    }
    // The wait runs off this queue, so that a second signal is handled.
    DispatchQueue.global().async { [self] in
      // NOTE: A response that arrives just after the wait runs out can be
      // stored beside the estimate recorded for its lost request.
      requestGate.close(waitingUpTo: waitSeconds)
      finish(signal: name, status: status)
    }
  }

  /// Marks the run interrupted, releases the lock and ends the process.
  private func finish(signal name: String, status: Int32) -> Never {
    do {
      // A new connection, because the run's own may be in a transaction on
      // another thread. It waits for that transaction's commit.
      let database = try Database(path: databasePath)
      let runs = RunStore(database: database)
      let requests = try runs.requestCountOfRunningRuns()
      try runs.finishRunningRuns(as: .interrupted)
      let message =
        requests == 0
        ? "Run interrupted before it sent any LLM request, so nothing was paid for"
        : "Run interrupted. The batches already scored are stored, and the next \(command) of "
          + "the same papers sends only those still unscored"
      logger.notice(message, [("signal", name), ("exit_status", "\(status)")])
    } catch {
      logger.error(
        "Run interrupted, but marking it interrupted failed, so the next run marks it",
        [("signal", name), ("error", "\(error)")])
    }
    lock.release()
    // `exit` would run atexit handlers, such as OpenBLAS's shutdown, while
    // the main thread may still be inside the encoder or a transfer: that
    // crashed or hung the process. `_exit` ends it at once, and SQLite keeps
    // the database consistent because every write is a transaction.
    fflush(nil)
    _exit(status)
  }
}
