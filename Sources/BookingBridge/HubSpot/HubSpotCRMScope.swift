import Foundation

/// The scope HubSpot's CRM reads of contacts and meetings need (the spec's `security` of both calls).
public enum HubSpotCRMScope {
    public static let contactsRead = "crm.objects.contacts.read"
}
