/// A public source's hosted booking page (`sources.<name>.page`): off unless `enabled`.
public struct BookingPageSettings: Sendable, Equatable, Decodable {
    public var enabled: Bool
    /// The page's heading; the meeting link's name when unset.
    public var title: String?
    /// A paragraph under the heading.
    public var intro: String?
    /// `#rgb` or `#rrggbb` for buttons and the chosen slot.
    public var accentColor: String?
    /// An `https://` address of a logo image shown above the heading.
    public var logoUrl: String?

    public init(
        enabled: Bool = true, title: String? = nil, intro: String? = nil, accentColor: String? = nil,
        logoUrl: String? = nil
    ) {
        self.enabled = enabled
        self.title = title
        self.intro = intro
        self.accentColor = accentColor
        self.logoUrl = logoUrl
    }

    enum CodingKeys: String, CodingKey { case enabled, title, intro, accentColor, logoUrl }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? false
        title = try c.decodeIfPresent(String.self, forKey: .title)
        intro = try c.decodeIfPresent(String.self, forKey: .intro)
        accentColor = try c.decodeIfPresent(String.self, forKey: .accentColor)
        logoUrl = try c.decodeIfPresent(String.self, forKey: .logoUrl)
        if let accentColor, !Self.isColor(accentColor) {
            throw ConfigurationError(key: "page.accentColor", expected: "#rgb or #rrggbb", found: "\"\(accentColor)\"")
        }
        if let logoUrl, !logoUrl.hasPrefix("https://") || logoUrl.contains(where: { $0 == "\"" || $0 == " " }) {
            throw ConfigurationError(key: "page.logoUrl", expected: "an https:// address", found: "\"\(logoUrl)\"")
        }
    }

    /// `#rgb` or `#rrggbb` in hex digits: the only shapes that go into the page's style sheet.
    static func isColor(_ text: String) -> Bool {
        guard text.first == "#", text.count == 4 || text.count == 7 else { return false }
        return text.dropFirst().allSatisfy(\.isHexDigit)
    }
}
