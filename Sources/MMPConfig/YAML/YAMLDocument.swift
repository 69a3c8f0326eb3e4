import Foundation
import MMPCore
import Yams

/// A YAML file read into `JSON`, with the line of every field so errors can point at it.
public struct YAMLDocument: Sendable {
    public let path: String
    public let text: String
    public let root: JSON
    /// Dotted field path (`model.hyperparameters.values.C`, list items as `steps[2]`) → 1-based line.
    public let lines: [String: Int]

    public init(path: String, text: String) throws {
        self.path = path
        self.text = text
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw MMPError(.invalidInput, "\(path): not valid YAML: \(YAMLDocument.describe(error))")
        } catch {
            throw MMPError(.invalidInput, "\(path): not valid YAML: \(error)")
        }
        var lines: [String: Int] = [:]
        root = try node.map { try YAMLDocument.convert($0, path: "", file: path, lines: &lines) } ?? .null
        self.lines = lines
    }

    public static func load(path: String) throws -> YAMLDocument {
        guard FileManager.default.fileExists(atPath: path) else { throw MMPError.notFound("\(path): no such file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw MMPError.io("\(path): cannot be read") }
        guard let text = String(data: data, encoding: .utf8) else { throw MMPError(.invalidInput, "\(path): not UTF-8 text") }
        return try YAMLDocument(path: path, text: text)
    }

    /// "file:line" for a field, or just the file when the line is unknown.
    public func location(of fieldPath: String) -> String {
        if let line = lines[fieldPath] { return "\(path):\(line)" }
        // Fall back to the closest enclosing field that has a line.
        var parts = fieldPath.split(separator: ".").map(String.init)
        while !parts.isEmpty {
            parts.removeLast()
            if let line = lines[parts.joined(separator: ".")] { return "\(path):\(line)" }
        }
        return path
    }

    private static func convert(_ node: Node, path: String, file: String, lines: inout [String: Int]) throws -> JSON {
        if let mark = node.mark, !path.isEmpty { lines[path] = mark.line }
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return .null
            case .bool: return node.bool.map(JSON.bool) ?? .string(scalar.string)
            case .int: return node.int.map(JSON.int) ?? .string(scalar.string)
            case .float: return node.float.map(JSON.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, value) in mapping {
                guard let name = key.string else {
                    throw MMPError(.invalidInput, "\(file):\(key.mark?.line ?? 0): keys must be text")
                }
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                if let mark = key.mark { lines[childPath] = mark.line }
                if object[name] != nil {
                    throw MMPError(.invalidInput, "\(file):\(key.mark?.line ?? 0): '\(childPath)' appears twice")
                }
                var valueLines = lines
                object[name] = try convert(value, path: childPath, file: file, lines: &valueLines)
                // Keep the key's line for the field itself; children keep their own lines.
                for (k, v) in valueLines where k != childPath { lines[k] = v }
            }
            return .object(object)
        case .sequence(let sequence):
            var items: [JSON] = []
            for (i, item) in sequence.enumerated() {
                items.append(try convert(item, path: "\(path)[\(i)]", file: file, lines: &lines))
            }
            return .array(items)
        case .alias:
            throw MMPError(.invalidInput, "\(file): YAML aliases are not supported; write the value out")
        }
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let where_ = "line \(mark.line), column \(mark.column)"
            if let context { return "\(problem) \(context.text) (\(where_))" }
            return "\(problem) (\(where_))"
        default:
            return "\(error)"
        }
    }
}
