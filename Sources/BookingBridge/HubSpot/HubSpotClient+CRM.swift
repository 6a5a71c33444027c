import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

extension HubSpotClient {
    /// `GET /crm/objects/2026-03/contacts/{email}?idProperty=email&associations=meetings`: the contact with this
    /// e-mail and the ids of the meetings logged on it; `nil` when HubSpot has no such contact (404).
    /// Needs scope `crm.objects.contacts.read` (403 `MISSING_SCOPES` without it).
    public func crmContact(email: String) async throws -> HubSpotCRMObject? {
        let path =
            HubSpotPath.crmContacts + "/" + HubSpotPath.encodeSegment(email)
            + HubSpotPath.query([
                ("idProperty", "email"), ("associations", "meetings"), ("properties", "email,hs_object_id"),
            ])
        do {
            let contact: HubSpotCRMObject = try await perform(.crmContact, method: .GET, path: path, body: nil)
            return contact
        } catch let error as HubSpotError where error.status == 404 {
            return nil
        }
    }

    /// `POST /crm/objects/2026-03/meetings/search`: one page of the meetings the request matches.
    /// Needs scope `crm.objects.contacts.read`.
    public func searchMeetings(_ request: HubSpotCRMSearchRequest) async throws -> HubSpotCRMSearchPage {
        let body = try JSONEncoder().encode(request)
        return try await perform(
            .crmMeetingSearch, method: .POST, path: HubSpotPath.crmMeetingSearch, body: ByteBuffer(data: body))
    }
}
