import Foundation

/// Body of `POST .../meeting-links/book`, decoded as HubSpot does live: `slug`, `startTime`, `duration`, `email`,
/// `firstName` and `lastName` are required; `formFields`, `legalConsentResponses`, `likelyAvailableUserIds` and
/// `guestEmails` may be left out (HubSpot's spec lists the first three as required, but HubSpot books without
/// them). `startTime` is an ISO 8601 string or epoch milliseconds, ids may be strings or numbers.
struct SandboxBookRequest: Decodable, Sendable {
    var slug: String
    var startTime: StartTime
    var duration: Int64
    var email: String
    var firstName: String
    var lastName: String
    var formFields: [FormValue]
    var legalConsentResponses: [ConsentResponse]
    var likelyAvailableUserIds: [FlexibleString]
    var timezone: String?
    var locale: String?
    var guestEmails: [String]?

    enum CodingKeys: String, CodingKey {
        case slug, startTime, duration, email, firstName, lastName, formFields, legalConsentResponses
        case likelyAvailableUserIds, timezone, locale, guestEmails
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.slug = try c.decode(String.self, forKey: .slug)
        self.startTime = try c.decode(StartTime.self, forKey: .startTime)
        self.duration = try c.decode(Int64.self, forKey: .duration)
        self.email = try c.decode(String.self, forKey: .email)
        self.firstName = try c.decode(String.self, forKey: .firstName)
        self.lastName = try c.decode(String.self, forKey: .lastName)
        self.formFields = try c.decodeIfPresent([FormValue].self, forKey: .formFields) ?? []
        self.legalConsentResponses =
            try c.decodeIfPresent([ConsentResponse].self, forKey: .legalConsentResponses) ?? []
        self.likelyAvailableUserIds =
            try c.decodeIfPresent([FlexibleString].self, forKey: .likelyAvailableUserIds) ?? []
        self.timezone = try c.decodeIfPresent(String.self, forKey: .timezone)
        self.locale = try c.decodeIfPresent(String.self, forKey: .locale)
        self.guestEmails = try c.decodeIfPresent([String].self, forKey: .guestEmails)
    }

    enum StartTime: Decodable, Sendable {
        case millis(Int64)
        case iso(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let millis = try? container.decode(Int64.self) {
                self = .millis(millis)
            } else {
                self = .iso(try container.decode(String.self))
            }
        }

        /// Epoch milliseconds, or `nil` when the string is not an ISO 8601 date-time.
        var millis: Int64? {
            switch self {
            case .millis(let millis): millis
            case .iso(let text): SandboxTime.parse(text)
            }
        }
    }

    struct FormValue: Decodable, Sendable {
        var name: String
        var value: String
    }

    struct ConsentResponse: Decodable, Sendable {
        var communicationTypeId: FlexibleString
        var consented: Bool
    }

    /// A string that may arrive as a JSON number, as HubSpot's Jackson accepts.
    struct FlexibleString: Decodable, Sendable, Equatable {
        var value: String

        init(_ value: String) { self.value = value }

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int64.self) {
                self.value = String(number)
            } else {
                self.value = try container.decode(String.self)
            }
        }
    }

    /// Decodes a body, or explains what is wrong with it like HubSpot's 400 does.
    static func decode(_ data: Data) -> Result<SandboxBookRequest, SandboxAPIError> {
        do {
            return .success(try JSONDecoder().decode(SandboxBookRequest.self, from: data))
        } catch let DecodingError.keyNotFound(key, context) {
            return .failure(.invalidInput("missing required property '\(Self.path(context.codingPath + [key]))'"))
        } catch let DecodingError.typeMismatch(_, context) {
            return .failure(.invalidInput("property '\(Self.path(context.codingPath))' has the wrong type"))
        } catch let DecodingError.valueNotFound(_, context) {
            return .failure(.invalidInput("property '\(Self.path(context.codingPath))' must not be null"))
        } catch {
            return .failure(.invalidInput("the body is not valid JSON"))
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

/// ISO 8601 date-times as HubSpot writes and reads them.
enum SandboxTime {
    /// `2026-12-03T14:30:00Z`, or with milliseconds when the instant has any.
    static func format(_ millis: Int64) -> String {
        let date = SandboxSchedule.date(millis)
        if millis % 1000 == 0 {
            return date.formatted(Date.ISO8601FormatStyle())
        }
        return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// Parses `2026-12-03T14:30:00Z`, `2026-12-03T14:30:00.000Z` or `2026-12-03T15:30:00+01:00`.
    static func parse(_ text: String) -> Int64? {
        let styles = [
            Date.ISO8601FormatStyle(),
            Date.ISO8601FormatStyle(includingFractionalSeconds: true),
        ]
        for style in styles {
            if let date = try? style.parse(text) { return SandboxSchedule.millis(date) }
        }
        return nil
    }
}
