import MMPCore

extension HyperparameterTuner {
    /// The parameters of trial `number` when other trials are still running (tuning across the
    /// fleet: the parent keeps N trials in flight). TPE sees each pending trial as scored with
    /// the worst score seen so far (the *constant liar*, as Optuna's `constant_liar`), so trials
    /// in flight at once do not all crowd the same promising region. Deterministic: the same
    /// finished and pending trials and number give the same parameters (a parent step run again
    /// after its worker died proposes the same trial).
    public func suggest(number: Int, finished: [Trial], pending: [JSONObject]) -> JSONObject {
        var generator = SeededGenerator(seed: seed &+ number &* 7919)
        switch sampler {
        case .random:
            return RandomSampler.sample(space, &generator)
        case .tpe(let tpe):
            let scores = finished.compactMap(\.score).filter(\.isFinite)
            var history = finished
            if let worst = direction == .maximize ? scores.min() : scores.max() {
                history += pending.enumerated().map { Trial(number: finished.count + $0.offset, parameters: $0.element, score: worst, seconds: 0) }
            }
            return tpe.suggest(space, history: history, direction: direction, budget: trials, &generator)
        }
    }
}
