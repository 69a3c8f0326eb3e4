/// A growable run of plain values behind a pointer: the part parser appends to these in its hot
/// loop, where `Array` in a class would pay a uniqueness and an exclusivity check per value.
struct CSVValueBuffer<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>?
    private(set) var count = 0
    private var capacity = 0

    @inline(__always)
    mutating func append(_ value: Element) {
        if count == capacity { grow() }
        base.unsafelyUnwrapped[count] = value
        count += 1
    }

    mutating func truncate(to n: Int) { count = min(count, n) }
    mutating func removeAll() { count = 0 }

    var values: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: max(1024, capacity * 2))
        if let base {
            bigger.update(from: base, count: count)
            base.deallocate()
        }
        base = bigger
        capacity = max(1024, capacity * 2)
    }

    func deallocate() { base?.deallocate() }
}

/// What one part of a block parses into: per-column values for its rows, in the part's own
/// dictionaries. Reused from block to block (capacity kept), so a file of any size is parsed
/// with the same few buffers.
final class CSVPartOutput {
    let columns: Int
    var rows = 0
    /// Line breaks consumed (record ends and newlines inside quoted fields).
    var lines = 0
    let numbers: UnsafeMutablePointer<CSVValueBuffer<Double>>
    let codes: UnsafeMutablePointer<CSVValueBuffer<Int32>>
    let dictionaries: UnsafeMutablePointer<ByteStringDictionary>
    var fallbacks: [CSVFallback] = []
    var error: CSVParseError?

    init(columns: Int) {
        self.columns = columns
        numbers = .allocate(capacity: columns)
        numbers.initialize(repeating: CSVValueBuffer(), count: columns)
        codes = .allocate(capacity: columns)
        codes.initialize(repeating: CSVValueBuffer(), count: columns)
        dictionaries = .allocate(capacity: columns)
        dictionaries.initialize(repeating: ByteStringDictionary(), count: columns)
    }

    deinit {
        for c in 0..<columns {
            numbers[c].deallocate()
            codes[c].deallocate()
        }
        numbers.deinitialize(count: columns)
        numbers.deallocate()
        codes.deinitialize(count: columns)
        codes.deallocate()
        dictionaries.deinitialize(count: columns)
        dictionaries.deallocate()
    }

    func reset() {
        rows = 0
        lines = 0
        for c in 0..<columns {
            numbers[c].removeAll()
            codes[c].removeAll()
            if dictionaries[c].count > 0 { dictionaries[c].removeAll() }
        }
        fallbacks.removeAll()
        error = nil
    }
}

/// Parses the records of one part of a block (it starts and ends at record boundaries) into a
/// `CSVPartOutput`, column by column as the plans say.
///
/// The fast path reads unquoted fields in one pass: a number is lexed and converted where it
/// stands and must end at the delimiter. Anything else about a record (a quoted field, a wrong
/// number of fields, a stray quote, a blank line) sends that one record through the careful
/// tokenizer, which either reads it or reports exactly what is wrong and where.
struct CSVPartParser {
    let plans: [CSVColumnPlan]

    func parse(_ part: UnsafeBufferPointer<UInt8>, into out: CSVPartOutput) {
        out.reset()
        do {
            try parseRecords(part, out)
        } catch let error as CSVParseError {
            out.error = error
        } catch {
            out.error = CSVParseError(line: out.lines, message: "\(error)")
        }
    }

