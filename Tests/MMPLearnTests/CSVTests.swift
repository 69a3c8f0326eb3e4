import MMPCore
import Testing
@testable import MMPLearn

@Suite struct CSVTests {
    func read(_ text: String) throws -> Table { try CSVReader(source: "t.csv").read(text) }

    @Test func infersNumericTimestampAndCategoricalColumns() throws {
        let t = try read("""
        id,amount,when,city,flag
        1,2.5,2024-01-02,Paris,true
        2,-3e2,2024-01-03T10:00:00Z,"Rio de Janeiro",false
        3,,2024-01-04 08:30:00,NA,true
        """)
        #expect(t.rowCount == 3)
        #expect(t.column("id")?.kind == .numeric)
        #expect(t.column("amount")?.doubles?[1] == -300)
        #expect(t.column("amount")?.doubles?[2].isNaN == true)
        #expect(t.column("when")?.kind == .timestamp)
        #expect(t.column("when")?.doubles?[0] == Timestamp.parse("2024-01-02"))
        #expect(t.column("city")?.kind == .categorical)
        #expect(t.column("city")?.text(at: 1) == "Rio de Janeiro")
        #expect(t.column("city")?.isMissing(2) == true)
        #expect(t.column("flag")?.kind == .categorical)
    }

    @Test(arguments: ["", "NA", "N/A", "NaN", "nan", "null", "NULL"])
    func missingMarkers(_ marker: String) throws {
        let t = try read("x,y\n1,a\n\(marker),b\n")
        #expect(t.column("x")?.kind == .numeric)
        #expect(t.column("x")?.isMissing(1) == true)
    }

    @Test func quotingFollowsRFC4180() throws {
        let t = try read("a,b\r\n\"x, with comma\",\"line one\nline two\"\r\n\"she said \"\"hi\"\"\",plain\r\n")
        #expect(t.rowCount == 2)
        #expect(t.column("a")?.text(at: 0) == "x, with comma")
        #expect(t.column("b")?.text(at: 0) == "line one\nline two")
        #expect(t.column("a")?.text(at: 1) == "she said \"hi\"")
    }

    @Test func byteOrderMarkAndBlankLinesAndNoFinalNewline() throws {
        let t = try CSVReader().read(bytes: [0xEF, 0xBB, 0xBF] + Array("a,b\n1,2\n\n3,4".utf8))
        #expect(t.columnNames == ["a", "b"])
        #expect(t.column("b")?.doubles == [2, 4])
    }

    @Test func raggedRowNamesItsLine() throws {
        let error = #expect(throws: MMPError.self) { try read("a,b\n1,2\n3\n4,5\n") }
        #expect(error?.message.contains("t.csv: line 3") == true)
        #expect(error?.message.contains("expected 2 fields") == true)
    }

    @Test func brokenQuotesNameTheirLine() throws {
        let unclosed = #expect(throws: MMPError.self) { try read("a,b\n1,2\n\"open,3\n4,5\n") }
        #expect(unclosed?.message.contains("line 3") == true)
        #expect(unclosed?.message.contains("never closed") == true)
        let stray = #expect(throws: MMPError.self) { try read("a,b\n1,x\"y\n") }
        #expect(stray?.message.contains("line 2") == true)
        let after = #expect(throws: MMPError.self) { try read("a,b\n\"q\"x,1\n") }
        #expect(after?.message.contains("after a closing quote") == true)
    }

    @Test func duplicateHeaderAndEmptyFileAreErrors() {
        #expect(throws: MMPError.self) { try read("a,a\n1,2\n") }
        #expect(throws: MMPError.self) { try read("") }
    }

    @Test func numbersThatAreNotCSVNumbersStayText() throws {
        let t = try read("code\n0x1A\ninf\n12\n")
        #expect(t.column("code")?.kind == .categorical)
    }

    @Test func writerRoundTripsThroughTheReader() throws {
        let original = try Table(columns: [
            .numeric("n", [1, 2.5, .nan]),
            .categorical("s", ["plain", "with, comma", nil]),
            .categorical("q", ["say \"x\"", " padded ", "multi\nline"]),
        ])
        let text = CSVWriter.write(original)
        let back = try read(text)
        #expect(back.column("n")?.doubles?[0...1] == [1, 2.5])
        #expect(back.column("n")?.isMissing(2) == true)
        for name in ["s", "q"] {
            for row in 0..<3 { #expect(back.column(name)?.text(at: row) == original.column(name)?.text(at: row)) }
        }
    }
}
