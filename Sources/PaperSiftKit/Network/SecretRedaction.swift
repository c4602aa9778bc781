import Foundation

/// Removes secrets from text bound for error messages and logs.
///
/// The secrets are the API key that a client sends, which a server may echo
/// in an error body, and the `user:password@` part of URLs. The chat and
/// embeddings clients both redact with this type. The arXiv clients and
/// ``HTTPError`` strip URL credentials with ``displayURL(_:)``.
public struct SecretRedaction: Sendable {
  /// The text that replaces each secret.
  public static let placeholder = "[redacted]"
  /// Secrets shorter than this are not searched for in free text, because
  /// replacing every occurrence of a two-letter password would garble the
  /// message. They are still removed from URLs.
  static let minimumSecretLength = 4
  private let secrets: [String]

  /// Creates the redaction for a client that sends `apiKey` to `url`.
  ///
  /// - Parameters:
  ///   - apiKey: The bearer token, or nil when none is sent.
  ///   - url: The base URL, whose password is redacted too, percent-encoded
  ///     or not, wherever it occurs.
  public init(apiKey: String?, url: String) {
    var secrets = [apiKey ?? ""]
    if let password = URLComponents(string: url)?.percentEncodedPassword {
      secrets.append(password)
      secrets.append(password.removingPercentEncoding ?? password)
    }
    // The longest first, so that a secret that contains another is replaced whole.
    self.secrets = Set(secrets.filter { $0.count >= Self.minimumSecretLength })
      .sorted { $0.count > $1.count }
  }

  /// Returns `text` with URL credentials removed and every secret replaced
  /// by ``placeholder``.
  public func redact(_ text: String) -> String {
    var result = Self.removingURLCredentials(from: text)
    for secret in secrets {
      result = result.replacingOccurrences(of: secret, with: Self.placeholder)
    }
    return result
  }

  /// Returns `url` without its user name and password.
  public static func displayURL(_ url: String) -> String {
    removingURLCredentials(from: url)
  }

  /// Returns `text` with the `user:password@` part of each URL in it removed,
  /// such as `http://user:pw@host/v1` shown as `http://host/v1`.
  public static func removingURLCredentials(from text: String) -> String {
    text.replacing(/(?<scheme>[A-Za-z][A-Za-z0-9+.\-]*:\/\/)[^\/?#@\s]+@/) { match in
      match.output.scheme
    }
  }
}
