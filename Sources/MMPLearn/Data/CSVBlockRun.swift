import MMPCore

/// Parses blocks into the columns: cuts each block into parts, parses them on the pool, then
/// appends them in order (reporting the first error by line).
struct CSVBlockRun {
    let source: String
    let columns: [CSVColumnAccumulator]
    let forcedKinds: [String: ColumnKind]
    let pool: WorkerPool?
    private var outputs: [CSVPartOutput] = []

    init(source: String, columns: [CSVColumnAccumulator], forcedKinds: [String: ColumnKind], pool: WorkerPool?) {
        self.source = source; self.columns = columns; self.forcedKinds = forcedKinds; self.pool = pool
    }

    /// Returns the lines the block held. `only` limits which columns receive values.
    mutating func parse(_ block: UnsafeBufferPointer<UInt8>, startLine: Int, plans: [CSVColumnPlan], only: [Bool]? = nil) throws -> Int {
        guard block.count > 0 else { return 0 }
        let parts = pool.map { block.count >= 1 << 16 ? $0.width * 2 : 1 } ?? 1
        let ranges = CSVBoundaries.split(block, from: 0, to: block.count, parts: parts)
        while outputs.count < ranges.count { outputs.append(CSVPartOutput(columns: columns.count)) }
        let parser = CSVPartParser(plans: plans)
        let outputs = self.outputs
        if let pool, ranges.count > 1 {
            pool.run(tasks: ranges.count) { task, _ in
                parser.parse(UnsafeBufferPointer(rebasing: block[ranges[task]]), into: outputs[task])
            }
        } else {
            for (k, range) in ranges.enumerated() { parser.parse(UnsafeBufferPointer(rebasing: block[range]), into: outputs[k]) }
        }
        // Errors and fallbacks first, part by part (the first problem by line wins)...
        var line = startLine
        for k in ranges.indices {
            let out = outputs[k]
            // A column forced numeric that holds text is an error; report whichever problem comes first.
            let forcedText = out.fallbacks.first { forcedKinds[columns[$0.column].name] == .numeric && plans[$0.column] == .numeric }
            if let forcedText, forcedText.line <= out.error?.line ?? .max {
                throw MMPError.invalidData("\(source): line \(line + forcedText.line): column '\(columns[forcedText.column].name)' must be numeric but holds text ('\(forcedText.text)')")
            }
            if let error = out.error {
                throw MMPError.invalidData("\(source): line \(line + error.line): \(error.message)")
            }
            for fallback in out.fallbacks where columns[fallback.column].plan != .skip {
                columns[fallback.column].fallBack()
            }
            line += out.lines
        }
        // ...then the values, column by column on the pool (each column takes its parts in order).
        let receiving = only ?? Array(repeating: true, count: columns.count)
        let partCount = ranges.count
        if let pool, columns.count > 1 {
            let columns = self.columns
            pool.run(tasks: columns.count) { c, _ in
                if receiving[c] { CSVBlockRun.merge(columns[c], column: c, outputs, parts: partCount) }
            }
        } else {
            for c in columns.indices where receiving[c] { CSVBlockRun.merge(columns[c], column: c, outputs, parts: partCount) }
        }
        return line - startLine
    }

    private static func merge(_ column: CSVColumnAccumulator, column c: Int, _ outputs: [CSVPartOutput], parts: Int) {
        for k in 0..<parts { column.append(outputs[k], column: c) }
    }
}
