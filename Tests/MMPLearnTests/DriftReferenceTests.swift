import MMPCore
import Testing
@testable import MMPLearn

/// The drift baseline and report against numpy/scipy (scripts/reference/drift_reference.py,
/// fixture drift_customers.json): the same bins, shares, PSI, Jensen–Shannon divergence and
/// missing rates on the training rows of recipes/churn_logistic.yaml, then on data/customers.csv
/// as it is and on a shifted copy.
@Suite struct DriftReferenceTests {
    static let features = ["tenure_months", "monthly_charges", "total_charges", "contract_type", "payment_method",
                           "num_support_tickets", "plan_tier"]

    /// The training rows as `mmp train` splits them (stratified by churned, seed 42).
    static func trainingRows(_ table: Table) throws -> Table {
        let labels = try LabelEncoding(fitting: try table.require("churned"))
        let strata = labels.encode(try table.require("churned")).map { Int($0) }
        let split = Splitter.random(rowCount: table.rowCount, fractions: SplitFractions(train: 0.7, validation: 0.1, test: 0.2),
                                    strata: strata, seed: 42)
        return table.selecting(rows: split.train)
    }

    /// The same drifted copy as the reference script's `shifted()`.
    static func shifted(_ table: Table) throws -> Table {
        var out = table
        let tenure = try table.require("tenure_months").doubles!
        try out.set(.numeric("tenure_months", tenure.map { $0 + 24 }))
        let charges = try table.require("monthly_charges").doubles!
        try out.set(.numeric("monthly_charges", charges.map { $0 * 1.2 }))
        var total = try table.require("total_charges").doubles!
        for i in stride(from: 0, to: total.count, by: 5) { total[i] = .nan }
        try out.set(.numeric("total_charges", total))
        let contract = try table.require("contract_type")
        try out.set(.categorical("contract_type", (0..<table.rowCount).map { i in
            i % 2 == 0 ? "two-year" : (contract.isMissing(i) ? nil : contract.text(at: i))
        }))
        try out.set(.categorical("referral_code", [String?](repeating: "none", count: table.rowCount)))
        return out
    }

