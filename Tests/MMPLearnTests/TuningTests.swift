#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import Testing
@testable import MMPLearn

/// The tuner: TPE against random search on known functions, and the loop's contract
/// (direction, seed, failures, cancellation, timeout).
@Suite struct TuningTests {
    /// Branin over two floats, plus a shifted quadratic in a log-scaled float, an integer and a
    /// categorical penalty: every kind of dimension matters. Minimum 0.397887 + 0 + 0 + 0.
    static let space = [
        SearchDimension(name: "x", kind: .float(low: -5, high: 10, log: false)),
        SearchDimension(name: "y", kind: .float(low: 0, high: 15, log: false)),
        SearchDimension(name: "learning_rate", kind: .float(low: 1e-5, high: 1, log: true)),
        SearchDimension(name: "depth", kind: .int(low: 1, high: 200, log: false)),
        SearchDimension(name: "kind", kind: .categorical(["a", "b", "c", "d"])),
    ]

    static func objective(_ p: JSONObject) -> Double {
        let x = p["x"]!.doubleValue!, y = p["y"]!.doubleValue!
        let branin = pow(y - 5.1 / (4 * Double.pi * Double.pi) * x * x + 5 / Double.pi * x - 6, 2)
            + 10 * (1 - 1 / (8 * Double.pi)) * cos(x) + 10
        let lr = pow(log10(p["learning_rate"]!.doubleValue!) + 2.5, 2)
        let depth = pow((Double(p["depth"]!.intValue!) - 37) / 20, 2)
        let kind = ["a": 2.0, "b": 0, "c": 1, "d": 3][p["kind"]!.stringValue!]!
        return branin + lr + depth + kind
    }

    static func best(_ sampler: TuningSampler, seed: Int, trials: Int, direction: MetricDirection = .minimize) throws -> TuningResult {
        let tuner = HyperparameterTuner(space: space, trials: trials, direction: direction, metric: "f", seed: seed, sampler: sampler)
        return try tuner.run { direction == .minimize ? objective($0) : -objective($0) }
    }

    /// The claim the issue asks for, as an assertion that can fail: on the same 50-trial budget
    /// and 20 seeds, TPE's best value averaged over the seeds is at most three quarters of random
    /// search's, and TPE finds the better point on at least 14 of the 20 seeds. (Measured when
    /// written: 0.56 of random's mean and 17 wins; Optuna 5's TPE on the same function and budget
    /// reaches about the same ratio.)
    @Test func tpeBeatsRandomSearchOnTheSameBudget() throws {
        var tpe: [Double] = [], random: [Double] = []
        for seed in 1...20 {
            tpe.append(try Self.best(.tpe(TPESampler()), seed: seed, trials: 50).best!.score!)
            random.append(try Self.best(.random, seed: seed, trials: 50).best!.score!)
        }
        let tpeMean = tpe.reduce(0, +) / 20, randomMean = random.reduce(0, +) / 20
        let wins = zip(tpe, random).filter { $0 < $1 }.count
        #expect(tpeMean < 0.75 * randomMean, "mean best: TPE \(tpeMean), random \(randomMean)")
        #expect(wins >= 14, "TPE won on \(wins) of 20 seeds (TPE \(tpe), random \(random))")
    }

    /// Tuning across the fleet: 4 trials in flight, each finished in the order it started; TPE
    /// with the constant liar for pending trials against random search, same budget and seeds.
    static func bestInParallel(_ sampler: TuningSampler, seed: Int, trials: Int, inFlight: Int) -> Double {
        let tuner = HyperparameterTuner(space: space, trials: trials, direction: .minimize, metric: "f", seed: seed, sampler: sampler)
        var finished: [Trial] = []
        var pending: [(Int, JSONObject)] = []
        var next = 0
        while finished.count < trials {
            while pending.count < inFlight, next < trials {
                pending.append((next, tuner.suggest(number: next, finished: finished, pending: pending.map(\.1))))
                next += 1
            }
            let (n, p) = pending.removeFirst()
            finished.append(Trial(number: n, parameters: p, score: objective(p), seconds: 0))
        }
        return finished.compactMap(\.score).min()!
    }

