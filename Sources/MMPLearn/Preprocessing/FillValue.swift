import MMPCore

/// What a missing cell becomes: a number in a numeric column, a category in a text column.
enum FillValue: Sendable, Equatable, BinaryCodable {
    case number(Double)
    case text(String)

    /// From a recipe value: numbers stay numbers, text and booleans become text.
    init?(_ json: JSON) {
        if let d = json.doubleValue { self = .number(d) }
        else if let s = json.stringValue { self = .text(s) }
        else if let b = json.boolValue { self = .text(b ? "true" : "false") }
        else { return nil }
    }

    var description: String {
        switch self {
        case .number(let d): return JSON.format(d)
        case .text(let s): return "'\(s)'"
        }
    }

    /// `column` with its missing cells set to this value; an error when the kinds differ.
    func fill(_ column: Column, step: String) throws -> Column {
        switch (column.values, self) {
        case (.numeric(var v), .number(let d)):
            for i in v.indices where v[i].isNaN { v[i] = d }
            return .numeric(column.name, v)
        case (.timestamp(var v), .number(let d)):
            for i in v.indices where v[i].isNaN { v[i] = d }
            return .timestamp(column.name, v)
        case (.categorical(var codes, var levels), .text(let s)):
            guard codes.contains(-1) else { return column }
            let code: Int32
            if let existing = levels.firstIndex(of: s) { code = Int32(existing) } else { code = Int32(levels.count); levels.append(s) }
            for i in codes.indices where codes[i] < 0 { codes[i] = code }
            return Column(name: column.name, values: .categorical(codes: codes, levels: levels))
        case (.categorical, .number(let d)):
            return try FillValue.text(JSON.format(d)).fill(column, step: step)
        case (_, .text(let s)):
            throw MMPError(.invalidRecipe, "\(step): column '\(column.name)' is \(column.kind.rawValue) and cannot be filled with the text '\(s)'; give a number as fill_value")
        }
    }

    func encode(to writer: inout ByteWriter) {
        switch self {
        case .number(let d): writer.write(UInt8(0)); writer.write(d)
        case .text(let s): writer.write(UInt8(1)); writer.write(s)
        }
    }

    init(from reader: inout ByteReader) throws {
        switch try reader.readUInt8() {
        case 0: self = .number(try reader.readDouble())
        case 1: self = .text(try reader.readString())
        case let tag: throw MMPError.corrupt("unknown fill value tag \(tag)")
        }
    }
}
