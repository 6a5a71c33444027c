/// HubSpot's error body, every key optional:
/// `{status?, message, correlationId, category, subCategory?, errors?, context?, links?}`, plus the rate-limit
/// keys of a 429 (`errorType`, `policyName`, `requestId`) and the OAuth keys (`error`, `error_description`).
public struct HubSpotErrorBody: Sendable, Equatable, Codable {
    public var status: String?
    public var message: String?
    public var correlationId: String?
    public var category: String?
    public var subCategory: String?
    public var errors: [Detail]?
    public var context: [String: [String]]?
    public var links: [String: String]?
    public var errorType: String?
    public var policyName: String?
    public var requestId: String?
    /// OAuth token endpoint: e.g. `invalid_grant`.
    public var error: String?
    /// OAuth token endpoint: the human explanation.
    public var errorDescription: String?

    /// One entry of `errors`.
    public struct Detail: Sendable, Equatable, Codable {
        public var message: String?
        public var code: String?
        public var `in`: String?
        public var subCategory: String?
        public var context: [String: [String]]?

        public init(message: String? = nil, code: String? = nil, subCategory: String? = nil) {
            self.message = message
            self.code = code
            self.subCategory = subCategory
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            message = try? c.decodeIfPresent(String.self, forKey: .message)
            code = try? c.decodeIfPresent(String.self, forKey: .code)
            self.in = try? c.decodeIfPresent(String.self, forKey: .in)
            subCategory = try? c.decodeIfPresent(String.self, forKey: .subCategory)
            context = try? c.decodeIfPresent([String: [String]].self, forKey: .context)
        }
    }

    enum CodingKeys: String, CodingKey {
        case status, message, correlationId, category, subCategory, errors, context, links, errorType, policyName
        case requestId, error, errorDescription = "error_description"
    }

    public init(
        message: String? = nil, correlationId: String? = nil, category: String? = nil, subCategory: String? = nil,
        policyName: String? = nil, errors: [Detail]? = nil
    ) {
        self.message = message
        self.correlationId = correlationId
        self.category = category
        self.subCategory = subCategory
        self.policyName = policyName
        self.errors = errors
    }

    /// Lenient: a key of an unexpected type is dropped rather than failing the whole body.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try? c.decodeIfPresent(String.self, forKey: .status)
        message = try? c.decodeIfPresent(String.self, forKey: .message)
        correlationId = try? c.decodeIfPresent(String.self, forKey: .correlationId)
        category = try? c.decodeIfPresent(String.self, forKey: .category)
        subCategory = try? c.decodeIfPresent(String.self, forKey: .subCategory)
        errors = try? c.decodeIfPresent([Detail].self, forKey: .errors)
        context = try? c.decodeIfPresent([String: [String]].self, forKey: .context)
        links = try? c.decodeIfPresent([String: String].self, forKey: .links)
        errorType = try? c.decodeIfPresent(String.self, forKey: .errorType)
        policyName = try? c.decodeIfPresent(String.self, forKey: .policyName)
        requestId = try? c.decodeIfPresent(String.self, forKey: .requestId)
        error = try? c.decodeIfPresent(String.self, forKey: .error)
        errorDescription = try? c.decodeIfPresent(String.self, forKey: .errorDescription)
    }
}
