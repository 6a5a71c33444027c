/// The console's stylesheet and script, served by the binary from `/console/assets/` (the CSP allows no inline
/// style or script, and the page loads nothing from elsewhere).
enum ConsoleAssets {
    static let css = """
        :root { --ink: #1d2430; --muted: #5b6576; --line: #d9dee7; --bg: #f6f7f9; --accent: #1f5fbf;
          --ok: #2e7d32; --bad: #c62828; --warn: #b26a00; --idle: #7b8494; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
          background: var(--bg); }
        header { background: #fff; border-bottom: 1px solid var(--line); padding: 8px 16px; display: flex;
          flex-wrap: wrap; align-items: center; gap: 8px 16px; }
        header .brand { font-weight: 700; margin-right: 8px; }
        nav { display: flex; flex-wrap: wrap; gap: 4px 14px; flex: 1; }
        nav a { color: var(--ink); text-decoration: none; padding: 4px 0; border-bottom: 2px solid transparent; }
        nav a.current { border-bottom-color: var(--accent); font-weight: 600; }
        main { max-width: 1200px; margin: 0 auto; padding: 16px; }
        h1, h2, h3, p, li, label { overflow-wrap: anywhere; }
        h1 { font-size: 22px; margin: 4px 0 12px; }
        h2 { font-size: 17px; margin: 20px 0 8px; }
        a { color: var(--accent); }
        section.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px;
          margin-bottom: 14px; }
        .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 14px; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; font-size: 14px; }
        th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; white-space: nowrap; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
        pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 10px;
          overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
        .status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; color: #fff;
          background: var(--idle); white-space: nowrap; }
        .s-booked, .s-delivered { background: var(--ok); } .s-failed, .s-rejected { background: var(--bad); }
        .s-needs_review, .s-offline { background: var(--warn); } .s-retrying, .s-pending { background: var(--accent); }
        .funnel { display: flex; flex-wrap: wrap; gap: 8px; }
        .funnel div { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px;
          min-width: 110px; }
        .funnel b { display: block; font-size: 20px; }
        .muted { color: var(--muted); }
        .notice { background: #e8f1fd; border: 1px solid #b7d0f5; padding: 8px 12px; border-radius: 6px; }
        .error { background: #fdecea; border: 1px solid #f3b8b2; padding: 8px 12px; border-radius: 6px; }
        .secret { font-size: 15px; word-break: break-all; background: #fff8e1; border: 1px solid #f0d48a;
          padding: 8px; border-radius: 6px; }
        form.inline { display: inline; }
        form.stack { display: grid; gap: 8px; max-width: 520px; }
        form.row { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin: 8px 0; }
        form.row label { flex: 1 1 160px; } form.row input { width: 100%; }
        label { display: grid; gap: 2px; font-size: 13px; color: var(--muted); }
        input, select { font: inherit; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px;
          background: #fff; color: var(--ink); min-width: 0; }
        button { font: inherit; padding: 6px 12px; border-radius: 6px; border: 1px solid var(--accent);
          background: var(--accent); color: #fff; cursor: pointer; }
        button.secondary { background: #fff; color: var(--accent); }
        button.danger { background: var(--bad); border-color: var(--bad); }
        ol.timeline { list-style: none; padding: 0; margin: 0; border-left: 2px solid var(--line); }
        ol.timeline > li { padding: 4px 0 10px 14px; position: relative; }
        ol.timeline ul { margin: 4px 0; padding-left: 18px; }
        ol.timeline > li::before { content: ""; position: absolute; left: -6px; top: 10px; width: 10px; height: 10px;
          border-radius: 50%; background: var(--accent); }
        ol.timeline > li > time { color: var(--muted); font-size: 13px; display: block; }
        svg.chart { width: 100%; height: auto; display: block; }
        svg.chart .booked { fill: var(--ok); } svg.chart .failed, svg.chart .rejected { fill: var(--bad); }
        svg.chart .needs_review, svg.chart .offline { fill: var(--warn); }
        svg.chart .received, svg.chart .retrying { fill: var(--accent); } svg.chart .spam { fill: var(--idle); }
        svg.chart text { font-size: 10px; fill: var(--muted); }
        .legend span { margin-right: 10px; font-size: 13px; }
        .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; }
        .legend .booked { background: var(--ok); } .legend .failed, .legend .rejected { background: var(--bad); }
        .legend .needs_review, .legend .offline { background: var(--warn); }
        .legend .received, .legend .retrying { background: var(--accent); } .legend .spam { background: var(--idle); }
        .signin { max-width: 380px; margin: 60px auto; }
        @media (max-width: 600px) {
          main { padding: 10px; } h1 { font-size: 19px; }
          th, td { padding: 5px 6px; }
          form.stack { max-width: none; }
        }
        """

    /// Live refresh: on a page marked `data-live`, the `#live` part is fetched again every 10 s (while the tab is
    /// visible) and swapped in. The fetched page is the server's own escaped HTML. Buttons marked `data-confirm`
    /// ask first.
    static let js = """
        (function () {
          "use strict";
          document.addEventListener("submit", function (event) {
            var button = event.submitter;
            var message = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
            if (message && !window.confirm(message)) { event.preventDefault(); }
          });
          if (!document.body.hasAttribute("data-live")) { return; }
          var stamp = document.getElementById("refreshed");
          function refresh() {
            if (document.hidden) { return; }
            fetch(window.location.href, { credentials: "same-origin", headers: { "X-Console-Live": "1" } })
              .then(function (response) {
                if (!response.ok || response.redirected) { throw new Error("status " + response.status); }
                return response.text();
              })
              .then(function (text) {
                var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("live");
                var current = document.getElementById("live");
                if (fresh && current) { current.replaceWith(document.adoptNode(fresh)); }
                if (stamp) { stamp.textContent = "refreshed " + new Date().toLocaleTimeString(); }
              })
              .catch(function () { if (stamp) { stamp.textContent = "live refresh paused (sign in again?)"; } });
          }
          window.setInterval(refresh, 10000);
        })();
        """
}
