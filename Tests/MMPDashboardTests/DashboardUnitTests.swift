import MMPCore
@testable import MMPDashboard
import Testing

/// The decisions without I/O: credentials, forms, times, redaction, links.
@Suite struct DashboardUnitTests {
    @Test func tokenFromBearerOrBasicPassword() {
        let auth = DashboardAuth(token: "s3cret")
        #expect(auth.allows("Bearer s3cret"))
        #expect(auth.allows("bearer  s3cret "))
        #expect(auth.allows("Basic " + "dXNlcjpzM2NyZXQ="))  // user:s3cret
        #expect(!auth.allows("Basic " + "dXNlcjpzM2NyZXQx"))  // user:s3cret1
        #expect(!auth.allows("Bearer s3cre"))
        #expect(!auth.allows("Bearer s3cretx"))
        #expect(!auth.allows(nil))
        #expect(!auth.allows("Token s3cret"))
        #expect(!auth.allows("Basic !!!"))
        #expect(DashboardAuth(token: nil).allows(nil))
        #expect(DashboardAuth(token: "").allows(nil))
    }

    @Test func constantTimeEquality() {
        #expect(ConstantTime.equal(Array("abc".utf8), Array("abc".utf8)))
        #expect(!ConstantTime.equal(Array("abc".utf8), Array("abd".utf8)))
        #expect(!ConstantTime.equal(Array("abc".utf8), Array("abc\u{0}".utf8)))
        #expect(!ConstantTime.equal([], Array("a".utf8)))
    }

    @Test func formFieldsAndPathSegmentsDecode() {
        let f = FormBody.parse("csrf=ab%2Fc&note=a+b%40c&empty=")
        #expect(f["csrf"] == "ab/c" && f["note"] == "a b@c" && f["empty"] == "")
        #expect(FormBody.decode("01abc%40default", plusIsSpace: false) == "01abc@default")
        #expect(FormBody.decode("a+b", plusIsSpace: false) == "a+b")
        #expect(HTML.query("01abc@default") == "01abc%40default")
        #expect(HTML.escape("<a href=\"x\">'&") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;")
    }

    @Test func submitTimesAreUTC() throws {
        #expect(try JobsPage.parseTime("1970-01-01T00:00", field: "from") == 0)
        #expect(try JobsPage.parseTime("2026-12-06T10:30", field: "from") == 1_796_553_000_000)
        #expect(try JobsPage.parseTime("2000-02-29T23:59:30", field: "to") == 951_868_770_000)
        #expect(try JobsPage.parseTime(" ", field: "from") == nil)
        #expect(throws: MMPError.self) { try JobsPage.parseTime("yesterday", field: "from") }
        #expect(throws: MMPError.self) { try JobsPage.parseTime("2026-13-01T00:00", field: "from") }
    }

    @Test func secretsStayOffPages() {
        #expect(Redaction.scrub("redis://:pw@10.0.0.1:6379/0 and postgresql://u:p%40ss@db/x")
                == "redis://:***@10.0.0.1:6379/0 and postgresql://u:***@db/x")
        #expect(Redaction.scrub("http://host/path@x") == "http://host/path@x")
        #expect(Redaction.scrub("no url here") == "no url here")
        #expect(Redaction.isSecretName("db_password") && Redaction.isSecretName("API_KEY") && !Redaction.isSecretName("recipe"))
    }

    @Test func mlflowRunLink() {
        let tracking: JSON = ["status": "tracked", "server": "http://127.0.0.1:5000/", "experiment_id": "3", "run_id": "abc123"]
        #expect(JobDetailPage.mlflowLink(tracking)?.url == "http://127.0.0.1:5000/#/experiments/3/runs/abc123")
        #expect(JobDetailPage.mlflowLink(["status": "failed", "server": "http://x"]) == nil)
        #expect(JobDetailPage.mlflowLink(["run_id": "r", "server": "file:///tmp/mlruns"]) == nil)
    }

    @Test func filterDecidesFromTheIdWhatItCan() {
        var f = JobFilter()
        f.id = "ABC"
        #expect(f.accepts(id: "01m95abcxx0000000000@default"))
        #expect(!f.accepts(id: "01m95xxxxx0000000000@default"))
        f = JobFilter()
        f.recipe = "churn"
        #expect(f.readsRecords && f.accepts(recipe: "Churn_logistic", worker: "") && !f.accepts(recipe: "fraud", worker: ""))
    }
}
