import Foundation

/// A gate that lets a signal handler wait for the LLM request in flight,
/// whose response is paid for, and keeps any request from starting once the
/// process is ending.
///
/// The scorer passes the gate before each request and again after storing
/// its outcome. ``close(waitingUpTo:)`` shuts the gate: a thread that
/// reaches it afterwards stops there for good, because the process is about
/// to exit.
public final class RequestGate: @unchecked Sendable {
  private let condition = NSCondition()
  private var inFlight = false
  private var closed = false

  public init() {}

  /// Marks a request as in flight, or stops the calling thread for good
  /// when the gate is closed.
  func enter() {
    condition.lock()
    while closed { condition.wait() }
    inFlight = true
    condition.unlock()
  }

  /// Marks the request in flight as stored, then stops the calling thread
  /// for good when the gate is closed.
  func leave() {
    condition.lock()
    inFlight = false
    condition.broadcast()
    while closed { condition.wait() }
    condition.unlock()
  }

  /// Whether the gate is closed, so that a request in flight should not be
  /// retried.
  public var isClosed: Bool {
    condition.lock()
    defer { condition.unlock() }
    return closed
  }

  /// Whether a request is in flight.
  public var hasRequestInFlight: Bool {
    condition.lock()
    defer { condition.unlock() }
    return inFlight
  }

  /// Closes the gate and waits until the request in flight, if any, has
  /// its outcome stored.
  ///
  /// - Parameter seconds: The longest wait.
  /// - Returns: False when the wait ran out with the request still in flight.
  @discardableResult
  public func close(waitingUpTo seconds: TimeInterval) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    closed = true
    let deadline = Date(timeIntervalSinceNow: seconds)
    while inFlight {
      if !condition.wait(until: deadline) { return !inFlight }
    }
    return true
  }
}
