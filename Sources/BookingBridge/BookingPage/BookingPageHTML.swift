import Foundation

/// The booking page's HTML. Every value from configuration, HubSpot or a visitor goes through `HTML.escape`.
struct BookingPageHTML {
    let name: String
    let source: SourceConfiguration
    let texts: BookingPageTexts
    let zone: TimeZone
    let minutes: Int
    let info: HubSpotBookingInfo?
    /// Open slots of the next days, for the page without JavaScript.
    let slots: [HubSpotSlot]
    let embedded: Bool

    static func e(_ text: String) -> String { HTML.escape(text) }

    /// The form's name of a booking field (a source may map another name onto it).
    func field(_ booking: String) -> String { source.fields[booking] ?? booking }

    static func head(name: String, title: String, language: String, refresh: Bool = false) -> String {
        let base = "/book/" + HubSpotPath.percentEncode(name)
        return """
            <!doctype html>
            <html lang="\(e(language))"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            \(refresh ? "<meta http-equiv=\"refresh\" content=\"2\">" : "")<title>\(e(title))</title>
            <link rel="stylesheet" href="\(base)/page.css">
            <script src="\(base)/page.js" defer></script></head>
            """
    }

    func render() -> String {
        let title = source.page?.title ?? texts["title"]
        let base = "/book/" + HubSpotPath.percentEncode(name)
        var html = Self.head(name: name, title: title, language: texts.language)
        html += "<body\(embedded ? " class=\"bb-embedded\"" : "")><main class=\"bb\">\n"
        if let logo = source.page?.logoUrl { html += "<img class=\"bb-logo\" src=\"\(Self.e(logo))\" alt=\"\">\n" }
        html += "<h1>\(Self.e(title))</h1>\n"
        if let intro = source.page?.intro { html += "<p class=\"bb-intro\">\(Self.e(intro))</p>\n" }
        html += "<p class=\"bb-duration\">\(Self.e(String(format: texts["minutes"], minutes)))</p>\n"
        html += """
            <form id="bb-form" class="bb-form" method="post" action="/v1/intake/\(HubSpotPath.percentEncode(name))" \
            data-source="\(Self.e(name))" data-base="\(Self.e(base))" data-duration="\(minutes)" \
            data-timezone="\(Self.e(zone.identifier))" data-language="\(Self.e(texts.language))" \
            data-start-field="\(Self.e(field("startTime")))" data-timezone-field="\(Self.e(field("timezone")))">

            """
        html += slotFieldset()
        html += "<input type=\"hidden\" name=\"\(Self.e(field("timezone")))\" value=\"\(Self.e(zone.identifier))\">\n"
        html += input(name: field("firstName"), label: texts["firstName"], required: true, autocomplete: "given-name")
        html += input(name: field("lastName"), label: texts["lastName"], required: true, autocomplete: "family-name")
        html += input(
            name: field("email"), label: texts["email"], required: true, autocomplete: "email", type: "email")
        for definition in info?.customParams.formFields ?? []
        where !BookingPlan.standardFields.contains(definition.name.lowercased()) {
            guard let formName = source.formFields[definition.name] else { continue }
            html += input(
                name: formName, label: definition.label ?? definition.name, required: definition.isRequired,
                autocomplete: "on")
        }
        if info?.customParams.legalConsentEnabled == true {
            for box in info?.customParams.legalConsentOptions?.communicationConsentCheckboxes ?? [] {
                guard let formName = source.consent.first(where: { $0.value == box.communicationTypeId })?.key
                else { continue }
                let id = "bb-consent-\(Self.e(formName))"
                html += """
                    <div class="bb-check"><input type="checkbox" id="\(id)" name="\(Self.e(formName))" value="true"\
                    \(box.required ? " required" : "")><label for="\(id)">\(Self.e(box.label ?? box.communicationTypeId))\
                    \(box.required ? " <span class=\"bb-req\">(\(Self.e(texts["required"])))</span>" : "")</label></div>

                    """
            }
        }
        if case .public(_, let honeypot) = source.auth, let honeypot, !honeypot.isEmpty {
            html += """
                <div class="bb-hp" aria-hidden="true"><label for="bb-hp">\(Self.e(texts["website"]))</label>\
                <input id="bb-hp" name="\(Self.e(honeypot))" tabindex="-1" autocomplete="off"></div>

                """
        }
        html += "<button type=\"submit\" class=\"bb-submit\">\(Self.e(texts["submit"]))</button>\n</form>\n"
        html += "<div id=\"bb-status\" class=\"bb-status\" role=\"status\" aria-live=\"polite\"></div>\n"
        let json = (try? JSONEncoder().encode(texts.words)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        html += "<script type=\"application/json\" id=\"bb-texts\">\(HTML.scriptJSON(json))</script>\n"
        html += "</main></body></html>\n"
        return html
    }

