import MMPHTTP
import Testing

/// The exposition format, byte for byte: families once, labels escaped, histograms cumulative
/// with +Inf, _sum and _count, samples sorted so two scrapes of one state are equal.
@Suite struct PrometheusTextTests {
    @Test func rendersCountersGaugesAndHistograms() {
        let registry = MetricsRegistry()
        let requests = registry.counter("x_requests_total", help: "Requests.", labels: ["route", "status"])
        let latency = registry.histogram("x_seconds", help: "Latency\nin seconds.", labels: ["route"], buckets: [0.1, 0.01, 1])
        let busy = registry.gauge("x_busy", help: "Busy.")
        requests.increment(["/b", "200"])
        requests.increment(["/a", "200"], by: 2)
        requests.increment(["/a \"quoted\"\\\n", "500"])
        latency.observe(0.005, ["/a"])
        latency.observe(0.05, ["/a"])
        latency.observe(5, ["/a"])
        busy.add(3)
        busy.add(-1)
        registry.collect { out in
            out.family("x_info", .gauge, help: "Info.")
            out.sample("x_info", [("version", "1.2")], 1)
        }
        #expect(registry.render() == """
            # HELP x_requests_total Requests.
            # TYPE x_requests_total counter
            x_requests_total{route="/a",status="200"} 2
            x_requests_total{route="/a \\"quoted\\"\\\\\\n",status="500"} 1
            x_requests_total{route="/b",status="200"} 1
            # HELP x_seconds Latency\\nin seconds.
            # TYPE x_seconds histogram
            x_seconds_bucket{route="/a",le="0.01"} 1
            x_seconds_bucket{route="/a",le="0.1"} 2
            x_seconds_bucket{route="/a",le="1"} 2
            x_seconds_bucket{route="/a",le="+Inf"} 3
            x_seconds_sum{route="/a"} 5.055
            x_seconds_count{route="/a"} 3
            # HELP x_busy Busy.
            # TYPE x_busy gauge
            x_busy 2
            # HELP x_info Info.
            # TYPE x_info gauge
            x_info{version="1.2"} 1

            """)
        #expect(requests.value(["/a", "200"]) == 2)
        #expect(PrometheusText.format(.infinity) == "+Inf" && PrometheusText.format(.nan) == "NaN" && PrometheusText.format(0.25) == "0.25")
    }
}
