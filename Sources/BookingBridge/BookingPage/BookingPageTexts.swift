import Foundation

/// The booking page's words in each language it speaks, picked from the source's `locale` (`de…` is German,
/// anything else English). The same keys go to the page's script.
struct BookingPageTexts: Sendable {
    let language: String
    let words: [String: String]

    init(locale: String?) {
        let language = (locale ?? "en").lowercased().hasPrefix("de") ? "de" : "en"
        self.language = language
        self.words = language == "de" ? Self.german : Self.english
    }

    subscript(_ key: String) -> String { words[key] ?? Self.english[key] ?? key }

    static let english: [String: String] = [
        "title": "Book a meeting",
        "minutes": "%d minutes",
        "pickTime": "Pick a time",
        "day": "Day",
        "timezone": "Time zone",
        "noSlots": "No open times on this day.",
        "noSlotsAtAll": "There are no open times in the next days.",
        "loading": "Loading open times…",
        "firstName": "First name",
        "lastName": "Last name",
        "email": "E-mail",
        "required": "required",
        "submit": "Book",
        "sending": "Sending…",
        "received": "Received. Booking your meeting…",
        "booked": "Your meeting is booked.",
        "when": "When",
        "where": "Where",
        "video": "Join the video call",
        "ics": "Add to calendar (.ics)",
        "failed": "That did not work.",
        "taken": "That time was just taken. Pick one of these:",
        "reason.email": "The e-mail address was not accepted. Please check it.",
        "reason.fields": "Some details are missing. Please fill in every required field.",
        "reason.pending": "We received your request; we will get back to you with a confirmation.",
        "reason.other": "The meeting could not be booked. Please try another time.",
        "pickSlot": "Please pick a time.",
        "again": "Pick another time",
        "error": "Something went wrong. Please try again.",
        "timesIn": "Times are shown in %@.",
        "bookAnother": "Book another time",
        "noscript": "Times are shown in %@.",
        "website": "Leave this field empty",
        "consent": "Consent",
        "processing": "I agree that my details are stored and processed for this meeting.",
    ]

    static let german: [String: String] = [
        "title": "Termin buchen",
        "minutes": "%d Minuten",
        "pickTime": "Uhrzeit wählen",
        "day": "Tag",
        "timezone": "Zeitzone",
        "noSlots": "An diesem Tag sind keine Zeiten frei.",
        "noSlotsAtAll": "In den nächsten Tagen sind keine Zeiten frei.",
        "loading": "Freie Zeiten werden geladen…",
        "firstName": "Vorname",
        "lastName": "Nachname",
        "email": "E-Mail",
        "required": "Pflichtfeld",
        "submit": "Buchen",
        "sending": "Wird gesendet…",
        "received": "Erhalten. Ihr Termin wird gebucht…",
        "booked": "Ihr Termin ist gebucht.",
        "when": "Wann",
        "where": "Wo",
        "video": "Zum Videoanruf",
        "ics": "In den Kalender (.ics)",
        "failed": "Das hat nicht geklappt.",
        "taken": "Diese Zeit wurde gerade vergeben. Wählen Sie eine dieser:",
        "reason.email": "Die E-Mail-Adresse wurde nicht angenommen. Bitte prüfen Sie sie.",
        "reason.fields": "Es fehlen Angaben. Bitte füllen Sie alle Pflichtfelder aus.",
        "reason.pending": "Wir haben Ihre Anfrage erhalten und melden uns mit einer Bestätigung.",
        "reason.other": "Der Termin konnte nicht gebucht werden. Bitte wählen Sie eine andere Zeit.",
        "pickSlot": "Bitte wählen Sie eine Uhrzeit.",
        "again": "Andere Zeit wählen",
        "error": "Etwas ist schiefgegangen. Bitte versuchen Sie es noch einmal.",
        "timesIn": "Zeiten in %@.",
        "bookAnother": "Weitere Zeit buchen",
        "noscript": "Zeiten in %@.",
        "website": "Dieses Feld leer lassen",
        "consent": "Einwilligung",
        "processing": "Ich bin einverstanden, dass meine Angaben für diesen Termin gespeichert und verarbeitet werden.",
    ]
}
