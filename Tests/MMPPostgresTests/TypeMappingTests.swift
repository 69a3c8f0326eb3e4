import Foundation
import MMPAdapters
import MMPCore
import MMPLearn
import MMPPostgres
import MMPTestSupport
import Testing

@Suite("PostgreSQL types to table columns")
struct TypeMappingTests {
    static let fixture = """
        CREATE TABLE %s.typed (
            id int4, small int2, big int8, real4 float4, real8 float8, amount numeric(12, 4), huge numeric,
            label text, code varchar(10), padded char(4), flag bool, day date, at timestamp, at_tz timestamptz, uid uuid);
        INSERT INTO %s.typed VALUES
          (1, -7, 9007199254740993, 1.5, -0.1, 1234.5678, 12345678901234567890.5, 'alpha', 'A1', 'ab', true,
           '2024-02-29', '2024-03-01 12:34:56.789012', '2024-03-01 12:34:56.5+02', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
          (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
          (3, 32767, -1, 'NaN', 'Infinity', -0.0001, 0, 'alpha', 'é✓', 'x', false,
           '1969-12-31', '1900-01-01 00:00:00', 'infinity', '00000000-0000-0000-0000-000000000000');
        """

    @Test("every supported type maps to the right column kind and value; NULL is missing")
    func binaryMapping() throws {
        try TestDatabase.withSchema { connection, schema in
            try connection.executeScript(TypeMappingTests.fixture.replacing("%s", with: schema))
            let table = try PostgresLoader(options: try TestDatabase.options())
                .load(LoadRequest(sourceURI: "typed.sql", sqlText: "SELECT * FROM \(schema).typed ORDER BY id"))
            try check(table)
        }
    }

    @Test("a result with a type lacking a binary decoder is fetched as text and maps the same way")
    func textMapping() throws {
        try TestDatabase.withSchema { connection, schema in
            try connection.executeScript(TypeMappingTests.fixture.replacing("%s", with: schema))
            let table = try PostgresLoader(options: try TestDatabase.options()).load(LoadRequest(
                sourceURI: "typed.sql", sqlText: "SELECT *, interval '1 day' * id AS span, '{\"k\": 1}'::jsonb AS doc FROM \(schema).typed ORDER BY id"))
            try check(table)
            #expect(table.column("span")?.kind == .categorical)
            #expect(table.column("span")?.text(at: 2) == "3 days")
            #expect(table.column("doc")?.text(at: 0) == "{\"k\": 1}")
        }
    }

    func check(_ table: Table) throws {
        #expect(table.rowCount == 3)
        func numbers(_ name: String) throws -> [Double] {
            let c = try #require(table.column(name))
            #expect(c.kind == .numeric, "\(name) should be numeric")
            return c.doubles ?? []
        }
        func times(_ name: String) throws -> [Double] {
            let c = try #require(table.column(name))
            #expect(c.kind == .timestamp, "\(name) should be a timestamp")
            return c.doubles ?? []
        }
        func texts(_ name: String) throws -> [String?] {
            let c = try #require(table.column(name))
            #expect(c.kind == .categorical, "\(name) should be categorical")
            return (0..<c.count).map { c.isMissing($0) ? nil : c.text(at: $0) }
        }
        #expect(try numbers("id") == [1, 2, 3])
        let small = try numbers("small")
        #expect(small[0] == -7 && small[1].isNaN && small[2] == 32767)
        let big = try numbers("big")
        #expect(big[0] == 9007199254740992 && big[1].isNaN && big[2] == -1)
        let real4 = try numbers("real4")
        #expect(real4[0] == 1.5 && real4[1].isNaN && real4[2].isNaN)
        let real8 = try numbers("real8")
        #expect(real8[0] == -0.1 && real8[1].isNaN && real8[2] == .infinity)
        let amount = try numbers("amount")
        #expect(amount[0] == 1234.5678 && amount[1].isNaN && amount[2] == -0.0001)
        let huge = try numbers("huge")
        #expect(huge[0] == 12345678901234567890.5 && huge[2] == 0)
        #expect(try texts("label") == ["alpha", nil, "alpha"])
        #expect(try texts("code") == ["A1", nil, "é✓"])
        #expect(try texts("padded") == ["ab  ", nil, "x   "])
        let flag = try numbers("flag")
        #expect(flag[0] == 1 && flag[1].isNaN && flag[2] == 0)
        let day = try times("day")
        #expect(day[0] == Timestamp.parse("2024-02-29")! && day[1].isNaN && day[2] == -86400)
        let at = try times("at")
        #expect(abs(at[0] - (Timestamp.parse("2024-03-01T12:34:56Z")! + 0.789012)) < 1e-6)
        #expect(at[1].isNaN)
        #expect(at[2] == Timestamp.parse("1900-01-01")!)
        let atTZ = try times("at_tz")
        #expect(atTZ[0] == Timestamp.parse("2024-03-01T10:34:56.5Z")!)
        #expect(atTZ[1].isNaN && atTZ[2].isNaN)  // infinity is missing
        #expect(try texts("uid") == ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", nil, "00000000-0000-0000-0000-000000000000"])
    }

    @Test("an empty result still has its columns, typed")
    func emptyResult() throws {
        let table = try PostgresLoader(options: try TestDatabase.options()).load(LoadRequest(
            sourceURI: "e.sql", sqlText: "SELECT 1::int AS a, 'x'::text AS b, now() AS c WHERE false"))
        #expect(table.rowCount == 0)
        #expect(table.columnNames == ["a", "b", "c"])
        #expect(table.columns.map(\.kind) == [.numeric, .categorical, .timestamp])
    }

    @Test("two result columns with the same name are refused with a hint")
    func duplicateColumns() throws {
        let error = try #require(caught {
            _ = try PostgresLoader(options: try TestDatabase.options()).load(LoadRequest(sourceURI: "d.sql", sqlText: "SELECT 1 AS id, 2 AS id"))
        })
        #expect(error.message.contains("two columns named 'id'"))
    }
}
