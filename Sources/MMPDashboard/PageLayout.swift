/// The frame of every page: navigation, a banner (a notice after an action, or Redis being
/// unreachable), the style sheet and the little script (no build step: both are text here).
struct PageLayout {
    var title: String
    var active: String
    var readOnly: Bool
    var notice: String?
    var problem: String?

    func render(_ body: String) -> String {
        var out = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title)) · mmp</title><style>\(DashboardAssets.css)</style></head>
        <body><header><a class="brand" href="/">mmp</a><nav>
        """
        for (path, label) in [("/", "Overview"), ("/jobs", "Jobs"), ("/workers", "Workers")] {
            out += "<a href=\"\(path)\"\(label == active ? " class=\"on\"" : "")>\(label)</a>"
        }
        out += "</nav>" + (readOnly ? "<span class=\"badge\">read-only</span>" : "") + "</header><main>"
        if let problem { out += "<div class=\"banner problem\" id=\"problem\">\(HTML.escape(problem))</div>" }
        if let notice, !notice.isEmpty { out += "<div class=\"banner notice\" id=\"notice\">\(HTML.escape(notice))</div>" }
        out += body + "</main><script>\(DashboardAssets.script)</script></body></html>\n"
        return out
    }
}

enum DashboardAssets {
    static let css = """
    body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
    header{display:flex;gap:1.5em;align-items:center;background:#1d2a3a;color:#fff;padding:.6em 1.2em}
    header a{color:#cfd8e3;text-decoration:none}header a.on,header a:hover{color:#fff}.brand{font-weight:700;color:#fff!important}
    nav{display:flex;gap:1em}main{padding:1em 1.2em;max-width:1300px}
    table{border-collapse:collapse;background:#fff;width:100%;margin:.5em 0 1.2em}
    th,td{border-bottom:1px solid #e3e6ea;padding:.35em .6em;text-align:left;vertical-align:top}
    th{background:#eef1f4;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
    .cards{display:flex;gap:1em;flex-wrap:wrap}.card{background:#fff;padding:.7em 1em;border:1px solid #e3e6ea;min-width:9em}
    .card b{display:block;font-size:1.6em}.badge{background:#c47f00;color:#fff;padding:.1em .5em;border-radius:3px;font-size:.85em}
    .banner{padding:.6em 1em;margin-bottom:1em}.problem{background:#fde2e1;border:1px solid #e99}.notice{background:#e3f4e4;border:1px solid #9c9}
    form.action{display:inline;margin:0 .2em}button{cursor:pointer}button.danger{color:#a00}
    .s-succeeded{color:#1a7f37}.s-failed,.s-dead{color:#b42318}.s-active{color:#0b62c4}.s-cancelled{color:#777}
    pre{background:#fff;border:1px solid #e3e6ea;padding:.6em;overflow:auto;max-height:24em;margin:0}
    .filters input,.filters select{margin-right:.6em}.bar{background:#e3e6ea;height:.7em;width:12em;display:inline-block}
    .bar i{display:block;height:100%;background:#0b62c4}svg text{font-size:10px;fill:#555}
    """

    /// Times shown in the reader's zone; the overview's numbers refreshed by polling its fragment.
    static let script = """
    function localTimes(root){root.querySelectorAll('time[datetime]').forEach(function(t){var d=new Date(t.getAttribute('datetime'));if(!isNaN(d))t.textContent=d.toLocaleString();});}
    localTimes(document);
    var live=document.getElementById('live');
    if(live){var every=parseFloat(live.dataset.every||'2')*1000;
    setInterval(function(){fetch(live.dataset.src,{credentials:'same-origin'}).then(function(r){return r.text().then(function(t){return [r.status,t];});})
    .then(function(p){live.innerHTML=p[1];live.dataset.updated=String(Date.now());localTimes(live);}).catch(function(){});},every);}
    """
}
