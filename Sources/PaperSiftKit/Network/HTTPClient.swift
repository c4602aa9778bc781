import CCurl
import Foundation

/// An HTTP request as PaperSift sends it.
public struct HTTPRequest: Sendable {
  public var url: String
  public var method: String
  public var headers: [(String, String)]
  public var body: Data?
  /// Seconds allowed to open the connection.
  public var connectTimeout: Double
  /// Seconds allowed for the whole transfer.
  public var totalTimeout: Double
  /// The largest response body accepted, in bytes.
  public var maxResponseBytes: Int
  public var maxRedirects: Int

  public init(
    url: String, method: String = "GET", headers: [(String, String)] = [], body: Data? = nil,
    connectTimeout: Double = 10, totalTimeout: Double = 60,
    maxResponseBytes: Int = 50 << 20, maxRedirects: Int = 5
  ) {
    self.url = url
    self.method = method
    self.headers = headers
    self.body = body
    self.connectTimeout = connectTimeout
    self.totalTimeout = totalTimeout
    self.maxResponseBytes = maxResponseBytes
    self.maxRedirects = maxRedirects
  }
}

/// A response with its status, headers (names lower-cased) and body.
public struct HTTPResponse: Sendable {
  public var status: Int
  public var headers: [String: String]
  public var body: Data
  /// The URL after redirects.
  public var finalURL: String

  public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A failed transfer: curl could not complete it, or the status was not 2xx.
public struct HTTPError: Error, CustomStringConvertible, Sendable {
  public enum Kind: Sendable, Equatable {
    /// curl failed with this `CURLcode`.
    case transfer(code: Int32)
    case timedOut
    case tooLarge(limit: Int)
    case status(Int)
  }

  public var kind: Kind
  /// The request's URL without its user name and password.
  public var url: String
  public var detail: String
  /// Seconds from a `Retry-After` header, when the server sent one.
  public var retryAfter: Double?
  /// The whole response body of a `.status` error, empty for other kinds.
  public var body = Data()
  /// The URL that failed after the request followed redirects, without its
  /// user name and password, or nil when no redirect was followed.
  public var redirectedURL: String? = nil

  /// The request's URL and, after a redirect, the URL that failed.
  var target: String {
    redirectedURL.map { "\(url) (redirected to \($0))" } ?? url
  }

  /// Whether this is an HTTP 429 whose JSON body has `insufficient_quota` as
  /// its `error.code` or `error.type`, as OpenAI returns when the account has
  /// no credit left. Waiting does not clear it, unlike a rate limit.
  public var isQuotaExhausted: Bool {
    guard kind == .status(429),
      case .object(let object) = try? JSONDecoder().decode(JSONValue.self, from: body),
      case .object(let error) = object["error"]
    else { return false }
    let quota = JSONValue.string("insufficient_quota")
    return error["code"] == quota || error["type"] == quota
  }

  /// Whether sending the same request again may succeed.
  public var isTransient: Bool {
    switch kind {
    case .timedOut: return true
    case .transfer(let code):
      let transient: [CURLcode] = [
        CURLE_COULDNT_CONNECT, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING,
        CURLE_PARTIAL_FILE, CURLE_COULDNT_RESOLVE_HOST,
      ]
      return transient.map { Int32($0.rawValue) }.contains(code)
    case .tooLarge: return false
    case .status(let status):
      let serverError =
        (500...599).contains(status) && !RetryPolicy.unsupportedStatuses.contains(status)
      return (status == 429 && !isQuotaExhausted) || serverError
    }
  }

  public var description: String {
    switch kind {
    case .transfer(let code):
      return "Request to \(target) failed: \(detail) (curl code \(code)). "
        + "Check the network and the URL, then retry."
    case .timedOut:
      return "Request to \(target) timed out: \(detail). "
        + "The server is slow or unreachable; retry later or raise the timeout."
    case .tooLarge(let limit):
      return "Response from \(target) is larger than the limit of \(limit) bytes. "
        + "Check that the URL points at the expected service."
    case .status(let status):
      return statusSentence(status) + " " + HTTPError.hint(forStatus: status)
    }
  }

  /// Returns `Request to URL failed with HTTP status N: DETAIL.`, the
  /// opening of the description of a `.status` error.
  func statusSentence(_ status: Int) -> String {
    "Request to \(target) failed with HTTP status \(status)\(detailClause)."
  }

  /// The detail after a colon, without the final period that the sentence
  /// around it adds, or empty when there is no detail.
  var detailClause: String {
    guard !detail.isEmpty else { return "" }
    return ": " + (detail.hasSuffix(".") ? String(detail.dropLast()) : detail)
  }

  static func hint(forStatus status: Int) -> String {
    switch status {
    case 401, 403: "Check the API key and its environment variable."
    case 404: "Check the base URL and the path."
    case 429: "The server is rate-limiting; wait and retry."
    case 501, 505:
      "The server does not support this request, so retrying does not help; check the URL and "
        + "that the server offers this API."
    case 500...599: "The server failed; retry later."
    default: "Check the request."
    }
  }
}

/// Sends HTTP requests through a libcurl easy handle.
///
/// Every transfer has connect and total timeouts, a User-Agent naming the
/// tool, accepts compressed bodies, follows a bounded number of redirects,
/// verifies TLS, and stops reading past a maximum body size.
///
/// See https://curl.se/libcurl/c/libcurl-easy.html.
public struct HTTPClient: Sendable {
  public static let userAgent = "PaperSift/0.1 (+https://github.com/papersift/papersift)"

  private static let globalInit: Bool = {
    curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
  }()

  public init() {
    _ = HTTPClient.globalInit
  }

  /// Sends `request` once and returns the response, or throws ``HTTPError``
  /// for a failed transfer or a status outside 200-299.
  public func send(_ request: HTTPRequest) throws -> HTTPResponse {
    let transfer = CurlTransfer(request: request)
    return try transfer.perform()
  }
}
