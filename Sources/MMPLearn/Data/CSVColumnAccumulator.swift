import MMPCore

/// One column of the table being read: the parts' values are appended here block after block,
/// categorical codes re-mapped from each part's dictionary to the column's (levels stay in
/// first-seen order, as a one-thread read would give them).
final class CSVColumnAccumulator {
    let name: String
    let forced: ColumnKind?
    var plan: CSVColumnPlan
    /// The sampled type was wrong somewhere: the column's plan became `.skip` and it is re-read
    /// as text at the end.
    private(set) var fellBack = false
    private(set) var numbers: [Double] = []
    private(set) var codes: [Int32] = []
    private(set) var dictionary = ByteStringDictionary()
    private var remap: [Int32] = []

    init(name: String, plan: CSVColumnPlan, forced: ColumnKind?) {
        self.name = name; self.plan = plan; self.forced = forced
    }

    func reserve(rows: Int) {
        switch plan {
        case .numeric, .timestamp: numbers.reserveCapacity(rows)
        case .text: codes.reserveCapacity(rows)
        case .skip: break
        }
    }

    /// Stops storing the column and frees what it held; `reread()` takes it up again as text.
    func fallBack() {
        fellBack = true
        plan = .skip
        numbers = []
        codes = []
        dictionary = ByteStringDictionary()
    }

    func reread() {
        plan = .text
    }

    func append(_ part: CSVPartOutput, column c: Int) {
        switch plan {
        case .numeric, .timestamp:
            numbers.append(contentsOf: part.numbers[c].values)
        case .text:
            let local = part.dictionaries[c]
            remap.removeAll(keepingCapacity: true)
            for code in 0..<local.count {
                remap.append(local.withLevel(code) { dictionary.code($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) })
            }
            remap.withUnsafeBufferPointer { map in
                codes.append(contentsOf: part.codes[c].values.lazy.map { $0 < 0 ? -1 : map[Int($0)] })
            }
        case .skip:
            break
        }
    }

    /// The finished column. A text column that was re-read after a fallback becomes a timestamp
    /// column when every value is one (and there is at least one), categorical otherwise.
    func column() -> Column {
        switch plan {
        case .numeric:
            return .numeric(name, numbers)
        case .timestamp:
            // A forced timestamp column with no value at all is categorical, as it always was.
            if numbers.allSatisfy(\.isNaN) { return Column(name: name, values: .categorical(codes: Array(repeating: -1, count: numbers.count), levels: [])) }
            return .timestamp(name, numbers)
        case .text, .skip:
            if fellBack, forced != .categorical, dictionary.count > 0 {
                var seconds: [Double] = []
                seconds.reserveCapacity(dictionary.count)
                for code in 0..<dictionary.count {
                    guard let t = dictionary.withLevel(code, { CSVFieldValues.timestamp($0.baseAddress!, $0.count) }) else { break }
                    seconds.append(t)
                }
                if seconds.count == dictionary.count {
                    return .timestamp(name, codes.map { $0 < 0 ? .nan : seconds[Int($0)] })
                }
            }
            return Column(name: name, values: .categorical(codes: codes, levels: dictionary.levels))
        }
    }
}
