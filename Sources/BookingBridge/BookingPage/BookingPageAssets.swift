/// The booking page's style sheet and scripts, served by the binary (no CDN, no build step, no framework).
enum BookingPageAssets {
    /// The style sheet, with the source's accent colour (checked to be `#rgb` or `#rrggbb`).
    static func css(accent: String?) -> String {
        let color = accent.flatMap { BookingPageSettings.isColor($0) ? $0 : nil } ?? "#2454c5"
        return ":root{--bb-accent:\(color)}\n" + style
    }

    static let style = #"""
        *{box-sizing:border-box}
        body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f6f7f9}
        body.bb-embedded{background:transparent}
        .bb{max-width:40rem;margin:0 auto;padding:1.5rem 1rem;background:#fff}
        .bb-logo{max-height:3rem;max-width:12rem;display:block;margin-bottom:1rem}
        h1{font-size:1.6rem;margin:0 0 .5rem}
        .bb-intro,.bb-duration,.bb-note{margin:.25rem 0 1rem;color:#444}
        fieldset{border:0;padding:0;margin:0 0 1.25rem;min-width:0}
        legend{font-weight:600;padding:0;margin-bottom:.5rem}
        .bb-day legend{font-weight:500;color:#333}
        .bb-times{display:flex;flex-wrap:wrap;gap:.5rem}
        .bb-times input{position:absolute;opacity:0;width:1px;height:1px}
        .bb-times label{display:inline-block;min-width:5.5rem;text-align:center;padding:.5rem .75rem;border:1px solid var(--bb-accent);border-radius:.4rem;color:var(--bb-accent);cursor:pointer;background:#fff}
        .bb-times input:checked+label{background:var(--bb-accent);color:#fff}
        .bb-times input:focus-visible+label,button:focus-visible,select:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}
        .bb-pick{display:flex;flex-wrap:wrap;gap:1rem;margin-bottom:1rem}
        .bb-pick label{display:block;font-weight:500}
        select,.bb-field input,.bb-field textarea{font:inherit;padding:.5rem;border:1px solid #777;border-radius:.3rem;width:100%;max-width:100%;background:#fff}
        .bb-pick>div{flex:1 1 12rem;min-width:0}
        .bb-field{margin-bottom:1rem}
        .bb-field label{display:block;font-weight:500;margin-bottom:.25rem}
        .bb-choice,.bb-consent{margin-bottom:1rem}
        .bb-choice legend{font-weight:500;margin-bottom:.25rem}
        .bb-check{display:flex;gap:.5rem;align-items:flex-start;margin-bottom:1rem}
        .bb-check input{margin-top:.35rem}
        .bb-req{font-weight:400;color:#555;font-size:.9em}
        .bb-hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
        button{font:inherit;cursor:pointer}
        .bb-submit,.bb-alt{background:var(--bb-accent);color:#fff;border:0;border-radius:.4rem;padding:.65rem 1.5rem}
        .bb-submit[disabled]{opacity:.6;cursor:wait}
        .bb-alts{display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0}
        .bb-status{margin-top:1rem}
        .bb-status:empty{display:none}
        .bb-status:focus,.bb-status:focus-visible{outline:3px solid #ffbf47;outline-offset:.5rem;border-radius:.2rem}
        .bb-ok{font-weight:600;color:#146c2e}
        .bb-bad{font-weight:600;color:#a4262c}
        .bb-status dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}
        .bb-status dt{font-weight:600}.bb-status dd{margin:0}
        .bb-status a{color:var(--bb-accent)}
        .bb-empty{color:#555}
        @media (max-width:30rem){.bb{padding:1rem .75rem}.bb-times label{min-width:4.5rem}}
        """#

    /// Turns the form into a slot picker in the visitor's time zone that books through JSON and shows progress.
    static let pageJS = #"""
        (function () {
          "use strict";
          var form = document.getElementById("bb-form");
          if (!form) return;
          var T = JSON.parse(document.getElementById("bb-texts").textContent);
          var d = form.dataset, base = d.base, status = document.getElementById("bb-status");
          var zone = (Intl.DateTimeFormat().resolvedOptions().timeZone) || d.timezone;
          var lang = d.language === "de" ? "de-DE" : "en-GB";
          var slots = [], dayKey = null;
          function el(tag, attrs, text) {
            var n = document.createElement(tag);
            for (var k in attrs || {}) n.setAttribute(k, attrs[k]);
            if (text != null) n.textContent = text;
            return n;
          }
          function fmt(iso, opts) {
            return new Intl.DateTimeFormat(lang, Object.assign({ timeZone: zone }, opts)).format(new Date(iso));
          }
          function keyOf(iso) { return fmt(iso, { year: "numeric", month: "2-digit", day: "2-digit" }); }
          function newKey() {
            var k = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
            try { sessionStorage.setItem("bb-key-" + d.source, k); } catch (e) {}
            return k;
          }
          function currentKey() {
            try { return sessionStorage.getItem("bb-key-" + d.source) || newKey(); } catch (e) { return idem || newKey(); }
          }
          var idem = currentKey();
          var box = document.getElementById("bb-slots");
          box.textContent = "";
          box.appendChild(el("legend", {}, T.pickTime));
          var pick = el("div", { "class": "bb-pick" });
          var zoneWrap = el("div"), dayWrap = el("div");
          zoneWrap.appendChild(el("label", { "for": "bb-zone" }, T.timezone));
          var zoneSel = el("select", { id: "bb-zone" });
          var zones = [zone, d.timezone];
          try { zones = zones.concat(Intl.supportedValuesOf("timeZone")); } catch (e) {}
          zones.filter(function (z, i) { return z && zones.indexOf(z) === i; }).forEach(function (z) {
            zoneSel.appendChild(el("option", { value: z }, z.replace(/_/g, " ")));
          });
          zoneSel.value = zone;
          zoneWrap.appendChild(zoneSel);
          dayWrap.appendChild(el("label", { "for": "bb-day" }, T.day));
          var daySel = el("select", { id: "bb-day" });
          dayWrap.appendChild(daySel);
          pick.appendChild(zoneWrap); pick.appendChild(dayWrap);
          box.appendChild(pick);
          var times = el("div", { "class": "bb-times", role: "radiogroup", "aria-label": T.pickTime });
          box.appendChild(times);
          var tzField = form.querySelector('input[type=hidden][name="' + d.timezoneField + '"]');
          function renderTimes() {
            times.textContent = "";
            var shown = slots.filter(function (s) { return keyOf(s.start) === dayKey; });
            if (!shown.length) { times.appendChild(el("p", { "class": "bb-empty" }, slots.length ? T.noSlots : T.noSlotsAtAll)); return; }
            shown.forEach(function (s, i) {
              var id = "bb-t" + i;
              var input = el("input", { type: "radio", id: id, name: d.startField, value: s.start });
              if (i === 0) input.required = true;
              times.appendChild(input);
              times.appendChild(el("label", { "for": id }, fmt(s.start, { hour: "2-digit", minute: "2-digit" })));
            });
          }
          function renderDays() {
            daySel.textContent = "";
            var seen = {};
            slots.forEach(function (s) {
              var k = keyOf(s.start);
              if (seen[k]) return;
              seen[k] = true;
              daySel.appendChild(el("option", { value: k }, fmt(s.start, { weekday: "long", day: "numeric", month: "long" })));
            });
            if (!seen[dayKey]) dayKey = daySel.options.length ? daySel.options[0].value : null;
            if (dayKey) daySel.value = dayKey;
            renderTimes();
          }
          function load() {
            times.textContent = "";
            times.appendChild(el("p", { "class": "bb-empty" }, T.loading));
            if (tzField) tzField.value = zone;
            return fetch("/v1/sources/" + encodeURIComponent(d.source) + "/slots?days=14&timezone=" + encodeURIComponent(zone), { headers: { Accept: "application/json" } })
              .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
              .then(function (j) { slots = j.slots || []; renderDays(); })
              .catch(function () { times.textContent = ""; times.appendChild(el("p", { "class": "bb-empty" }, T.error)); });
          }
          zoneSel.addEventListener("change", function () { zone = zoneSel.value; load(); });
          daySel.addEventListener("change", function () { dayKey = daySel.value; renderTimes(); });
          var button = form.querySelector(".bb-submit");
          function show(nodes) {
            status.textContent = "";
            nodes.forEach(function (n) { status.appendChild(typeof n === "string" ? el("p", {}, n) : n); });
            resize();
          }
          function when(s) {
            return fmt(s.start, { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" }) + " (" + zone.replace(/_/g, " ") + ")";
          }
          function book(start) {
            var data = {};
            new FormData(form).forEach(function (v, k) { data[k] = data[k] ? data[k] + ", " + v : v; });
            if (start) data[d.startField] = start;
            if (!data[d.startField]) { show([el("p", { "class": "bb-bad" }, T.pickSlot)]); return; }
            data[d.timezoneField] = zone;
            button.disabled = true;
            show([T.sending]);
            fetch(form.getAttribute("action"), {
              method: "POST",
              headers: { "Content-Type": "application/json", Accept: "application/json", "Idempotency-Key": idem },
              body: JSON.stringify(data)
            }).then(function (r) {
              return r.json().then(function (j) { return { ok: r.ok, body: j }; });
            }).then(function (a) {
              if (!a.ok || !a.body.receipt) {
                button.disabled = false;
                var items = (a.body.errors || []).map(function (e) { return e.field + ": " + e.message; });
                show([el("p", { "class": "bb-bad" }, T.failed)].concat(items.length ? items : [a.body.detail || T.error]));
                return;
              }
              show([T.received]);
              poll(a.body.receipt, 0);
            }).catch(function () { button.disabled = false; show([el("p", { "class": "bb-bad" }, T.error)]); });
          }
          function poll(receipt, n) {
            fetch("/v1/intake/" + encodeURIComponent(d.source) + "/receipts/" + receipt, { headers: { Accept: "application/json" } })
              .then(function (r) { return r.json(); })
              .then(function (s) {
                if (s.status === "received") { setTimeout(function () { poll(receipt, n + 1); }, Math.min(500 + n * 250, 3000)); return; }
                button.disabled = false;
                if (s.status === "booked") { booked(s, receipt); return; }
                failed(s);
              }).catch(function () { setTimeout(function () { poll(receipt, n + 1); }, 2000); });
          }
          function booked(s, receipt) {
            idem = newKey();
            var dl = el("dl");
            dl.appendChild(el("dt", {}, T.when)); dl.appendChild(el("dd", {}, when(s)));
            if (s.location) { dl.appendChild(el("dt", {}, T.where)); dl.appendChild(el("dd", {}, s.location)); }
            var nodes = [el("p", { "class": "bb-ok", id: "bb-booked" }, T.booked), dl];
            if (s.videoUrl && /^https:\/\//.test(s.videoUrl)) { var p = el("p"); p.appendChild(el("a", { href: s.videoUrl }, T.video)); nodes.push(p); }
            var ics = el("p");
            ics.appendChild(el("a", { href: base + "/ics/" + receipt, download: "meeting.ics" }, T.ics));
            nodes.push(ics);
            form.hidden = true;
            show(nodes);
            status.setAttribute("tabindex", "-1");
            status.focus();
          }
          function failed(s) {
            idem = newKey();
            var alts = s.suggestedStartTimes || [];
            var nodes = [el("p", { "class": "bb-bad" }, T.failed)];
            if (s.reason === "taken" && alts.length) {
              nodes.push(el("p", {}, T.taken));
              var row = el("div", { "class": "bb-alts" });
              alts.forEach(function (iso) {
                var b = el("button", { type: "button", "class": "bb-alt", "data-start": iso }, when({ start: iso }));
                b.addEventListener("click", function () { book(iso); });
                row.appendChild(b);
              });
              nodes.push(row);
            } else {
              nodes.push(T["reason." + (s.reason || "other")] || T["reason.other"]);
            }
            show(nodes);
            load();
            var first = status.querySelector("button");
            if (first) first.focus();
          }
          form.addEventListener("submit", function (ev) { ev.preventDefault(); book(null); });
          function resize() {
            if (window.parent !== window) window.parent.postMessage({ bookingbridge: "height", source: d.source, height: Math.ceil(document.body.getBoundingClientRect().height) }, "*");
          }
          if (window.ResizeObserver) new ResizeObserver(resize).observe(document.body);
          load().then(resize);
        })();
        """#

    /// `<div data-bookingbridge="SOURCE"></div>` becomes the booking page in an iframe that fits its content.
    static let embedJS = #"""
        (function () {
          "use strict";
          var script = document.currentScript;
          var origin = new URL(script.src).origin;
          document.querySelectorAll("[data-bookingbridge]").forEach(function (host) {
            var source = host.getAttribute("data-bookingbridge");
            var frame = document.createElement("iframe");
            frame.src = origin + "/book/" + encodeURIComponent(source) + "?embed=1";
            frame.title = host.getAttribute("data-title") || "Booking";
            frame.style.width = "100%";
            frame.style.border = "0";
            frame.style.height = "640px";
            frame.setAttribute("loading", "lazy");
            host.appendChild(frame);
            window.addEventListener("message", function (ev) {
              if (ev.origin !== origin || ev.source !== frame.contentWindow) return;
              var m = ev.data;
              if (m && m.bookingbridge === "height" && m.source === source && m.height > 0) frame.style.height = Math.ceil(m.height) + "px";
            });
          });
        })();
        """#
}
