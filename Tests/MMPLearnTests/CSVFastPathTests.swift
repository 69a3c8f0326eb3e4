#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import Testing
@testable import MMPLearn

/// The fast reader's own properties: exact numbers, parallel blocks that give the same table as
/// one sequential pass, per-column fallback when the sample lied, errors by line in any block.
@Suite struct CSVFastPathTests {
    // MARK: numbers

    func fast(_ text: String) -> Double? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { CSVNumber.parseField(UnsafePointer($0.baseAddress!), count: $0.count) }
    }

    func sameBits(_ a: Double?, _ b: Double?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return a.bitPattern == b.bitPattern
    }

    @Test func powerTableMatchesKnownEntries() {
        let t = CSVPowersOfFive.table
        let zero = 0 - CSVPowersOfFive.smallest
        #expect(t.high[zero] == 0x8000_0000_0000_0000 && t.low[zero] == 0)
        #expect(t.high[zero - 1] == 0xCCCC_CCCC_CCCC_CCCC && t.low[zero - 1] == 0xCCCC_CCCC_CCCC_CCCD)
        // 5^1 = 101b → 1010 0000...
        #expect(t.high[zero + 1] == 0xA000_0000_0000_0000 && t.low[zero + 1] == 0)
    }

    @Test func hardCasesAreCorrectlyRounded() {
        let cases = ["9007199254740993", "9007199254740992", "2.2250738585072011e-308", "2.2250738585072014e-308",
                     "1e23", "8.98846567431158e307", "1.7976931348623157e308", "1.7976931348623159e308", "4.9e-324",
                     "2.4703282292062327e-324", "1e-400", "1e400", "0.1", "0.3", "123456789012345678901234567890",
                     "7.038531e-26", "9.999999999999999e22", "1.0000000000000002", "-0.0", "+5", "5.", ".5", "-.5",
                     "3.14159265358979323846264338327950288", "1e-45", "4503599627370496.5", "4503599627370497.5",
                     "0.000000000000000000000000000001234", "1.5e308", "2e-323"]
        for text in cases {
            let expected = text.withCString { strtod($0, nil) }
            #expect(sameBits(fast(text), expected), "\(text)")
        }
    }

    @Test func randomDecimalsMatchStrtodBitForBit() {
        var rng = SeededGenerator(seed: UInt64(14))
        var mismatches: [String] = []
        for k in 0..<150_000 {
            let digits = 1 + Int(rng.next() % 20)
            var mantissa = ""
            for d in 0..<digits { mantissa.append(Character(String(d == 0 ? 1 + rng.next() % 9 : rng.next() % 10))) }
            let point = Int(rng.next() % UInt64(digits + 1))
            var text = String(mantissa.prefix(point)) + "." + String(mantissa.dropFirst(point))
            if text.hasPrefix(".") && k % 2 == 0 { text = "0" + text }
            if k % 3 == 0 {
                let exponent = Int(rng.next() % 660) - 340
                text += (k % 2 == 0 ? "e" : "E") + String(exponent)
            }
            if k % 5 == 0 { text = "-" + text }
            let expected = text.withCString { strtod($0, nil) }
            if !sameBits(fast(text), expected) { mismatches.append(text) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test func randomDoublesRoundTripThroughTheirShortestText() {
        var rng = SeededGenerator(seed: UInt64(7))
        var mismatches: [String] = []
        for _ in 0..<100_000 {
            let value = Double(bitPattern: rng.next())
            guard value.isFinite else { continue }
            let text = "\(value)"
            if !sameBits(fast(text), value) { mismatches.append(text) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test(arguments: ["1e", "1e+", "--1", "1.2.3", "0x10", "inf", "nan", "1,5", "", " ", "+", "-", ".", "e5", "1 2"])
    func notNumbers(_ text: String) {
        #expect(fast(text) == nil)
    }

    @Test func whitespaceAroundNumbers() {
        #expect(fast(" 12 ") == 12)
        #expect(fast("\t-3.5\t") == -3.5)
        #expect(fast("\u{A0}7") == 7)  // trimmed as Unicode whitespace, as before
    }

    // MARK: blocks and parts

    /// A CSV with every kind of column, quotes holding commas and line breaks, missing markers,
    /// blank lines and CRLF endings.
    func mixedCSV(rows: Int, seed: UInt64) -> String {
        var rng = SeededGenerator(seed: seed)
        var out = "id,x,y,city,note,when,flag\r\n"
        let cities = ["Paris", "Rio de Janeiro", "\"Quoted\" town", "Sal, the city", "Åre", "NA"]
        for r in 0..<rows {
            let x = Double(Int64(bitPattern: rng.next()) % 1_000_000) / 997
            let y = rng.next() % 7 == 0 ? "" : "\(Double(bitPattern: 0x3FF0_0000_0000_0000 | (rng.next() >> 12)) - 1)"
            var city = cities[Int(rng.next() % UInt64(cities.count))]
            if city.contains("\"") || city.contains(",") { city = "\"" + city.replacing("\"", with: "\"\"") + "\"" }
            let note = rng.next() % 11 == 0 ? "\"line one\nline two, \"\"quoted\"\"\"" : "n\(rng.next() % 50)"
            let when = rng.next() % 13 == 0 ? "null" : "2024-0\(1 + rng.next() % 9)-1\(rng.next() % 10)T0\(rng.next() % 10):30:00Z"
            out += "\(r),\(x),\(y),\(city),\(note),\(when),\(rng.next() % 2 == 0 ? "true" : "false")\r\n"
            if r % 997 == 0 { out += "\r\n" }
        }
        return out
    }

    func expectSame(_ a: Table, _ b: Table, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.columnNames == b.columnNames, sourceLocation: sourceLocation)
        #expect(a.rowCount == b.rowCount, sourceLocation: sourceLocation)
        for (x, y) in zip(a.columns, b.columns) {
            #expect(x.kind == y.kind, "\(x.name)", sourceLocation: sourceLocation)
            switch (x.values, y.values) {
            case (.categorical(let c1, let l1), .categorical(let c2, let l2)):
                #expect(c1 == c2 && l1 == l2, "\(x.name)", sourceLocation: sourceLocation)
            default:
                let same = zip(x.doubles ?? [], y.doubles ?? []).allSatisfy { $0.bitPattern == $1.bitPattern }
                #expect(same, "\(x.name)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func smallBlocksOnTwoThreadsGiveTheSequentialTable() throws {
        let text = mixedCSV(rows: 8_000, seed: 3)
        var sequential = CSVReader(source: "m.csv", threads: 1)
        sequential.blockSize = 1 << 30
        sequential.sampleRows = .max
        sequential.sampleBytes = .max
        let reference = try sequential.read(text)
        #expect(reference.rowCount == 8_000)
        #expect(reference.column("x")?.kind == .numeric)
        #expect(reference.column("when")?.kind == .timestamp)
        #expect(reference.column("note")?.text(at: 0) != nil)
        for (block, threads) in [(4096, 2), (65_536, 2), (100_000, 1), (1 << 20, 2)] {
            var reader = CSVReader(source: "m.csv", threads: threads)
            reader.blockSize = block
            reader.sampleRows = 50
            expectSame(try reader.read(text), reference)
        }
    }

    @Test func aColumnWhoseSampleLiedIsReadAgainAsItsRealType() throws {
        var text = "n,late_text,late_dates,padded\n"
        for r in 0..<3_000 { text += "\(r),\(r),,\(r).50\n" }
        text += "1,oops,2024-05-01,007\n2,1.50,2024-05-02 10:00:00,x\n"
        var reader = CSVReader(source: "s.csv", threads: 2)
        reader.blockSize = 4096
        reader.sampleRows = 100
        let t = try reader.read(text)
        #expect(t.column("n")?.kind == .numeric)
        // The text is exactly the file's, not a number printed back.
        #expect(t.column("late_text")?.kind == .categorical)
        #expect(t.column("late_text")?.text(at: 3_001) == "1.50")
        #expect(t.column("late_text")?.text(at: 3_000) == "oops")
        #expect(t.column("late_dates")?.kind == .timestamp)
        #expect(t.column("late_dates")?.doubles?[3_000] == Timestamp.parse("2024-05-01"))
        #expect(t.column("late_dates")?.isMissing(5) == true)
        #expect(t.column("padded")?.kind == .categorical)
        #expect(t.column("padded")?.text(at: 3_000) == "007")
        #expect(t.column("padded")?.text(at: 0) == "0.50")
    }

    @Test func errorsNameTheirLineInAnyBlock() throws {
        var text = "a,b\n"
        for r in 0..<10_000 { text += "\(r),\(r * 2)\n" }
        var reader = CSVReader(source: "e.csv", threads: 2)
        reader.blockSize = 2048
        let ragged = text + "1,2,3\n"
        let error = #expect(throws: MMPError.self) { try reader.read(ragged) }
        #expect(error?.message == "e.csv: line 10002: expected 2 fields as in the header, found 3")
        let quoted = text.replacing("5000,10000\n", with: "5000,\"10\n000\"\n") + "7,\"open\n8,9\n"
        let later = #expect(throws: MMPError.self) { try reader.read(quoted) }
        #expect(later?.message.contains("e.csv: line 10003: a quoted field is never closed") == true)
    }

    @Test func aForcedNumericColumnHoldingTextIsAnErrorWithItsLine() {
        var text = "id,v\n"
        for r in 0..<50 { text += "\(r),1\n" }
        text += "x7,2\n"
        let error = #expect(throws: MMPError.self) { try CSVReader(source: "f.csv", forcedKinds: ["id": .numeric]).read(text) }
        #expect(error?.message.contains("f.csv: line 52: column 'id' must be numeric but holds text") == true)
    }

    @Test func categoricalLevelsKeepFirstSeenOrderAcrossParts() throws {
        var text = "c\n"
        for r in 0..<40_000 { text += "v\((r * 7919) % 101)\n" }
        var reader = CSVReader(source: "c.csv", threads: 2)
        reader.blockSize = 4096
        guard case .categorical(_, let levels)? = try reader.read(text).column("c")?.values else {
            Issue.record("c is not categorical")
            return
        }
        var seen = Set<String>(), order: [String] = []
        for r in 0..<40_000 where seen.insert("v\((r * 7919) % 101)").inserted { order.append("v\((r * 7919) % 101)") }
        #expect(levels == order)
    }
}
