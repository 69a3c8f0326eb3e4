/// The parts of Parquet's footer (`FileMetaData`, parquet.thrift) the reader uses.
struct ParquetFileMetadata {
    var schema: [ParquetSchemaElement]
    var rowCount: Int
    var rowGroups: [ParquetRowGroup]
    var createdBy: String?
}

enum ParquetPhysicalType: Int32 {
    case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7

    var name: String {
        switch self {
        case .boolean: "BOOLEAN"
        case .int32: "INT32"
        case .int64: "INT64"
        case .int96: "INT96"
        case .float: "FLOAT"
        case .double: "DOUBLE"
        case .byteArray: "BYTE_ARRAY"
        case .fixedLenByteArray: "FIXED_LEN_BYTE_ARRAY"
        }
    }
}

/// The logical type of a column, from `logicalType` or the older `converted_type`.
enum ParquetLogicalType: Equatable {
    case none
    case string
    case date
    /// Unit: 1000 (millis), 1_000_000 (micros) or 1_000_000_000 (nanos) per second.
    case timestamp(unitsPerSecond: Int64)
    case time(unitsPerSecond: Int64)
    case integer(bits: Int, signed: Bool)
    case decimal(scale: Int)
    /// Anything else (JSON, UUID, ENUM, ...) is read as its physical type says; `name` for errors.
    case other(String)
}

struct ParquetSchemaElement {
    var name = ""
    var type: ParquetPhysicalType?
    var typeLength: Int?
    /// 0 required, 1 optional, 2 repeated.
    var repetition: Int32?
    var childCount = 0
    var convertedType: Int32?
    var scale = 0
    var logical: ParquetLogicalType = .none
}

struct ParquetRowGroup {
    var rowCount: Int
    var columns: [ParquetColumnChunk]
}

struct ParquetColumnChunk {
    var type: ParquetPhysicalType?
    var path: [String]
    var codec: Int32
    var valueCount: Int
    var compressedSize: Int
    var dataPageOffset: Int
    var dictionaryPageOffset: Int?

    /// Where the chunk's pages start: the dictionary page when there is one.
    var start: Int {
        if let d = dictionaryPageOffset, d > 0, d < dataPageOffset { return d }
        return dataPageOffset
    }
}

struct ParquetPageHeader {
    enum Kind: Int32 { case data = 0, index = 1, dictionary = 2, dataV2 = 3 }
    var kind: Int32 = -1
    var uncompressedSize = 0
    var compressedSize = 0
    var valueCount = 0
    var encoding: Int32 = 0
    var definitionEncoding: Int32 = 3
    // Data page v2.
    var nullCount = 0
    var definitionLevelsLength = 0
    var repetitionLevelsLength = 0
    var isCompressed = true
}