    private func parseRecords(_ part: UnsafeBufferPointer<UInt8>, _ out: CSVPartOutput) throws {
        guard let base = part.baseAddress, part.count > 0 else { return }
        let end = base + part.count
        let columnCount = plans.count
        // The plans, with `.skip` for columns that fell back in this part.
        let plan = UnsafeMutablePointer<CSVColumnPlan>.allocate(capacity: columnCount)
        plan.initialize(from: plans, count: columnCount)
        defer { plan.deallocate() }
        let numbers = out.numbers, codes = out.codes, dictionaries = out.dictionaries
        let powers = CSVNumber.Powers()
        var rows = 0
        var p = base
        var line = 0
        var fields: [CSVRecordTokenizer.Field] = []
        var scratch: [UInt8] = []
        while p < end {
            let recordStart = p
            let recordLine = line
            // Blank line.
            if p.pointee == 0x0A || p.pointee == 0x0D {
                if p.pointee == 0x0D { p += 1 }
                if p < end, p.pointee == 0x0A { p += 1 }
                line += 1
                continue
            }
            var complete = true
            var column = 0
            while column < columnCount {
                if p < end, p.pointee == 0x22 {
                    // A quoted field: commas and line breaks inside, `""` for a quote.
                    guard columnCount > 1, let quoted = CSVPartParser.quoted(p, end),
                          quoted.after == end || quoted.after.pointee == 0x2C || quoted.after.pointee == 0x0A || quoted.after.pointee == 0x0D
                    else { complete = false; break }
                    line += quoted.newlines
                    storeQuoted(quoted, column: column, line: recordLine, plan: plan, out, scratch: &scratch)
                    p = quoted.after
                } else {
                switch plan[column] {
                case .numeric:
                    if let (parts, after) = CSVNumber.lex(p, end), after == end || after.pointee == 0x2C || after.pointee == 0x0A || after.pointee == 0x0D {
                        numbers[column].append(CSVNumber.value(parts, text: p, count: after - p, powers: powers))
                        p = after
                    } else {
                        guard let fieldEnd = CSVPartParser.unquotedEnd(p, end) else { complete = false; break }
                        let length = fieldEnd - p
                        if CSVFieldValues.isMissing(p, length) {
                            numbers[column].append(.nan)
                        } else if let v = CSVNumber.parseField(p, count: length) {
                            numbers[column].append(v)
                        } else {
                            plan[column] = .skip
                            out.fallbacks.append(CSVFallback(column: column, line: recordLine, text: String(decoding: UnsafeBufferPointer(start: p, count: length), as: UTF8.self)))
                            numbers[column].append(.nan)
                        }
                        p = fieldEnd
                    }
                case .timestamp:
                    guard let fieldEnd = CSVPartParser.unquotedEnd(p, end) else { complete = false; break }
                    let length = fieldEnd - p
                    if CSVFieldValues.isMissing(p, length) {
                        numbers[column].append(.nan)
                    } else if let t = CSVFieldValues.timestamp(p, length) {
                        numbers[column].append(t)
                    } else {
                        plan[column] = .skip
                        out.fallbacks.append(CSVFallback(column: column, line: recordLine, text: String(decoding: UnsafeBufferPointer(start: p, count: length), as: UTF8.self)))
                        numbers[column].append(.nan)
                    }
                    p = fieldEnd
                case .text:
                    guard let fieldEnd = CSVPartParser.unquotedEnd(p, end) else { complete = false; break }
                    let length = fieldEnd - p
                    codes[column].append(CSVFieldValues.isMissing(p, length) ? -1 : dictionaries[column].code(p, length))
                    p = fieldEnd
                case .skip:
                    guard let fieldEnd = CSVPartParser.unquotedEnd(p, end) else { complete = false; break }
                    p = fieldEnd
                }
                }
                if !complete { break }
                column += 1
                if column < columnCount {
                    guard p < end, p.pointee == 0x2C else { complete = false; break }
                    p += 1
                } else if p < end {
                    if p.pointee == 0x0A {
                        p += 1
                    } else if p.pointee == 0x0D {
                        p += 1
                        if p < end, p.pointee == 0x0A { p += 1 }
                    } else {
                        complete = false  // more fields than the header
                    }
                }
            }
            if complete {
                rows += 1
                line += 1
                continue
            }
            // The careful path for this record: undo what the fast path stored of it, read it
            // with the tokenizer, and store it field by field.
            for c in 0..<columnCount {
                numbers[c].truncate(to: rows)
                codes[c].truncate(to: rows)
            }
            var tokenizer = CSVRecordTokenizer(part, position: recordStart - base, line: recordLine)
            _ = try tokenizer.next(into: &fields)
            p = base + tokenizer.position
            line = tokenizer.line
            if CSVRecordTokenizer.isBlank(fields) { continue }
            guard fields.count == columnCount else {
                throw CSVParseError(line: recordLine, message: "expected \(columnCount) fields as in the header, found \(fields.count)")
            }
            for (c, field) in fields.enumerated() {
                store(field, column: c, line: recordLine, tokenizer: tokenizer, plan: plan, out)
            }
            rows += 1
        }
        out.rows = rows
        out.lines = line
    }

