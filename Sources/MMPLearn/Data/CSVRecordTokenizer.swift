/// The careful, one-record-at-a-time CSV tokenizer (RFC 4180): reads the header, the sample the
/// column types are inferred from, and re-reads a record the fast parser stopped at, so every
/// error message (and its line number) is the same whichever path met the record first.
struct CSVRecordTokenizer {
    struct Field {
        var start: Int
        var length: Int
        /// The field with `""` turned into `"`, for quoted fields that hold escapes.
        var unescaped: String?
    }

    let buffer: UnsafeBufferPointer<UInt8>
    /// Where the next record starts, and its line number.
    var position: Int
    var line: Int

    init(_ buffer: UnsafeBufferPointer<UInt8>, position: Int, line: Int) {
        self.buffer = buffer; self.position = position; self.line = line
    }

    var atEnd: Bool { position >= buffer.count }

    /// Lines are relative to where this tokenizer's buffer starts counting; the reader adds
    /// the offset and the source's name.
    func failure(_ message: String, _ atLine: Int) -> CSVParseError {
        CSVParseError(line: atLine, message: message)
    }

    /// The next record's fields (one empty field for a blank line), and the line it starts on.
    mutating func next(into fields: inout [Field]) throws -> Int {
        let buf = buffer
        let n = buf.count
        var i = position
        let recordLine = line
        fields.removeAll(keepingCapacity: true)
        var endOfRecord = false
        while !endOfRecord {
            if i < n, buf[i] == UInt8(ascii: "\"") {
                i += 1
                let start = i
                var hasEscapes = false
                var closed = false
                while i < n {
                    let b = buf[i]
                    if b == UInt8(ascii: "\"") {
                        if i + 1 < n, buf[i + 1] == UInt8(ascii: "\"") { hasEscapes = true; i += 2; continue }
                        closed = true
                        break
                    }
                    if b == 0x0A { line += 1 }
                    i += 1
                }
                guard closed else { throw failure("a quoted field is never closed (opened here)", recordLine) }
                let length = i - start
                i += 1  // closing quote
                var unescaped: String?
                if hasEscapes {
                    unescaped = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<start + length]), as: UTF8.self)
                        .replacing("\"\"", with: "\"")
                }
                fields.append(Field(start: start, length: length, unescaped: unescaped))
                if i < n, buf[i] != UInt8(ascii: ","), buf[i] != 0x0A, buf[i] != 0x0D {
                    throw failure("unexpected text after a closing quote in field \(fields.count)", line)
                }
            } else {
                let start = i
                while i < n, buf[i] != UInt8(ascii: ","), buf[i] != 0x0A, buf[i] != 0x0D {
                    if buf[i] == UInt8(ascii: "\"") {
                        throw failure("a quote inside an unquoted field \(fields.count + 1); quote the whole field", line)
                    }
                    i += 1
                }
                fields.append(Field(start: start, length: i - start, unescaped: nil))
            }
            if i >= n {
                endOfRecord = true
            } else if buf[i] == UInt8(ascii: ",") {
                i += 1
                if i >= n { fields.append(Field(start: i, length: 0, unescaped: nil)); endOfRecord = true }
            } else {
                if buf[i] == 0x0D { i += 1 }
                if i < n, buf[i] == 0x0A { i += 1 }
                line += 1
                endOfRecord = true
            }
        }
        position = i
        return recordLine
    }

    /// A blank line is one empty, unquoted field; it is skipped wherever it appears.
    static func isBlank(_ fields: [Field]) -> Bool {
        fields.count == 1 && fields[0].length == 0 && fields[0].unescaped == nil
    }

    func text(_ field: Field) -> String {
        field.unescaped ?? String(decoding: UnsafeBufferPointer(rebasing: buffer[field.start..<field.start + field.length]), as: UTF8.self)
    }
}
