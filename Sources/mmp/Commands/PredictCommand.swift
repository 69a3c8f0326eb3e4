import ArgumentParser
import Foundation
import MMPArtifacts
import MMPCore
import MMPLearn
import MMPPipeline

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Apply a model bundle to a CSV file.",
        discussion: """
        Verifies the bundle's checksum and format, runs its fitted preprocessing and model, and writes a CSV \
        with the entity columns, `prediction`, and for classifiers one `probability_<class>` column per class.
        """
    )

    @Option(help: "Model bundle: a path or a file:// URI (as printed by mmp train).")
    var model: String

    @Option(help: "CSV file with the columns the model was trained on.")
    var data: String

    @Option(help: "Where to write the predictions CSV ('-' for stdout).")
    var out: String = "-"

    func run() throws {
        let path = model.hasPrefix("file://") ? String(model.dropFirst(7)) : model
        guard let bytes = FileManager.default.contents(atPath: path) else { throw MMPError.notFound("no model bundle at \(path)") }
        let bundle = try BundleCodec.decode([UInt8](bytes), source: path)
        guard let input = FileManager.default.contents(atPath: data) else { throw MMPError.notFound("no data file at \(data)") }
        let table = try CSVReader(source: data).read(bytes: [UInt8](input))
        let predictions = try PredictPipeline.predict(bundle, input: table)
        let csv = CSVWriter.write(predictions)
        if out == "-" {
            StandardStreams.writeOut(csv)
        } else {
            guard FileManager.default.createFile(atPath: out, contents: Data(csv.utf8)) else { throw MMPError.io("cannot write \(out)") }
            StandardStreams.writeError("wrote \(predictions.rowCount) predictions to \(out)\n")
        }
    }
}