    /// One field read by the tokenizer (quoted, maybe with escapes).
    private func store(_ field: CSVRecordTokenizer.Field, column c: Int, line: Int, tokenizer: CSVRecordTokenizer,
                       plan plans: UnsafeMutablePointer<CSVColumnPlan>, _ out: CSVPartOutput) {
        let plan = plans[c]
        if plan == .skip { return }
        var text = field.unescaped.map { Array($0.utf8) } ?? Array(tokenizer.buffer[field.start..<field.start + field.length])
        let missing = field.unescaped == nil && CSVFieldValues.isMissing(tokenizer.buffer.baseAddress! + field.start, field.length)
        text.withUnsafeMutableBufferPointer { bytes in
            let p = UnsafePointer(bytes.baseAddress ?? UnsafeMutablePointer(bitPattern: 1)!)
            switch plan {
            case .numeric, .timestamp:
                if missing {
                    out.numbers[c].append(.nan)
                } else if let v = plan == .numeric ? CSVNumber.parseField(p, count: bytes.count) : CSVFieldValues.timestamp(p, bytes.count) {
                    out.numbers[c].append(v)
                } else {
                    plans[c] = .skip
                    out.fallbacks.append(CSVFallback(column: c, line: line, text: String(decoding: bytes, as: UTF8.self)))
                    out.numbers[c].append(.nan)
                }
            case .text:
                out.codes[c].append(missing ? -1 : out.dictionaries[c].code(p, bytes.count))
            case .skip:
                break
            }
        }
    }

    struct QuotedField {
        var start: UnsafePointer<UInt8>
        var count: Int
        var escaped: Bool
        var newlines: Int
        /// The byte after the closing quote.
        var after: UnsafePointer<UInt8>
    }

    /// The quoted field opening at `p`, or nil when its quote is never closed.
    @inline(__always)
    static func quoted(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> QuotedField? {
        var q = p + 1
        var escaped = false
        var newlines = 0
        while q < end {
            let b = q.pointee
            if b == 0x22 {
                if q + 1 < end, q[1] == 0x22 {
                    escaped = true
                    q += 2
                    continue
                }
                return QuotedField(start: p + 1, count: q - p - 1, escaped: escaped, newlines: newlines, after: q + 1)
            }
            if b == 0x0A { newlines += 1 }
            q += 1
        }
        return nil
    }

    /// Stores a quoted field's value (its escapes undone in `scratch`).
    private func storeQuoted(_ field: QuotedField, column c: Int, line: Int, plan: UnsafeMutablePointer<CSVColumnPlan>,
                             _ out: CSVPartOutput, scratch: inout [UInt8]) {
        if plan[c] == .skip { return }
        var start = field.start, count = field.count
        if field.escaped {
            scratch.removeAll(keepingCapacity: true)
            var k = 0
            while k < field.count {
                scratch.append(field.start[k])
                k += field.start[k] == 0x22 ? 2 : 1
            }
            count = scratch.count
        }
        scratch.withUnsafeBufferPointer { unescaped in
            if field.escaped { start = unescaped.baseAddress! }
            let missing = !field.escaped && CSVFieldValues.isMissing(start, count)
            switch plan[c] {
            case .numeric, .timestamp:
                if missing {
                    out.numbers[c].append(.nan)
                } else if let v = plan[c] == .numeric ? CSVNumber.parseField(start, count: count) : CSVFieldValues.timestamp(start, count) {
                    out.numbers[c].append(v)
                } else {
                    plan[c] = .skip
                    out.fallbacks.append(CSVFallback(column: c, line: line, text: String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)))
                    out.numbers[c].append(.nan)
                }
            case .text:
                out.codes[c].append(missing ? -1 : out.dictionaries[c].code(start, count))
            case .skip:
                break
            }
        }
    }

    /// The end of an unquoted field (at `,`, a line break or the end), or nil when it holds a
    /// quote (the careful path then reports it).
    @inline(__always)
    static func unquotedEnd(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> UnsafePointer<UInt8>? {
        var p = start
        while p < end {
            let b = p.pointee
            if b == 0x2C || b == 0x0A || b == 0x0D { return p }
            if b == 0x22 { return nil }
            p += 1
        }
        return p
    }
}
