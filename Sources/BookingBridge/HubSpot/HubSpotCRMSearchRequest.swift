import Foundation

/// The body of a CRM search (`PublicObjectSearchRequest`): filter groups OR-ed, the filters of a group AND-ed.
public struct HubSpotCRMSearchRequest: Sendable, Equatable, Encodable {
    public struct Filter: Sendable, Equatable, Encodable {
        public var propertyName: String
        public var `operator`: String
        public var value: String?
        public var highValue: String?

        public init(propertyName: String, operator: String, value: String? = nil, highValue: String? = nil) {
            self.propertyName = propertyName
            self.operator = `operator`
            self.value = value
            self.highValue = highValue
        }
    }

    public struct FilterGroup: Sendable, Equatable, Encodable {
        public var filters: [Filter]
    }

    public struct Sort: Sendable, Equatable, Encodable {
        public var propertyName: String
        public var direction: String
    }

    public var filterGroups: [FilterGroup]
    public var properties: [String]
    public var sorts: [Sort]
    public var limit: Int
    public var after: String?

    public init(
        filters: [Filter], properties: [String], sortAscendingBy: String? = nil, limit: Int = 100, after: String? = nil
    ) {
        filterGroups = [FilterGroup(filters: filters)]
        self.properties = properties
        sorts = sortAscendingBy.map { [Sort(propertyName: $0, direction: "ASCENDING")] } ?? []
        self.limit = limit
        self.after = after
    }
}
