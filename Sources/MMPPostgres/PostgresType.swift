/// What a result column holds, decided once from its type OID so decoding a cell is a switch
/// on a small enum rather than a lookup.
public enum PostgresValueKind: String, Sendable {
    /// int2, int4, int8, oid, float4, float8, numeric.
    case number
    case boolean
    /// date: midnight UTC of that day.
    case date
    /// timestamp (read as UTC) and timestamptz.
    case timestamp
    /// text, varchar, char(n), name, json, uuid, enums and anything else, as its text.
    case text
}

/// A column of a query result.
public struct PostgresColumn: Sendable, Equatable {
    public var name: String
    public var typeOID: UInt32
    public var kind: PostgresValueKind

    public init(name: String, typeOID: UInt32) {
        self.name = name
        self.typeOID = typeOID
        self.kind = PostgresType.kind(of: typeOID)
    }
}

/// The built-in type OIDs mmp decodes (from `pg_type.dat`; they are fixed across versions).
public enum PostgresType {
    public static let bool: UInt32 = 16
    public static let bytea: UInt32 = 17
    public static let char: UInt32 = 18
    public static let name: UInt32 = 19
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let oid: UInt32 = 26
    public static let json: UInt32 = 114
    public static let xml: UInt32 = 142
    public static let float4: UInt32 = 700
    public static let float8: UInt32 = 701
    public static let bpchar: UInt32 = 1042
    public static let varchar: UInt32 = 1043
    public static let date: UInt32 = 1082
    public static let timestamp: UInt32 = 1114
    public static let timestamptz: UInt32 = 1184
    public static let numeric: UInt32 = 1700
    public static let uuid: UInt32 = 2950

    static func kind(of type: UInt32) -> PostgresValueKind {
        switch type {
        case int2, int4, int8, oid, float4, float8, numeric: return .number
        case bool: return .boolean
        case date: return .date
        case timestamp, timestamptz: return .timestamp
        default: return .text
        }
    }

    /// Types whose binary form mmp decodes. A result with any other column type is fetched in
    /// text format instead, so an enum, interval or array still loads (as its text).
    static func hasBinaryDecoder(_ type: UInt32) -> Bool {
        switch type {
        case bool, char, name, int8, int2, int4, text, oid, json, xml, float4, float8, bpchar, varchar, date, timestamp,
             timestamptz, numeric, uuid:
            return true
        default:
            return false
        }
    }
}
