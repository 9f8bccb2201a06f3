import Foundation

/// Reads the per-rule counters of one chain from `nft -j list chain …`, the machine-readable form
/// (libnftables-json(5)): `{"nftables": [{"rule": {"expr": [ …, {"counter": {"packets": N, …}},
/// {"drop": null} ]}}, …]}`.
enum NftablesCounterReader {
    struct Malformed: Error, CustomStringConvertible {
        var description: String { "nft -j printed something that is not an nftables JSON document" }
    }

    static func packetsByVerdict(_ json: String) throws -> (accepted: UInt64, dropped: UInt64) {
        guard let document = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let objects = document["nftables"] as? [[String: Any]] else { throw Malformed() }
        var accepted: UInt64 = 0
        var dropped: UInt64 = 0
        for object in objects {
            guard let rule = object["rule"] as? [String: Any], let expressions = rule["expr"] as? [[String: Any]] else { continue }
            let packets = expressions.compactMap { ($0["counter"] as? [String: Any])?["packets"] as? NSNumber }.first
            guard let packets else { continue }
            if expressions.contains(where: { $0.keys.contains("accept") }) { accepted += packets.uint64Value }
            if expressions.contains(where: { $0.keys.contains("drop") }) { dropped += packets.uint64Value }
        }
        return (accepted, dropped)
    }

    /// Packets counted by the rules holding one of `statements` (nat's `masquerade`, `snat`).
    static func packets(_ json: String, statements: Set<String>) throws -> UInt64 {
        guard let document = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let objects = document["nftables"] as? [[String: Any]] else { throw Malformed() }
        var total: UInt64 = 0
        for object in objects {
            guard let rule = object["rule"] as? [String: Any], let expressions = rule["expr"] as? [[String: Any]],
                  expressions.contains(where: { !statements.isDisjoint(with: $0.keys) }) else { continue }
            total += expressions.compactMap { ($0["counter"] as? [String: Any])?["packets"] as? NSNumber }.first?.uint64Value ?? 0
        }
        return total
    }
}
