import Foundation

/// The simulator's only source of randomness: SplitMix64, seeded from `SimulatorOptions.seed`,
/// so that two runs with the same seed and the same requests produce the same tenant.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator for `seed`; `stream` separates independent sequences drawn from one seed.
    init(seed: UInt64, stream: UInt64 = 0) {
        state = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        _ = next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A lower-case version-4 GUID, the form Entra uses for object and app ids.
    mutating func guid() -> String {
        let high = next()
        let low = next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for offset in 0..<8 {
            bytes[offset] = UInt8(truncatingIfNeeded: high >> (8 * UInt64(offset)))
            bytes[8 + offset] = UInt8(truncatingIfNeeded: low >> (8 * UInt64(offset)))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(36)
        for index in 0..<16 {
            let byte = bytes[index]
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// `length` characters drawn from `alphabet`.
    mutating func string(length: Int, alphabet: String) -> String {
        let symbols = Array(alphabet)
        guard !symbols.isEmpty else { return "" }
        return String((0..<length).map { _ in symbols[Int(next() % UInt64(symbols.count))] })
    }

    /// Whether an event of probability `probability` happens this time.
    mutating func chance(_ probability: Double) -> Bool {
        if probability <= 0 { return false }
        if probability >= 1 { return true }
        return Double(next() >> 11) / Double(UInt64(1) << 53) < probability
    }

    /// A duration drawn uniformly from `range`, to the second.
    mutating func duration(in range: ClosedRange<Duration>) -> Duration {
        let low = range.lowerBound.components.seconds
        let high = range.upperBound.components.seconds
        guard high > low else { return range.lowerBound }
        return .seconds(low + Int64(next() % UInt64(high - low + 1)))
    }
}

extension SeededGenerator: Codable {
    /// Decodes the state from 16 hexadecimal digits (a string: JSON numbers lose 64-bit precision
    /// in many readers).
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard text.count == 16, let state = UInt64(text, radix: 16) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "A generator state is 16 hexadecimal digits, not \(text).")
        }
        self.state = state
    }

    /// Encodes the state as 16 hexadecimal digits.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        let digits = String(state, radix: 16)
        try container.encode(String(repeating: "0", count: 16 - digits.count) + digits)
    }
}