    @Test func tpeStaysBetterThanRandomSearchWithFourTrialsInFlight() throws {
        var tpe: [Double] = [], random: [Double] = []
        for seed in 1...20 {
            tpe.append(Self.bestInParallel(.tpe(TPESampler()), seed: seed, trials: 50, inFlight: 4))
            random.append(Self.bestInParallel(.random, seed: seed, trials: 50, inFlight: 4))
        }
        let tpeMean = tpe.reduce(0, +) / 20, randomMean = random.reduce(0, +) / 20
        let wins = zip(tpe, random).filter { $0 < $1 }.count
        #expect(tpeMean < 0.8 * randomMean, "mean best: TPE \(tpeMean), random \(randomMean)")
        #expect(wins >= 13, "TPE won on \(wins) of 20 seeds (TPE \(tpe), random \(random))")
    }

    @Test func aParallelSuggestionIsTheSameWhenAskedAgain() {
        let tuner = HyperparameterTuner(space: Self.space, trials: 20, direction: .minimize, metric: "f", seed: 4)
        let done = (0..<12).map { n -> Trial in
            let p = tuner.suggest(number: n, finished: [], pending: [])
            return Trial(number: n, parameters: p, score: Self.objective(p), seconds: 0)
        }
        let pending = [tuner.suggest(number: 12, finished: done, pending: [])]
        #expect(tuner.suggest(number: 13, finished: done, pending: pending) == tuner.suggest(number: 13, finished: done, pending: pending))
        #expect(tuner.suggest(number: 13, finished: done, pending: pending) != tuner.suggest(number: 13, finished: done, pending: []))
    }

    @Test func maximisingFindsTheSameAsMinimisingTheNegation() throws {
        let low = try Self.best(.tpe(TPESampler()), seed: 3, trials: 25)
        let high = try Self.best(.tpe(TPESampler()), seed: 3, trials: 25, direction: .maximize)
        #expect(high.best!.score! == -low.best!.score!)
        #expect(high.trials.map(\.parameters) == low.trials.map(\.parameters))
        #expect(high.direction == .maximize)
    }

    @Test func sameSeedSameSearch() throws {
        let a = try Self.best(.tpe(TPESampler()), seed: 11, trials: 20)
        let b = try Self.best(.tpe(TPESampler()), seed: 11, trials: 20)
        let c = try Self.best(.tpe(TPESampler()), seed: 12, trials: 20)
        #expect(a.trials.map(\.parameters) == b.trials.map(\.parameters))
        #expect(a.trials.map(\.parameters) != c.trials.map(\.parameters))
    }

    @Test func everySuggestionLiesInItsDimension() throws {
        let result = try Self.best(.tpe(TPESampler(startupTrials: 2)), seed: 5, trials: 30)
        for t in result.trials {
            let p = t.parameters
            #expect((-5...10).contains(p["x"]!.doubleValue!) && (0...15).contains(p["y"]!.doubleValue!))
            #expect((1e-5...1).contains(p["learning_rate"]!.doubleValue!))
            guard case .int(let depth) = p["depth"]! else { Issue.record("depth \(p["depth"]!) is not an integer"); continue }
            #expect((1...200).contains(depth))
            #expect(["a", "b", "c", "d"].contains(p["kind"]!.stringValue!))
        }
    }

