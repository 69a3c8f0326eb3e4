/// Which of Redis Cluster's 16384 slots a key lives in: CRC16 (XMODEM) of the key, or of its
/// hash tag (the text between the first `{` and the next `}`, when not empty), modulo 16384.
/// Keys that share a hash tag share a slot, which is what lets one script touch them together.
public enum ClusterHashSlot {
    public static let count = 16384

    public static func of(_ key: String) -> Int {
        var key = key
        return key.withUTF8 { of(bytes: UnsafeRawBufferPointer($0)) }
    }

    public static func of<Bytes: Collection>(bytes key: Bytes) -> Int where Bytes.Element == UInt8, Bytes.Index == Int {
        var start = key.startIndex, end = key.endIndex
        if let open = key.firstIndex(of: UInt8(ascii: "{")),
           let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1 {
            start = open + 1
            end = close
        }
        return Int(crc16(key[start..<end])) & (count - 1)
    }

    /// CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), the one Redis Cluster uses.
    public static func crc16<Bytes: Sequence>(_ bytes: Bytes) -> UInt16 where Bytes.Element == UInt8 {
        var crc: UInt16 = 0
        for byte in bytes { crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)] }
        return crc
    }

    static let table: [UInt16] = (0..<256).map { value in
        var crc = UInt16(value) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }
}
