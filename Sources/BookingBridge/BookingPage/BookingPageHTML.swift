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
            html += formField(definition)
        }
        html += consentBlock()
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
        return """
            <div class="bb-field"><label for="\(id)">\(Self.e(label))\(requiredMark(required))</label>\
            <input id="\(id)" name="\(Self.e(name))" type="\(type)" autocomplete="\(autocomplete)"\
            \(required ? " required" : "")></div>

            """
    }

    func requiredMark(_ required: Bool) -> String {
        required ? " <span class=\"bb-req\">(\(Self.e(texts["required"])))</span>" : ""
    }

    /// The form's name of one of the link's own form fields: the source's name for it, else `formField.` and
    /// HubSpot's name (intake reads that prefix for a source with a booking page).
    func formName(of definition: HubSpotFormFieldDefinition) -> String {
        source.formFields[definition.name] ?? SubmissionMapper.pageFormFieldPrefix + definition.name
    }

    /// One of the link's own form fields with the control its `fieldType` asks for: a `<select>` or a radio group
    /// for a choice (the options HubSpot offers, in its order, hidden ones left out), a group of checkboxes for
    /// several choices, a single checkbox, a text area, or an input.
    func formField(_ definition: HubSpotFormFieldDefinition) -> String {
        let name = formName(of: definition)
        let id = "bb-f-" + Self.e(name)
        let label = Self.e(definition.label ?? definition.name) + requiredMark(definition.isRequired)
        let required = definition.isRequired ? " required" : ""
        let options = definition.options.enumerated().filter { $0.element.hidden != true && $0.element.value != nil }
            .sorted {
                ($0.element.displayOrder ?? $0.offset, $0.offset) < ($1.element.displayOrder ?? $1.offset, $1.offset)
            }
            .map { (value: $0.element.value ?? "", label: $0.element.label ?? $0.element.value ?? "") }
        switch (definition.fieldType ?? "text").lowercased() {
        case "select" where !options.isEmpty:
            var html = "<div class=\"bb-field\"><label for=\"\(id)\">\(label)</label>"
            html += "<select id=\"\(id)\" name=\"\(Self.e(name))\"\(required)><option value=\"\">–</option>"
            for option in options {
                html += "<option value=\"\(Self.e(option.value))\">\(Self.e(option.label))</option>"
            }
            return html + "</select></div>\n"
        case "radio" where !options.isEmpty, "checkbox" where !options.isEmpty:
            let type = definition.fieldType?.lowercased() == "radio" ? "radio" : "checkbox"
            var html = "<fieldset class=\"bb-choice\" id=\"\(id)\"><legend>\(label)</legend>"
            for (index, option) in options.enumerated() {
                let optionID = "\(id)-\(index)"
                html += """
                    <div class="bb-check"><input type="\(type)" id="\(optionID)" name="\(Self.e(name))" \
                    value="\(Self.e(option.value))"\(type == "radio" ? required : "")>\
                    <label for="\(optionID)">\(Self.e(option.label))</label></div>
                    """
            }
            return html + "</fieldset>\n"
        case "booleancheckbox":
            return """
                <div class="bb-check"><input type="checkbox" id="\(id)" name="\(Self.e(name))" value="true"\(required)>\
                <label for="\(id)">\(label)</label></div>

                """
        case "textarea":
            return """
                <div class="bb-field"><label for="\(id)">\(label)</label>\
                <textarea id="\(id)" name="\(Self.e(name))" rows="3"\(required)></textarea></div>

                """
        case "number":
            return input(
                name: name, label: definition.label ?? definition.name, required: definition.isRequired,
                autocomplete: "off", type: "number")
        case "date":
            return input(
                name: name, label: definition.label ?? definition.name, required: definition.isRequired,
                autocomplete: "off", type: "date")
        default:
            return input(
                name: name, label: definition.label ?? definition.name, required: definition.isRequired,
                autocomplete: "on")
        }
    }

    /// The link's consent texts with a checkbox for each communication consent (named as the source maps it, else
    /// `consent.` and its `communicationTypeId`) and, when HubSpot asks for it (`REQUIRED_CHECKBOX`), a required
    /// checkbox for processing the visitor's data.
    func consentBlock() -> String {
        guard let params = info?.customParams, params.legalConsentEnabled, let options = params.legalConsentOptions
        else { return "" }
        var html = "<fieldset class=\"bb-consent\"><legend>\(Self.e(texts["consent"]))</legend>\n"
        func note(_ text: String?) {
            if let text, !text.isEmpty { html += "<p class=\"bb-note\">\(Self.e(text))</p>\n" }
        }
        func box(id: String, name: String, label: String, required: Bool) {
            html += """
                <div class="bb-check"><input type="checkbox" id="\(id)" name="\(Self.e(name))" value="true"\
                \(required ? " required" : "")><label for="\(id)">\(Self.e(label))\(requiredMark(required))</label></div>

                """
        }
        if !options.communicationConsentCheckboxes.isEmpty { note(options.communicationConsentText) }
        for (index, checkbox) in options.communicationConsentCheckboxes.enumerated() {
            let name =
                source.consent.first(where: { $0.value == checkbox.communicationTypeId })?.key
                ?? SubmissionMapper.pageConsentPrefix + checkbox.communicationTypeId
            box(
                id: "bb-consent-\(index)", name: name, label: checkbox.label ?? checkbox.communicationTypeId,
                required: checkbox.required)
        }
        note(options.privacyPolicyText)
        if options.processingConsentType == "REQUIRED_CHECKBOX" {
            note(options.processingConsentText)
            box(
                id: "bb-consent-processing", name: SubmissionMapper.pageConsentPrefix + "processing",
                label: options.processingConsentCheckboxLabel ?? texts["processing"], required: true)
        } else {
            note(options.processingConsentFooterText)
        }
        return html + "</fieldset>\n"
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
