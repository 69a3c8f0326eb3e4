import MMPCore
import Testing
@testable import MMPConfig

@Suite struct RecipeDecoderTests {
    static let valid = """
    name: churn
    task_choice: classification
    model:
      class_path: sklearn.linear_model.LogisticRegression
      hyperparameters:
        tuning_enabled: false
        values: {C: 0.5}
    data:
      loader: {source_uri: data/customers.csv}
      fetcher: {type: pass_through}
      data_interface:
        target_column: churned
        entity_columns: [customer_id]
      split: {train: 0.7, validation: 0.1, test: 0.2}
    preprocessor:
      steps:
        - {type: simple_imputer, strategy: median, columns: [total_charges]}
        - type: standard_scaler
    evaluation:
      metrics: [accuracy, ROC_AUC]
      random_state: 7
    metadata: {description: test}
    """

    func decode(_ text: String) throws -> Recipe {
        try RecipeDecoder.decode(try YAMLDocument(path: "recipes/test.yaml", text: text))
    }

    func problems(_ text: String) -> [String] {
        do {
            _ = try decode(text)
            return []
        } catch let error as MMPError {
            return error.message.split(separator: "\n").map(String.init)
        } catch {
            return ["\(error)"]
        }
    }

    @Test func decodesEveryField() throws {
        let r = try decode(Self.valid)
        #expect(r.name == "churn")
        #expect(r.task == .classification)
        #expect(r.model.hyperparameters.values["C"] == .double(0.5))
        #expect(r.data.dataInterface.entityColumns == ["customer_id"])
        #expect(r.data.split.validation == 0.1)
        #expect(r.preprocessor.count == 2)
        #expect(r.preprocessor[0].options["strategy"] == .string("median"))
        #expect(r.preprocessor[1].columns == nil)
        #expect(r.evaluation.metrics == ["accuracy", "roc_auc"])
        #expect(r.evaluation.randomState == 7)
    }

    @Test func typoInFieldNameNamesFileLineFieldAndFix() {
        let text = Self.valid.replacing("values: {C: 0.5}", with: "valuse: {C: 0.5}")
        let found = problems(text)
        #expect(found.contains { $0.contains("recipes/test.yaml:7") && $0.contains("model.hyperparameters.valuse") && $0.contains("did you mean 'values'") })
    }

    @Test func wrongTypeSaysWhatWasExpectedAndFound() {
        let text = Self.valid.replacing("train: 0.7", with: "train: lots")
        let found = problems(text)
        #expect(found.contains { $0.contains("data.split.train") && $0.contains("expected a number") && $0.contains("lots") })
    }

    @Test func everyProblemIsListedNotJustTheFirst() {
        var text = Self.valid.replacing("task_choice: classification", with: "task_choice: clasification")
        text = text.replacing("target_column: churned", with: "taget_column: churned")
        text = text.replacing("train: 0.7", with: "train: 0.9")
        let found = problems(text)
        #expect(found.contains { $0.contains("task_choice") && $0.contains("did you mean 'classification'") })
        #expect(found.contains { $0.contains("data.data_interface.taget_column") && $0.contains("did you mean 'target_column'") })
        #expect(found.contains { $0.contains("data.split") && $0.contains("add up to 1") })
        #expect(found.first?.contains("problems") == true)
    }

    @Test func tuningRules() {
        let tuning = Self.valid
            .replacing("tuning_enabled: false", with: "tuning_enabled: true")
            .replacing("values: {C: 0.5}", with: "tunable: {C: {type: float, range: [0.0, 10], log: true}, solver: {type: categorical}}")
        let found = problems(tuning)
        #expect(found.contains { $0.contains("tunable.C.range") && $0.contains("log-scale") })
        #expect(found.contains { $0.contains("tunable.solver.choices") })
        // Tuning scores on the validation split, so it cannot be empty.
        let noValidation = tuning.replacing("split: {train: 0.7, validation: 0.1, test: 0.2}", with: "split: {train: 0.8, test: 0.2}")
        #expect(problems(noValidation).contains { $0.contains("data.split.validation") })
    }

    @Test func missingSectionsAreRequired() {
        let found = problems("name: x\ntask_choice: regression\n")
        #expect(found.contains { $0.contains("model") && $0.contains("required") })
        #expect(found.contains { $0.contains("data") && $0.contains("required") })
    }

    @Test func notYAMLAtAllIsAClearError() {
        let found = problems("name: [unclosed\n  task: : :\n")
        #expect(found.first?.contains("not valid YAML") == true)
    }

    @Test func paramOverridesSetFieldsAndLoaderParameters() throws {
        let doc = try YAMLDocument(path: "recipes/test.yaml", text: Self.valid)
        let r = try RecipeLoader.decode(doc, overrides: [("model.hyperparameters.values.C", "2.5"), ("start_date", "2024-01-01")])
        #expect(r.model.hyperparameters.values["C"] == .double(2.5))
        #expect(r.data.loader.parameters["start_date"] == .string("2024-01-01"))
        #expect(r.snapshot.value(atPath: "model.hyperparameters.values.C") == .double(2.5))
        #expect(throws: MMPError.self) { try RecipeLoader.parseParams(["novalue"]) }
    }
}