    /// Failed trials are recorded with their error and no score, never as a zero, and the
    /// sampler keeps going around them; `best` is the best scored trial.
    @Test func failedTrialsAreRecordedNotScored() throws {
        let tuner = HyperparameterTuner(space: Self.space, trials: 30, direction: .maximize, metric: "f", seed: 2)
        let result = try tuner.run { p in
            if p["kind"] == "a" { throw MMPError.invalidData("kind a does not train") }
            if p["kind"] == "d" { return .nan }
            return -Self.objective(p)
        }
        let failed = result.trials.filter { $0.score == nil }
        #expect(!failed.isEmpty)
        #expect(failed.allSatisfy { $0.error != nil })
        #expect(failed.contains { $0.error!.contains("kind a does not train") })
        #expect(result.trials.count == 30)
        let best = try #require(result.best)
        #expect(best.score! < 0)  // every real score is negative; a failure counted as 0 would have won
        #expect(best.score! == result.trials.compactMap(\.score).max())
    }

    @Test func cancellationIsRethrownAtOnce() throws {
        let tuner = HyperparameterTuner(space: Self.space, trials: 20, direction: .minimize, metric: "f", seed: 1)
        var calls = 0
        #expect { _ = try tuner.run { p in
            calls += 1
            if calls == 4 { throw MMPError(.cancelled, "training was cancelled") }
            return Self.objective(p)
        } } throws: { ($0 as? MMPError)?.kind == .cancelled }
        #expect(calls == 4)
    }

    @Test func timeoutStopsBeforeTheNextTrial() throws {
        let tuner = HyperparameterTuner(space: Self.space, trials: 1000, timeout: 0.05, direction: .minimize, metric: "f", seed: 1)
        let result = try tuner.run { p in
            usleep(20_000)
            return Self.objective(p)
        }
        #expect(result.trials.count >= 1 && result.trials.count < 20)
    }

    @Test func parzenDensityPrefersWhereItsObservationsAre() {
        let estimator = ParzenEstimator(points: [[2], [2.2], [1.9]], pointWeights: [1, 1, 1],
                                        space: [.numeric(low: 0, high: 10, discrete: false)], priorWeight: 1)
        #expect(estimator.logDensity([2]) > estimator.logDensity([8]) + 1)
        let discrete = ParzenEstimator(points: [[3]], pointWeights: [1], space: [.numeric(low: 0, high: 9, discrete: true)], priorWeight: 1)
        // The probabilities of the ten integers sum to 1.
        let total = (0...9).reduce(0.0) { $0 + exp(discrete.logDensity([Double($1)])) }
        #expect(abs(total - 1) < 1e-9)
        let categorical = ParzenEstimator(points: [[1], [1]], pointWeights: [1, 1], space: [.categorical(count: 3)], priorWeight: 1)
        #expect(abs((0...2).reduce(0.0) { $0 + exp(categorical.logDensity([Double($1)])) } - 1) < 1e-12)
        #expect(categorical.logDensity([1]) > categorical.logDensity([0]))
        // Jointly: points near (1, a) and near (9, b) make (1, a) likelier than (1, b), which a
        // product of one-dimensional densities (a and b equally common) could not tell apart.
        let joint = ParzenEstimator(points: [[1, 0], [1.2, 0], [0.9, 0], [9, 1], [9.1, 1], [8.8, 1]], pointWeights: [1, 1, 1, 1, 1, 1],
                                    space: [.numeric(low: 0, high: 10, discrete: false), .categorical(count: 2)], priorWeight: 1)
        #expect(joint.logDensity([1, 0]) > joint.logDensity([1, 1]) + 1)
        #expect(joint.logDensity([9, 1]) > joint.logDensity([9, 0]) + 1)
    }

    @Test func recencyWeightsFollowOptuna() {
        #expect(TPESampler.recencyWeights(3) == [1, 1, 1])
        let w = TPESampler.recencyWeights(30)
        #expect(w.count == 30 && w.suffix(25).allSatisfy { $0 == 1 } && abs(w[0] - 1.0 / 30) < 1e-12 && w[0] < w[4])
        #expect(TPESampler.goodCount(9) == 1 && TPESampler.goodCount(11) == 2 && TPESampler.goodCount(1000) == 25)
    }
}
