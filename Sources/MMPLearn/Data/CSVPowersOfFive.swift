/// 128-bit approximations of 5^q for q in -342...308, the table the Eisel–Lemire algorithm
/// multiplies by (10^q = 5^q · 2^q, and the power of two only moves the exponent).
///
/// Computed once, at first use, with a few exact big-integer steps instead of being pasted in as
/// 651 literal lines. The conventions are the ones the algorithm's error analysis assumes:
/// for q ≥ 0 the leading 128 bits of 5^q, truncated; for -27 ≤ q < 0, ⌊2^b / 5^-q⌋ + 1 with b
/// chosen so the result has exactly 128 bits; for q < -27 the same quotient computed with b =
/// 2·bits(5^-q) + 128, plus one, then truncated to its leading 128 bits.
enum CSVPowersOfFive {
    static let smallest = -342
    static let largest = 308

    /// `high[q - smallest]`, `low[q - smallest]`. Pointers to memory that lives as long as the
    /// process: read in the parser's hot loop without retaining arrays or re-checking bounds.
    nonisolated(unsafe) static let high: UnsafePointer<UInt64> = UnsafePointer(copy(table.high))
    nonisolated(unsafe) static let low: UnsafePointer<UInt64> = UnsafePointer(copy(table.low))

    static let table: (high: [UInt64], low: [UInt64]) = build()

    private static func copy(_ values: [UInt64]) -> UnsafeMutablePointer<UInt64> {
        let p = UnsafeMutablePointer<UInt64>.allocate(capacity: values.count)
        p.initialize(from: values, count: values.count)
        return p
    }

    private static func build() -> (high: [UInt64], low: [UInt64]) {
        var high = [UInt64](repeating: 0, count: largest - smallest + 1)
        var low = high
        func store(_ q: Int, _ value: BigNatural) {
            let (h, l) = value.leading128()
            high[q - smallest] = h
            low[q - smallest] = l
        }
        // Positive powers: 5^q exactly, then its leading 128 bits.
        var power = BigNatural(1)
        for q in 0...largest {
            store(q, power)
            power.multiply(by: 5)
        }
        // Negative powers: X_k = ⌊2^B / 5^k⌋ for one large B, each from the previous by one
        // division by 5 (⌊⌊a/b⌋/c⌋ = ⌊a/(bc)⌋), and ⌊2^b / 5^k⌋ = X_k >> (B - b).
        let B = 1792
        var reciprocal = BigNatural.powerOfTwo(B)
        var fivePower = BigNatural(1)
        for k in 1...(-smallest) {
            reciprocal.divide(by: 5)
            fivePower.multiply(by: 5)
            let z = fivePower.bitLength  // 5^k is never a power of two: 2^(z-1) < 5^k < 2^z
            let q = -k
            let b = q >= -27 ? z + 127 : 2 * z + 128
            var quotient = reciprocal.shiftedRight(by: B - b)
            quotient.addOne()
            store(q, quotient)
        }
        return (high, low)
    }
}

/// Just enough of an arbitrary-size natural number for the table above (little-endian 32-bit limbs).
struct BigNatural {
    private(set) var limbs: [UInt32]

    init(_ value: UInt32) { limbs = [value] }

    static func powerOfTwo(_ n: Int) -> BigNatural {
        var result = BigNatural(0)
        result.limbs = [UInt32](repeating: 0, count: n / 32 + 1)
        result.limbs[n / 32] = 1 << UInt32(n % 32)
        return result
    }

    var bitLength: Int {
        guard let top = limbs.lastIndex(where: { $0 != 0 }) else { return 0 }
        return top * 32 + (32 - limbs[top].leadingZeroBitCount)
    }

    mutating func multiply(by factor: UInt32) {
        var carry: UInt64 = 0
        for i in limbs.indices {
            let product = UInt64(limbs[i]) * UInt64(factor) + carry
            limbs[i] = UInt32(truncatingIfNeeded: product)
            carry = product >> 32
        }
        if carry != 0 { limbs.append(UInt32(carry)) }
    }

    /// Floor division.
    mutating func divide(by divisor: UInt32) {
        var remainder: UInt64 = 0
        for i in limbs.indices.reversed() {
            let current = (remainder << 32) | UInt64(limbs[i])
            limbs[i] = UInt32(current / UInt64(divisor))
            remainder = current % UInt64(divisor)
        }
        trim()
    }

    mutating func addOne() {
        for i in limbs.indices {
            limbs[i] &+= 1
            if limbs[i] != 0 { return }
        }
        limbs.append(1)
    }

    func shiftedRight(by n: Int) -> BigNatural {
        var result = BigNatural(0)
        let limbShift = n / 32, bitShift = UInt32(n % 32)
        guard limbShift < limbs.count else { return result }
        var out = [UInt32](repeating: 0, count: limbs.count - limbShift)
        for i in out.indices {
            let lowPart = limbs[i + limbShift] >> bitShift
            let highPart: UInt32 = bitShift == 0 || i + limbShift + 1 >= limbs.count ? 0 : limbs[i + limbShift + 1] << (32 - bitShift)
            out[i] = lowPart | highPart
        }
        result.limbs = out
        result.trim()
        return result
    }

    /// The leading 128 bits, truncated (or shifted left when the number is shorter).
    func leading128() -> (UInt64, UInt64) {
        let bits = bitLength
        var value = self
        if bits > 128 {
            value = shiftedRight(by: bits - 128)
        }
        var words = [UInt32](repeating: 0, count: 4)
        for i in 0..<min(4, value.limbs.count) { words[i] = value.limbs[i] }
        var high = UInt64(words[3]) << 32 | UInt64(words[2])
        var low = UInt64(words[1]) << 32 | UInt64(words[0])
        if bits < 128 {
            let shift = 128 - bits
            if shift >= 64 {
                high = low << UInt64(shift - 64)
                low = 0
            } else if shift > 0 {
                high = high << UInt64(shift) | low >> UInt64(64 - shift)
                low <<= UInt64(shift)
            }
        }
        return (high, low)
    }

    private mutating func trim() {
        while limbs.count > 1, limbs.last == 0 { limbs.removeLast() }
    }
}
