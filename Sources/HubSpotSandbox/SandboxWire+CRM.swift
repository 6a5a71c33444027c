import Foundation

extension SandboxWire {
    /// The spec's `SimplePublicObject` (search results) and `SimplePublicObjectWithAssociations` (read by id):
    /// `id`, `properties` (strings; a requested property without a value is `null`), `createdAt`, `updatedAt`,
    /// `archived`, and `associations` only when asked for.
    struct CRMObject: Sendable, Encodable {
        var id: String
        var properties: [String: String?]
        var createdAt: String
        var updatedAt: String
        var archived = false
        var associations: [String: AssociatedIds]?
    }

    /// `CollectionResponseAssociatedId`: `{results: [{id, type}]}`.
    struct AssociatedIds: Sendable, Encodable {
        var results: [AssociatedId]
    }

    struct AssociatedId: Sendable, Encodable {
        var id: String
        var type: String
    }

    /// `CollectionResponseWithTotalSimplePublicObject`: `{total, results, paging?: {next: {after, link?}}}`.
    struct CRMSearchPage: Sendable, Encodable {
        var total: Int
        var results: [CRMObject]
        var paging: Paging?
    }

    /// Properties a contact read returns when none are asked for (HubSpot's defaults).
    static let defaultContactProperties = [
        "createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname",
    ]
    /// Properties a meeting search returns when none are asked for (HubSpot's defaults).
    static let defaultMeetingProperties = ["hs_createdate", "hs_lastmodifieddate", "hs_object_id"]

    /// A contact as `GET .../contacts/{id}` answers it, with its meeting ids when `associations` names `meetings`.
    static func contact(
        _ contact: SandboxCRM.Contact, properties requested: [String], associations: [String]
    ) -> CRMObject {
        let all: [String: String] = [
            "createdate": SandboxTime.format(contact.createdAtMillis),
            "email": contact.email,
            "firstname": contact.firstName,
            "hs_object_id": contact.id,
            "lastmodifieddate": SandboxTime.format(contact.updatedAtMillis),
            "lastname": contact.lastName,
        ]
        let wanted = requested.isEmpty ? Self.defaultContactProperties : requested
        var object = CRMObject(
            id: contact.id, properties: Self.select(wanted, from: all),
            createdAt: SandboxTime.format(contact.createdAtMillis),
            updatedAt: SandboxTime.format(contact.updatedAtMillis))
        // HubSpot names the association by the plural object type and leaves it out when there is none.
        if associations.contains(where: { ["meetings", "meeting", "0-47"].contains($0.lowercased()) }),
            !contact.meetingIds.isEmpty
        {
            object.associations = [
                "meetings": AssociatedIds(
                    results: contact.meetingIds.map { AssociatedId(id: $0, type: "contact_to_meeting") })
            ]
        }
        return object
    }

    /// A meeting as a search result, with the requested properties (HubSpot's defaults when none).
    static func meeting(_ meeting: SandboxCRM.Meeting, properties requested: [String]) -> CRMObject {
        let wanted = requested.isEmpty ? Self.defaultMeetingProperties : requested
        return CRMObject(
            id: meeting.id, properties: Self.select(wanted, from: meeting.properties),
            createdAt: SandboxTime.format(meeting.createdAtMillis),
            updatedAt: SandboxTime.format(meeting.createdAtMillis))
    }

    private static func select(_ names: [String], from all: [String: String]) -> [String: String?] {
        var selected: [String: String?] = [:]
        for name in names { selected[name] = .some(all[name]) }
        return selected
    }
}
