import Foundation
import MMPCore
@testable import MMPLearn
import Testing

/// Holt-Winters and ARIMA against statsmodels on its own bundled series
/// (scripts/reference/timeseries_reference.py wrote the fixtures and the CSVs under data/).
@Suite struct TimeSeriesReferenceTests {
    static func series(_ name: String) throws -> [Double] {
        let table = try ReferenceFixture.dataset(name + ".csv")
        return try #require(table.columns[1].doubles)
    }

    static func value(_ fixture: JSON, _ key: String) -> Double? { fixture[key]?.doubleValue }

    @Test(arguments: ReferenceFixture.names(prefix: "timeseries_hw_"))
    func holtWintersMatchesStatsmodels(_ name: String) throws {
        let fixture = try ReferenceFixture.load(name)
        var y = try Self.series(try #require(fixture["series"]?.stringValue))
        let n = try #require(fixture["observations"]?.intValue)
        y = Array(y.prefix(n))
        let spec = HoltWintersSpec(trend: fixture["trend"]?.stringValue.flatMap(HoltWintersSpec.Component.init(rawValue:)),
                                   damped: fixture["damped_trend"]?.boolValue ?? false,
                                   seasonal: fixture["seasonal"]?.stringValue.flatMap(HoltWintersSpec.Component.init(rawValue:)),
                                   period: fixture["seasonal_periods"]?.intValue ?? 0)
        let fit = try HoltWinters.fit(y, spec: spec)
        let p = fit.parameters
        let tolerance = 1e-3
        #expect(abs(p.alpha - Self.value(fixture, "smoothing_level")!) <= tolerance, "\(name): alpha \(p.alpha) vs \(Self.value(fixture, "smoothing_level")!)")
        if let beta = Self.value(fixture, "smoothing_trend") { #expect(abs(p.beta - beta) <= tolerance, "\(name): beta \(p.beta) vs \(beta)") }
        if let gamma = Self.value(fixture, "smoothing_seasonal") { #expect(abs(p.gamma - gamma) <= tolerance, "\(name): gamma \(p.gamma) vs \(gamma)") }
        if let phi = Self.value(fixture, "damping_trend") { #expect(abs(p.phi - phi) <= tolerance, "\(name): phi \(p.phi) vs \(phi)") }
        // Same objective: ours may be lower (a tighter optimum), never meaningfully higher.
        let sse = Self.value(fixture, "sse")!
        #expect(fit.sse <= sse * (1 + 1e-6), "\(name): SSE \(fit.sse) vs statsmodels \(sse)")
        let forecasts = SeriesFit.holtWinters(spec, fit).forecast(steps: spec.period > 0 ? spec.period - 1 : 12)
        let reference = try fixture.doubles("forecast")
        for (k, (ours, theirs)) in zip(forecasts, reference).enumerated() {
            #expect(abs(ours - theirs) <= 1e-2 * max(1, abs(theirs)), "\(name): forecast \(k + 1) \(ours) vs \(theirs)")
        }
        print("\(name): alpha \(p.alpha) beta \(p.beta) gamma \(p.gamma) phi \(p.phi) sse \(fit.sse) vs \(sse) iterations \(fit.iterations)")
    }

    @Test(arguments: ReferenceFixture.names(prefix: "timeseries_arima_"))
    func arimaMatchesStatsmodels(_ name: String) throws {
        let fixture = try ReferenceFixture.load(name)
        let y = try Self.series(try #require(fixture["series"]?.stringValue))
        let orderList = fixture["order"]?.arrayValue?.compactMap { $0.intValue }
        let order = try #require(orderList)
        let fit = try ARIMA.fit(y, order: ARIMAOrder(p: order[0], d: order[1], q: order[2]))
        let params = try #require(fixture["params"]?.objectValue)
        var ours: [String: Double] = ["sigma2": fit.sigma2]
        if fit.order.mean { ours["const"] = fit.mean }
        for (i, a) in fit.ar.enumerated() { ours["ar.L\(i + 1)"] = a }
        for (i, m) in fit.ma.enumerated() { ours["ma.L\(i + 1)"] = m }
        for (key, value) in params {
            let theirs = try #require(value.doubleValue)
            guard let mine = ours[key] else { Issue.record("\(name): no \(key)"); continue }
            // Coefficients within 1e-2; sigma2 and const (in the series' units) relative.
            let scale = key == "sigma2" || key == "const" ? max(1, abs(theirs)) : 1
            #expect(abs(mine - theirs) <= 1e-2 * scale, "\(name): \(key) \(mine) vs \(theirs)")
        }
        let llf = Self.value(fixture, "log_likelihood")!
        #expect(fit.logLikelihood >= llf - 1e-3 * abs(llf), "\(name): log-likelihood \(fit.logLikelihood) vs \(llf)")
        print("\(name): \(ours) llf \(fit.logLikelihood) vs \(llf) iterations \(fit.iterations)")
    }
}