    static func close(_ a: Double?, _ b: Double, _ tolerance: Double) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance * max(1, abs(b))
    }

    @Test func baselineMatchesNumpy() throws {
        let fixture = try ReferenceFixture.load("drift_customers")
        let tolerance = try fixture.double("tolerance")
        let table = try ReferenceFixture.dataset("customers.csv")
        let train = try Self.trainingRows(table)
        #expect(train.rowCount == fixture["train_rows"]?.intValue)
        let baseline = try DriftBaseline.fit(table: train, features: Self.features, predictions: nil)
        for feature in baseline.features {
            let reference = try fixture.require("features").require(feature.name).require("baseline")
            #expect(Self.close(feature.missingRate, try reference.double("missing_rate"), tolerance), "\(feature.name) missing rate")
            switch feature.profile {
            case .numeric(let p):
                let edges = try reference.doubles("edges")
                #expect(p.edges.count == edges.count, "\(feature.name): edges \(p.edges) vs numpy \(edges)")
                for (a, b) in zip(p.edges, edges) { #expect(Self.close(a, b, tolerance), "\(feature.name) edge \(a) vs \(b)") }
                for (a, b) in zip(p.proportions, try reference.doubles("proportions")) { #expect(Self.close(a, b, tolerance), "\(feature.name) share") }
                #expect(Self.close(p.mean, try reference.double("mean"), tolerance))
                #expect(Self.close(p.std, try reference.double("std"), tolerance))
                let (low, high) = (try reference.double("min"), try reference.double("max"))
                #expect(p.min == low && p.max == high)
            case .categorical(let p):
                #expect(p.levels == reference["levels"]?.arrayValue?.compactMap(\.stringValue), "\(feature.name) levels")
                for (a, b) in zip(p.proportions, try reference.doubles("proportions")) { #expect(Self.close(a, b, tolerance), "\(feature.name) share") }
            }
        }
        // Stored and read back unchanged.
        #expect(try DriftBaseline(json: try JSON.parse(baseline.json.serialized())) == baseline)
    }

    @Test(arguments: ["unshifted", "shifted"])
    func reportMatchesNumpy(_ input: String) throws {
        let fixture = try ReferenceFixture.load("drift_customers")
        let tolerance = try fixture.double("tolerance")
        let table = try ReferenceFixture.dataset("customers.csv")
        let baseline = try DriftBaseline.fit(table: try Self.trainingRows(table), features: Self.features, predictions: nil)
        let scored = input == "shifted" ? try Self.shifted(table) : table
        let report = DriftReport(baseline: baseline, counts: DriftCounts.count(scored, predictions: nil, baseline: baseline))
        #expect(report.rows == table.rowCount)
        for feature in report.features {
            let reference = try fixture.require("features").require(feature.name).require(input)
            let psi = try reference.double("psi")
            #expect(Self.close(feature.psi, psi, tolerance), "\(feature.name) PSI \(feature.psi ?? .nan) vs numpy \(psi)")
            #expect(Self.close(feature.missingRate, try reference.double("missing_rate"), tolerance), "\(feature.name) missing rate")
            if feature.kind == "categorical" {
                #expect(Self.close(feature.jensenShannon, try reference.double("jensen_shannon"), 1e-7), "\(feature.name) JS \(feature.jensenShannon ?? .nan)")
            }
        }
        let byName = Dictionary(uniqueKeysWithValues: report.features.map { ($0.name, $0) })
        if input == "unshifted" {
            #expect(report.status == .ok, "\(report.json.prettySerialized())")
            #expect(report.newColumns.isEmpty && report.missingColumns.isEmpty)
        } else {
            #expect(report.status == .alert)
            #expect(byName["tenure_months"]?.psiStatus == .alert)
            #expect(byName["monthly_charges"]?.psiStatus == .alert)
            #expect(byName["contract_type"]?.psiStatus == .alert)
            #expect(byName["total_charges"]?.missingStatus == .alert && byName["total_charges"]?.psiStatus == .ok)
            #expect(byName["plan_tier"]?.status == .ok && byName["payment_method"]?.status == .ok)
            #expect(report.newColumns == ["referral_code"] && report.schemaStatus == .warning)
        }
    }

    /// Shards counted apart and merged give the counts of the whole, so a report over shards is
    /// the report over all rows.
    @Test func shardCountsAddUpToTheWhole() throws {
        let table = try ReferenceFixture.dataset("customers.csv")
        let predictions = Column.numeric("prediction", (0..<table.rowCount).map { Double($0 % 97) / 10 })
        let baseline = try DriftBaseline.fit(table: try Self.trainingRows(table), features: Self.features,
                                             predictions: predictions.selecting(Array(0..<600)))
        let whole = DriftCounts.count(table, predictions: predictions, baseline: baseline)
        var merged = DriftCounts()
        for start in stride(from: 0, to: table.rowCount, by: 700) {
            let rows = Array(start..<min(start + 700, table.rowCount))
            let part = DriftCounts.count(table.selecting(rows: rows), predictions: predictions.selecting(rows), baseline: baseline)
            merged.merge(try DriftCounts(json: try JSON.parse(part.json.serialized())))
        }
        #expect(merged.rows == whole.rows && merged.columns == whole.columns)
        for (name, counts) in whole.features {
            #expect(merged.features[name]?.buckets == counts.buckets && merged.features[name]?.missing == counts.missing, "\(name)")
        }
        #expect(merged.prediction?.buckets == whole.prediction?.buckets)
        #expect(merged.predictionsOutside == whole.predictionsOutside)
        let a = DriftReport(baseline: baseline, counts: whole), b = DriftReport(baseline: baseline, counts: merged)
        #expect(a.json.serialized() == b.json.serialized() || zip(a.features, b.features).allSatisfy { abs(($0.psi ?? 0) - ($1.psi ?? 0)) < 1e-12 })
    }

    /// Values beyond the training range count in the edge bins, so a shift far out is seen.
    @Test func valuesOutsideTheTrainingRangeLandInTheEdgeBins() {
        let profile = NumericProfile.fit((0..<100).map(Double.init))
        #expect(profile.edges.count == 9)
        #expect(profile.bin(-1000) == 0 && profile.bin(1e9) == 9)
        let baseline = DriftBaseline(rows: 100, columns: ["x"], features: [FeatureBaseline(name: "x", missingRate: 0, profile: .numeric(profile), rows: 100)],
                                     prediction: nil)
        let far = try! Table(columns: [.numeric("x", (0..<100).map { Double($0) + 1000 })])
        let counts = DriftCounts.count(far, predictions: nil, baseline: baseline)
        #expect(counts.features["x"]?.buckets == [0, 0, 0, 0, 0, 0, 0, 0, 0, 100])
        #expect(DriftReport(baseline: baseline, counts: counts).features[0].psiStatus == .alert)
    }

    @Test func predictionsOutsideTheirRangeAreCountedAndGraded() throws {
        let train = try Table(columns: [.numeric("x", (0..<200).map(Double.init))])
        let baseline = try DriftBaseline.fit(table: train, features: ["x"], predictions: .numeric("prediction", (0..<50).map { Double($0) / 50 }))
        let scored = try Table(columns: [.numeric("x", (0..<200).map(Double.init))])
        let predictions = Column.numeric("prediction", (0..<200).map { $0 < 20 ? 5 : Double($0 % 50) / 50 })
        let report = DriftReport(baseline: baseline, counts: DriftCounts.count(scored, predictions: predictions, baseline: baseline),
                                 thresholds: DriftThresholds(extrapolation: 0.05))
        #expect(report.prediction?.outsideTrainingRange == 0.1)
        #expect(report.prediction?.extrapolationStatus == .alert)
        #expect(report.features[0].status == .ok)
    }

    @Test func thresholdsGrade() {
        #expect(DriftStatus.grade(0.05, warning: 0.1, alert: 0.2) == .ok)
        #expect(DriftStatus.grade(0.1, warning: 0.1, alert: 0.2) == .warning)
        #expect(DriftStatus.grade(0.25, warning: 0.1, alert: 0.2) == .alert)
        #expect(DriftStatus.grade(0.03, threshold: 0.05) == .warning)
        #expect(DriftStatus.grade(0.06, threshold: 0.05) == .alert)
        #expect(DriftStatus.grade(0.01, threshold: 0.05) == .ok)
        #expect(DriftReport.psi(expected: [0.5, 0.5], actual: [0.5, 0.5]) == 0)
        #expect(DriftReport.jensenShannon([1, 0], [0, 1]) == 1)
    }
}
