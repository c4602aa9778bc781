import CCurl
import Foundation

/// One transfer on its own curl easy handle, freed in `deinit`.
final class CurlTransfer {
  private let request: HTTPRequest
  private let handle: UnsafeMutableRawPointer?
  private var headerList: UnsafeMutablePointer<curl_slist>?
  private var requestBody: [CChar] = []
  fileprivate var received = Data()
  fileprivate var responseHeaders: [String: String] = [:]
  fileprivate var exceededLimit = false

  init(request: HTTPRequest) {
    self.request = request
    self.handle = curl_easy_init()
  }

  deinit {
    if let headerList { curl_slist_free_all(headerList) }
    if let handle { curl_easy_cleanup(handle) }
  }

  /// The request's URL without user name and password, for ``HTTPError``.
  private var errorURL: String { SecretRedaction.displayURL(request.url) }

  func perform() throws -> HTTPResponse {
    guard let handle else {
      throw HTTPError(kind: .transfer(code: -1), url: errorURL, detail: "curl_easy_init failed")
    }
    try configure(handle)

    let code = withExtendedLifetime(self) { curl_easy_perform(handle) }
    guard code == CURLE_OK else {
      var error = transferError(code)
      error.redirectedURL = redirectedURL(handle)
      throw error
    }

    var status = 0
    papersift_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
    let response = HTTPResponse(
      status: status, headers: responseHeaders, body: received,
      finalURL: effectiveURL(handle) ?? request.url)
    guard (200...299).contains(status) else {
      throw HTTPError(
        kind: .status(status), url: errorURL,
        detail: ResponseExcerpt.text(of: received, contentType: responseHeaders["content-type"]),
        retryAfter: responseHeaders["retry-after"].flatMap(CurlTransfer.parseRetryAfter),
        body: received, redirectedURL: redirectedURL(handle))
    }
    return response
  }

  /// Returns the last URL curl used (`CURLINFO_EFFECTIVE_URL`): after
  /// redirects, the target of the last one, even when the transfer failed.
  private func effectiveURL(_ handle: UnsafeMutableRawPointer) -> String? {
    var effective: UnsafeMutablePointer<CChar>?
    _ = withUnsafeMutablePointer(to: &effective) { pointer in
      papersift_curl_getinfo_pointer(handle, CURLINFO_EFFECTIVE_URL, pointer)
    }
    return effective.map { String(cString: $0) }
  }

  /// Returns the ``effectiveURL(_:)`` without user name and password when
  /// the transfer followed a redirect (`CURLINFO_REDIRECT_COUNT`), else nil.
  private func redirectedURL(_ handle: UnsafeMutableRawPointer) -> String? {
    var redirects = 0
    papersift_curl_getinfo_long(handle, CURLINFO_REDIRECT_COUNT, &redirects)
    guard redirects > 0 else { return nil }
    return effectiveURL(handle).map(SecretRedaction.displayURL)
  }

  private func configure(_ handle: UnsafeMutableRawPointer) throws {
    var codes: [CURLcode] = []
    codes.append(papersift_curl_setopt_string(handle, CURLOPT_URL, request.url))
    codes.append(papersift_curl_setopt_string(handle, CURLOPT_USERAGENT, HTTPClient.userAgent))
    codes.append(papersift_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, ""))
    codes.append(papersift_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1))
    codes.append(papersift_curl_setopt_long(handle, CURLOPT_MAXREDIRS, request.maxRedirects))
    codes.append(papersift_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
    codes.append(papersift_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
    codes.append(papersift_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
    codes.append(
      papersift_curl_setopt_long(
        handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout)))
    codes.append(
      papersift_curl_setopt_long(
        handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.totalTimeout)))
    codes.append(
      papersift_curl_setopt_off_t(
        handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxResponseBytes)))
    codes.append(papersift_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method))

    if let body = request.body {
      requestBody = body.map { CChar(bitPattern: $0) }
      codes.append(papersift_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, requestBody.count))
      codes.append(
        requestBody.withUnsafeMutableBufferPointer { buffer in
          papersift_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, buffer.baseAddress)
        })
    }

    for (name, value) in request.headers {
      headerList = curl_slist_append(headerList, "\(name): \(value)")
    }
    if let headerList {
      codes.append(papersift_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, headerList))
    }

    let context = Unmanaged.passUnretained(self).toOpaque()
    codes.append(papersift_curl_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION, writeBody))
    codes.append(papersift_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
    codes.append(
      papersift_curl_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION, writeHeader))
    codes.append(papersift_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context))

    if let failed = codes.first(where: { $0 != CURLE_OK }) {
      throw HTTPError(
        kind: .transfer(code: Int32(failed.rawValue)), url: errorURL,
        detail: "setting an option failed: \(String(cString: curl_easy_strerror(failed)))")
    }
  }

  private func transferError(_ code: CURLcode) -> HTTPError {
    let message = String(cString: curl_easy_strerror(code))
    if exceededLimit || code == CURLE_FILESIZE_EXCEEDED {
      return HTTPError(
        kind: .tooLarge(limit: request.maxResponseBytes), url: errorURL, detail: message)
    }
    if code == CURLE_OPERATION_TIMEDOUT {
      return HTTPError(
        kind: .timedOut, url: errorURL,
        detail:
          "\(message) (limits: connect \(request.connectTimeout) s, total \(request.totalTimeout) s)"
      )
    }
    if code == CURLE_TOO_MANY_REDIRECTS {
      return HTTPError(
        kind: .transfer(code: Int32(code.rawValue)), url: errorURL,
        detail: "more than \(request.maxRedirects) redirects")
    }
    return HTTPError(kind: .transfer(code: Int32(code.rawValue)), url: errorURL, detail: message)
  }

  /// Returns `seconds` in whole milliseconds, clamped to 1...Int32.max so
  /// that no value, infinite, NaN or negative included, can trap or reach
  /// curl as 0, which curl reads as its default timeout.
  static func milliseconds(_ seconds: Double) -> Int {
    let milliseconds = (seconds * 1000).rounded()
    guard !milliseconds.isNaN else { return 1 }
    return Int(min(max(milliseconds, 1), Double(Int32.max)))
  }

  /// Parses `Retry-After` given in seconds or as an HTTP date.
  static func parseRetryAfter(_ value: String) -> Double? {
    let trimmed = value.trimmingCharacters(in: .whitespaces)
    if let seconds = Double(trimmed) { return max(0, seconds) }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
    guard let date = formatter.date(from: trimmed) else { return nil }
    return max(0, date.timeIntervalSinceNow)
  }
}

private func writeBody(
  data: UnsafeMutablePointer<CChar>?, size: Int, count: Int, context: UnsafeMutableRawPointer?
) -> Int {
  guard let data, let context else { return 0 }
  let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
  let length = size * count
  guard transfer.received.count + length <= transfer.maxBytes else {
    transfer.exceededLimit = true
    return 0
  }
  data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
    transfer.received.append(bytes, count: length)
  }
  return length
}

private func writeHeader(
  data: UnsafeMutablePointer<CChar>?, size: Int, count: Int, context: UnsafeMutableRawPointer?
) -> Int {
  guard let data, let context else { return 0 }
  let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
  let length = size * count
  let line = data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
    String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
  }
  if line.hasPrefix("HTTP/") {
    // A new status line starts the headers of the next response in a redirect chain.
    transfer.responseHeaders = [:]
  } else if let colon = line.firstIndex(of: ":") {
    let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
    let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
    transfer.responseHeaders[name] = value
  }
  return length
}

extension CurlTransfer {
  fileprivate var maxBytes: Int { request.maxResponseBytes }
}
