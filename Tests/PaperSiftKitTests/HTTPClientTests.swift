import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct HTTPClientTests {
  @Test func okResponseReturnsBody() throws {
    let server = try LoopbackHTTPServer { _ in .text("hello") }
    let response = try HTTPClient().send(HTTPRequest(url: server.baseURL + "/feed"))
    #expect(response.status == 200)
    #expect(response.text == "hello")
    #expect(server.requests.first?.headers["user-agent"]?.hasPrefix("PaperSift/") == true)
  }

  @Test func retryAfterIsHonoured() throws {
    let calls = Counter()
    let server = try LoopbackHTTPServer { _ in
      calls.increment() == 1
        ? .text("slow down", status: 429, headers: [("Retry-After", "1")]) : .text("ok")
    }
    let response = try HTTPClient().send(
      HTTPRequest(url: server.baseURL + "/api"), retrying: RetryPolicy(maxAttempts: 3))
    #expect(response.text == "ok")
    let times = server.requests.map(\.receivedAt)
    #expect(times.count == 2)
    #expect(times[1].timeIntervalSince(times[0]) >= 0.95)
  }

  @Test func serviceUnavailableFailsAfterLastAttempt() throws {
    let server = try LoopbackHTTPServer { _ in .text("down", status: 503) }
    let policy = RetryPolicy(maxAttempts: 2, baseDelay: 0.05, maxDelay: 0.1)
    let error = #expect(throws: HTTPError.self) {
      try HTTPClient().send(HTTPRequest(url: server.baseURL + "/api"), retrying: policy)
    }
    #expect(error?.kind == .status(503))
    #expect(error?.description.contains(server.baseURL + "/api") == true)
    #expect(server.requests.count == 2)
  }

  @Test(arguments: [
    (#"{"error": {"code": "insufficient_quota", "type": "insufficient_quota"}}"#, 1),
    (#"{"error": {"code": null, "type": "insufficient_quota"}}"#, 1),
    (#"{"error": {"code": "rate_limit_exceeded", "type": "requests"}}"#, 3),
    (#"{"error": {"code": 429, "type": "insufficient_quota"}}"#, 1),
    ("insufficient_quota", 3),
  ])
  func exhaustedQuotaIsNotRetried(body: String, attempts: Int) throws {
    let server = try LoopbackHTTPServer { _ in
      .text(body, status: 429, headers: [("Retry-After", "0")])
    }
    defer { server.stop() }
    let policy = RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.02)
    let error = #expect(throws: HTTPError.self) {
      try HTTPClient().send(HTTPRequest(url: server.baseURL + "/v1"), retrying: policy)
    }
    #expect(error?.kind == .status(429))
    #expect(error?.body == Data(body.utf8))
    #expect(error?.isQuotaExhausted == (attempts == 1))
    #expect(error?.isTransient == (attempts != 1))
    #expect(server.requests.count == attempts)
  }

  @Test func slowServerTimesOut() throws {
    let server = try LoopbackHTTPServer { _ in ScriptedResponse(body: Data("late".utf8), delay: 2) }
    let request = HTTPRequest(url: server.baseURL + "/slow", totalTimeout: 0.5)
    let error = #expect(throws: HTTPError.self) { try HTTPClient().send(request) }
    #expect(error?.kind == .timedOut)
  }

  @Test func redirectIsFollowed() throws {
    let server = try LoopbackHTTPServer { request in
      request.path == "/old"
        ? ScriptedResponse(status: 301, headers: [("Location", "/new")]) : .text("moved here")
    }
    let response = try HTTPClient().send(HTTPRequest(url: server.baseURL + "/old"))
    #expect(response.text == "moved here")
    #expect(response.finalURL.hasSuffix("/new"))
  }

  @Test func redirectLoopIsBounded() throws {
    let server = try LoopbackHTTPServer { _ in
      ScriptedResponse(status: 302, headers: [("Location", "/loop")])
    }
    let request = HTTPRequest(url: server.baseURL + "/loop", maxRedirects: 3)
    let error = #expect(throws: HTTPError.self) { try HTTPClient().send(request) }
    #expect(error?.description.contains("more than 3 redirects") == true)
    #expect(server.requests.count == 4)
  }

  /// A redirect to a server that is down fails at the target, so the
  /// message names the target as well as the requested URL.
  @Test func failedRedirectTargetIsNamed() throws {
    let down = try LoopbackHTTPServer { _ in .text("") }
    let target = down.baseURL + "/rss"
    down.stop()
    let server = try LoopbackHTTPServer { _ in
      ScriptedResponse(status: 302, headers: [("Location", target)])
    }
    defer { server.stop() }
    let url = server.baseURL + "/rss/cs.LG"

    let error = #expect(throws: HTTPError.self) { try HTTPClient().send(HTTPRequest(url: url)) }

    #expect(error?.kind == .transfer(code: 7))
    #expect(error?.redirectedURL == target)
    #expect(
      error?.description.hasPrefix("Request to \(url) (redirected to \(target)) failed: ")
        == true, "got: \(error?.description ?? "")")
  }

  @Test func redirectToMissingPageIsNamed() throws {
    let server = try LoopbackHTTPServer { request in
      request.path == "/old"
        ? ScriptedResponse(status: 301, headers: [("Location", "/gone")])
        : .text("nf", status: 404)
    }
    defer { server.stop() }

    let error = #expect(throws: HTTPError.self) {
      try HTTPClient().send(HTTPRequest(url: server.baseURL + "/old"))
    }

    #expect(
      error?.description
        == "Request to \(server.baseURL)/old (redirected to \(server.baseURL)/gone) failed with "
        + "HTTP status 404: nf. Check the base URL and the path.")
  }

  @Test func statusWithoutRedirectNamesOneURL() throws {
    let server = try LoopbackHTTPServer { _ in .text("nf", status: 404) }
    defer { server.stop() }

    let error = #expect(throws: HTTPError.self) {
      try HTTPClient().send(HTTPRequest(url: server.baseURL + "/gone"))
    }

    #expect(error?.redirectedURL == nil)
    #expect(error?.description.hasPrefix("Request to \(server.baseURL)/gone failed") == true)
  }

  @Test func oversizedBodyIsRejected() throws {
    let big = Data(repeating: 65, count: 200_000)
    let server = try LoopbackHTTPServer { _ in ScriptedResponse(body: big) }
    let request = HTTPRequest(url: server.baseURL + "/big", maxResponseBytes: 10_000)
    let error = #expect(throws: HTTPError.self) { try HTTPClient().send(request) }
    #expect(error?.kind == .tooLarge(limit: 10_000))
  }

  @Test func refusedConnectionNamesURL() throws {
    let server = try LoopbackHTTPServer { _ in .text("") }
    let url = server.baseURL + "/gone"
    server.stop()
    let error = #expect(throws: HTTPError.self) { try HTTPClient().send(HTTPRequest(url: url)) }
    #expect(error?.description.contains(url) == true)
  }
}

/// A thread-safe counter for handlers that answer differently per call.
final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var value = 0

  /// Adds one and returns the new value.
  func increment() -> Int {
    lock.lock()
    defer { lock.unlock() }
    value += 1
    return value
  }
}