    func input(name: String, label: String, required: Bool, autocomplete: String, type: String = "text") -> String {
        let id = "bb-f-" + Self.e(name)
        let mark = required ? " <span class=\"bb-req\">(\(Self.e(texts["required"])))</span>" : ""
        return """
            <div class="bb-field"><label for="\(id)">\(Self.e(label))\(mark)</label>\
            <input id="\(id)" name="\(Self.e(name))" type="\(type)" autocomplete="\(autocomplete)"\
            \(required ? " required" : "")></div>

            """
    }

    /// A start's time of day as `HH:mm` in `zone`, as the page's script shows it (both page languages write 24-hour
    /// times; Foundation's short time style drops the leading zero, which made the buttons' widths uneven).
    static func clock(_ millis: Int64, zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.hour, .minute], from: HubSpotTimestamp.date(millis))
        return String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    }

    /// The open starts of the next days as radio buttons grouped by day, in the source's time zone.
    func slotFieldset() -> String {
        var html = "<fieldset id=\"bb-slots\" class=\"bb-slots\"><legend>\(Self.e(texts["pickTime"]))</legend>\n"
        html +=
            "<p class=\"bb-note\">\(Self.e(texts["timesIn"].replacingOccurrences(of: "%@", with: zone.identifier)))</p>\n"
        let locale = Locale(identifier: texts.language == "de" ? "de_DE" : "en_GB")
        var dayStyle = Date.FormatStyle(date: .complete, time: .omitted, locale: locale)
        dayStyle.timeZone = zone
        var days: [(String, [HubSpotSlot])] = []
        for slot in slots {
            let day = HubSpotTimestamp.date(slot.startMillisUtc).formatted(dayStyle)
            if days.last?.0 == day { days[days.count - 1].1.append(slot) } else { days.append((day, [slot])) }
        }
        if days.isEmpty { html += "<p class=\"bb-empty\">\(Self.e(texts["noSlotsAtAll"]))</p>\n" }
        var index = 0
        for (day, daySlots) in days {
            html += "<fieldset class=\"bb-day\"><legend>\(Self.e(day))</legend><div class=\"bb-times\">\n"
            for slot in daySlots {
                let iso = HubSpotTimestamp.iso8601(millis: slot.startMillisUtc)
                let time = Self.clock(slot.startMillisUtc, zone: zone)
                html += """
                    <input type="radio" id="bb-s\(index)" name="\(Self.e(field("startTime")))" value="\(Self.e(iso))" \
                    required><label for="bb-s\(index)">\(Self.e(time))</label>

                    """
                index += 1
            }
            html += "</div></fieldset>\n"
        }
        return html + "</fieldset>\n"
    }

    /// The result page of a form posted without JavaScript.
    static func result(
        name: String, source: SourceConfiguration, texts: BookingPageTexts, status: IntakeController.VisitorStatus,
        receipt: String
    ) -> String {
        let title = source.page?.title ?? texts["title"]
        let base = "/book/" + HubSpotPath.percentEncode(name)
        var html = head(name: name, title: title, language: texts.language, refresh: status.status == "received")
        html += "<body><main class=\"bb\"><h1>\(e(title))</h1>\n<div class=\"bb-status\" role=\"status\">"
        switch status.status {
        case "received":
            html += "<p>\(e(texts["received"]))</p>"
        case "booked":
            let zone = TimeZone(identifier: source.timezone ?? "UTC") ?? TimeZone(identifier: "UTC")!
            let locale = Locale(identifier: texts.language == "de" ? "de_DE" : "en_GB")
            var style = Date.FormatStyle(date: .complete, time: .omitted, locale: locale)
            style.timeZone = zone
            let when =
                status.start.flatMap(HubSpotTimestamp.millis(iso8601:)).map {
                    HubSpotTimestamp.date($0).formatted(style) + ", \(clock($0, zone: zone)) (\(zone.identifier))"
                } ?? ""
            html += "<p class=\"bb-ok\">\(e(texts["booked"]))</p><dl><dt>\(e(texts["when"]))</dt><dd>\(e(when))</dd>"
            if let location = status.location { html += "<dt>\(e(texts["where"]))</dt><dd>\(e(location))</dd>" }
            html += "</dl>"
            if let video = status.videoUrl { html += "<p><a href=\"\(e(video))\">\(e(texts["video"]))</a></p>" }
            html += "<p><a href=\"\(base)/ics/\(e(receipt))\" download>\(e(texts["ics"]))</a></p>"
        default:
            let reason = status.reason ?? "other"
            html += "<p class=\"bb-bad\">\(e(texts["failed"]))</p>"
            html += "<p>\(e(reason == "taken" ? texts["reason.other"] : texts["reason.\(reason)"]))</p>"
            html += "<p><a href=\"\(base)\">\(e(texts["again"]))</a></p>"
        }
        return html + "</div></main></body></html>\n"
    }
}
