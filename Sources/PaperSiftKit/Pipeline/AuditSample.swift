import Foundation

/// The random sample of papers below the prefilter's cutoff that is scored
/// alongside the slice, so the digest can estimate the picks the cutoff lost.
///
/// The draw is deterministic: each candidate gets the key
/// `SHA-256("<date>\n<id>")`, read as a number from its first 8 bytes, and
/// the sample is the `count` candidates with the smallest keys. Because the
/// keys behave as independent uniform draws, every set of `count` candidates
/// is equally likely, which makes this a simple random sample without
/// replacement. The key depends only on the date and the paper, so a re-run
/// of the same night with the same ranking draws the same papers and finds
/// their scores cached. When the ranking moves a few papers across the
/// cutoff, the papers still below it keep their keys and mostly stay in the
/// sample.
public enum AuditSample {
  /// Draws `count` papers at random from `candidates`, the ids below the
  /// cutoff in ranking order.
  ///
  /// - Parameters:
  ///   - candidates: The version-less ids of the papers below the cutoff.
  ///   - count: The sample size. A shorter list is returned whole.
  ///   - date: The night, `YYYY-MM-DD`, which seeds the draw.
  /// - Returns: The drawn ids in the order of `candidates`.
  public static func draw(from candidates: [String], count: Int, date: String) -> [String] {
    guard count > 0 else { return [] }
    guard count < candidates.count else { return candidates }

    let keyed = candidates.enumerated().map { position, id in
      (key: key(for: id, date: date), id: id, position: position)
    }
    let drawn = keyed.sorted { ($0.key, $0.id) < ($1.key, $1.id) }.prefix(count)
    return drawn.sorted { $0.position < $1.position }.map(\.id)
  }

  /// Draws the night's audit sample from the ranked ids not sent to the LLM,
  /// sized by ``RunSettings/auditSampleSize(nightPapers:papersBelowCutoff:)``.
  ///
  /// - Returns: The drawn ids in ranking order.
  public static func draw(
    ranking: [String], sentIDs: Set<String>, date: String, settings: RunSettings
  ) -> [String] {
    let candidates = ranking.filter { !sentIDs.contains($0) }
    let count = settings.auditSampleSize(
      nightPapers: ranking.count, papersBelowCutoff: candidates.count)
    return draw(from: candidates, count: count, date: date)
  }

  /// Returns the sort key of the paper `id` on the night `date`.
  static func key(for id: String, date: String) -> UInt64 {
    let digest = SHA256.hexDigest(of: date + "\n" + id)
    return UInt64(digest.prefix(16), radix: 16) ?? 0
  }
}
