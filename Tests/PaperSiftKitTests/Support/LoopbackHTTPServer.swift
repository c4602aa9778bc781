import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A request as the loopback server received it.
struct RecordedRequest: Sendable {
  var method: String
  var path: String
  var headers: [String: String]
  var body: Data
  var receivedAt: Date

  var text: String { String(decoding: body, as: UTF8.self) }
}

/// What the loopback server does with one request.
struct ScriptedResponse: Sendable {
  var status: Int = 200
  var headers: [(String, String)] = []
  var body: Data = Data()
  /// Seconds to wait before responding, to exceed a client's timeout.
  var delay: Double = 0
  /// The number of body bytes to send before closing, for a truncated response.
  var truncateBodyAt: Int?

  static func text(_ body: String, status: Int = 200, headers: [(String, String)] = []) -> Self {
    ScriptedResponse(status: status, headers: headers, body: Data(body.utf8))
  }

  static func json(_ body: String, status: Int = 200) -> Self {
    text(body, status: status, headers: [("Content-Type", "application/json")])
  }
}

/// A real HTTP/1.1 server on 127.0.0.1 and a port the kernel picks, for tests.
///
/// Each connection carries one request and is closed after the response. The
/// handler sees every request and returns what to send; the server records
/// the requests so that tests can check what a client sent and when.
final class LoopbackHTTPServer: @unchecked Sendable {
  typealias Handler = @Sendable (RecordedRequest) -> ScriptedResponse

  let port: Int
  private let socket: Int32
  private let handler: Handler
  private let lock = NSLock()
  private var recorded: [RecordedRequest] = []
  private var stopped = false

  var baseURL: String { "http://127.0.0.1:\(port)" }

  var requests: [RecordedRequest] {
    lock.lock()
    defer { lock.unlock() }
    return recorded
  }

  init(handler: @escaping Handler) throws {
    self.handler = handler
    let (fd, port) = try bindLoopbackSocket(reuseAddress: true)
    guard listen(fd, 64) == 0 else {
      close(fd)
      throw LoopbackError("listen failed: errno \(errno)")
    }
    self.socket = fd
    self.port = port
    let thread = Thread { [self] in self.acceptLoop() }
    thread.start()
  }

  func stop() {
    lock.lock()
    let wasStopped = stopped
    stopped = true
    lock.unlock()
    guard !wasStopped else { return }
    // Only shut down here: the accept loop closes the descriptor when it exits,
    // so its number cannot be reused by another server while the loop runs.
    shutdown(socket, Int32(SHUT_RDWR))
  }

  private func acceptLoop() {
    while true {
      let client = accept(socket, nil, nil)
      if client < 0 {
        lock.lock()
        let done = stopped
        lock.unlock()
        if done {
          close(socket)
          return
        }
        continue
      }
      let thread = Thread { [self] in self.serve(client) }
      thread.start()
    }
  }

  private func serve(_ client: Int32) {
    defer { close(client) }
    guard let request = readRequest(client) else { return }
    lock.lock()
    recorded.append(request)
    lock.unlock()

    let response = handler(request)
    if response.delay > 0 { Thread.sleep(forTimeInterval: response.delay) }
    var head = "HTTP/1.1 \(response.status) \(reason(response.status))\r\n"
    var headers = response.headers
    if !headers.contains(where: { $0.0.lowercased() == "content-length" }) {
      headers.append(("Content-Length", String(response.body.count)))
    }
    headers.append(("Connection", "close"))
    for (name, value) in headers { head += "\(name): \(value)\r\n" }
    head += "\r\n"
    var bytes = Data(head.utf8)
    if let cut = response.truncateBodyAt {
      bytes.append(response.body.prefix(cut))
    } else {
      bytes.append(response.body)
    }
    bytes.withUnsafeBytes { buffer in
      guard let base = buffer.baseAddress else { return }
      var offset = 0
      while offset < buffer.count {
        let sent = send(
          client, base + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
        if sent <= 0 { return }
        offset += sent
      }
    }
  }

  private func readRequest(_ client: Int32) -> RecordedRequest? {
    var buffer = Data()
    var chunk = [UInt8](repeating: 0, count: 65536)
    var headerEnd: Range<Data.Index>?
    while headerEnd == nil {
      let count = recv(client, &chunk, chunk.count, 0)
      if count <= 0 { return nil }
      buffer.append(contentsOf: chunk[0..<count])
      headerEnd = buffer.range(of: Data("\r\n\r\n".utf8))
    }
    guard let headerEnd else { return nil }
    let head = String(decoding: buffer[..<headerEnd.lowerBound], as: UTF8.self)
    var lines = head.components(separatedBy: "\r\n")
    let requestLine = lines.removeFirst().split(separator: " ")
    guard requestLine.count >= 2 else { return nil }
    var headers: [String: String] = [:]
    for line in lines {
      guard let colon = line.firstIndex(of: ":") else { continue }
      let name = line[..<colon].lowercased()
      headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    let expected = Int(headers["content-length"] ?? "0") ?? 0
    var body = Data(buffer[headerEnd.upperBound...])
    while body.count < expected {
      let count = recv(client, &chunk, chunk.count, 0)
      if count <= 0 { break }
      body.append(contentsOf: chunk[0..<count])
    }
    return RecordedRequest(
      method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body,
      receivedAt: Date())
  }

  private func reason(_ status: Int) -> String {
    switch status {
    case 200: "OK"
    case 301: "Moved Permanently"
    case 302: "Found"
    case 404: "Not Found"
    case 429: "Too Many Requests"
    case 500: "Internal Server Error"
    case 503: "Service Unavailable"
    default: "Status"
    }
  }
}

struct LoopbackError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// Binds a TCP socket to 127.0.0.1 on a port the kernel picks.
///
/// - Parameter reuseAddress: Whether to set `SO_REUSEADDR`, which a server
///   wants and a port that must stay refused does not, since Linux lets
///   several sockets with it bind one port while none of them listens.
/// - Returns: The socket, not yet listening, and its port.
/// - Throws: ``LoopbackError`` when a system call fails.
func bindLoopbackSocket(reuseAddress: Bool) throws -> (socket: Int32, port: Int) {
  let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  guard fd >= 0 else { throw LoopbackError("socket() failed: errno \(errno)") }
  if reuseAddress {
    var reuse: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
  }
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_port = 0
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  let bound = withUnsafePointer(to: &address) { pointer in
    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
    }
  }
  var length = socklen_t(MemoryLayout<sockaddr_in>.size)
  let named = withUnsafeMutablePointer(to: &address) { pointer in
    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      getsockname(fd, $0, &length)
    }
  }
  guard bound == 0, named == 0 else {
    close(fd)
    throw LoopbackError("bind/getsockname failed: errno \(errno)")
  }
  return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

/// A loopback port that is bound but not listening, so every connection to
/// it is refused for as long as this object lives. No other socket can take
/// the port meanwhile, unlike the port of a stopped server.
final class RefusingLoopbackPort {
  let port: Int
  private let socket: Int32

  var baseURL: String { "http://127.0.0.1:\(port)" }

  init() throws {
    (socket, port) = try bindLoopbackSocket(reuseAddress: false)
  }

  deinit {
    close(socket)
  }
}
