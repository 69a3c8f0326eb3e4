internal import CLibpq
import MMPCore

/// Writes rows of a `COPY ... FROM STDIN` (text format): tab-separated fields, `\N` for NULL,
/// backslash escapes for tab, newline, carriage return and backslash. Sends in 256 KB pieces.
public struct PostgresCopyWriter {
    let connection: OpaquePointer
    private var buffer: [UInt8] = []
    private var fieldsInRow = 0
    public private(set) var rows = 0

    init(connection: OpaquePointer) {
        self.connection = connection
        buffer.reserveCapacity(1 << 18)
    }

    /// Appends one field of the current row; nil is NULL.
    public mutating func field(_ text: String?) {
        if fieldsInRow > 0 { buffer.append(9) }
        fieldsInRow += 1
        guard let text else { buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "N")); return }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "\\"))
            case 9: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "t"))
            case 10: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "n"))
            case 13: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "r"))
            default: buffer.append(byte)
            }
        }
    }

    /// Ends the current row.
    public mutating func endRow() throws {
        buffer.append(10)
        fieldsInRow = 0
        rows += 1
        if buffer.count >= 1 << 18 { try flush() }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { PQputCopyData(connection, $0.baseAddress, Int32($0.count)) }
        }
        guard sent == 1 else {
            throw MMPError(.connection, "sending COPY data to PostgreSQL failed: \(String(cString: PQerrorMessage(connection)).trimmed())")
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
