import Foundation

extension SandboxState {
    /// `GET .../book/{slug}?timezone=`: the link's settings, busy times and this month's availability.
    func bookingInfo(slug: String, zone: TimeZone, now: Int64) -> Result<SandboxWire.BookingInfo, SandboxAPIError> {
        guard let link = self.link(slug: slug) else { return .failure(.slugNotFound(slug)) }
        let schedule = SandboxSchedule(link: link)
        let page = schedule.availabilityPage(now: now, monthOffset: 0, zone: zone, bookings: self.bookings)
        let window = schedule.bookableWindow(now: now)
        let busy = schedule.busyTimes(bookings: self.bookings, in: .init(start: now, end: window.end))
        return .success(
            SandboxWire.BookingInfo(
                linkId: link.id,
                linkType: link.type.rawValue,
                isOffline: link.members.allSatisfy(\.isOffline),
                allUsersBusyTimes: SandboxWire.busyTimes(link: link, busy: busy),
                customParams: SandboxWire.customParams(link: link),
                linkAvailability: SandboxWire.linkAvailability(hasMore: page.hasMore, slots: page.slots)
            )
        )
    }

    /// `GET .../book/availability-page/{slug}?timezone=&monthOffset=`.
    func availabilityPage(
        slug: String,
        zone: TimeZone,
        monthOffset: Int,
        now: Int64
    ) -> Result<SandboxWire.AvailabilityPage, SandboxAPIError> {
        guard let link = self.link(slug: slug) else { return .failure(.slugNotFound(slug)) }
        let schedule = SandboxSchedule(link: link)
        let page = schedule.availabilityPage(now: now, monthOffset: monthOffset, zone: zone, bookings: self.bookings)
        let window = schedule.bookableWindow(now: now)
        let busy = schedule.busyTimes(bookings: self.bookings, in: .init(start: now, end: window.end))
        return .success(
            SandboxWire.AvailabilityPage(
                allUsersBusyTimes: SandboxWire.busyTimes(link: link, busy: busy),
                linkAvailability: SandboxWire.linkAvailability(hasMore: page.hasMore, slots: page.slots)
            )
        )
    }

    /// `GET .../objects/contacts/{id}?idProperty=&properties=&associations=`: a contact, or 404.
    func crmContact(id: String, query: [String: String]) -> Result<SandboxWire.CRMObject, SandboxAPIError> {
        func list(_ name: String) -> [String] {
            (query[name] ?? "").split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        }
        switch self.crm.contact(id: id, idProperty: query["idProperty"].flatMap { $0.isEmpty ? nil : $0 }) {
        case .failure(let error): return .failure(error)
        case .success(nil): return .failure(.crmObjectNotFound)
        case .success(let contact?):
            return .success(
                SandboxWire.contact(contact, properties: list("properties"), associations: list("associations")))
        }
    }

    /// `POST .../objects/meetings/search`: one page of the meetings the request matches.
    func crmMeetingSearch(_ search: SandboxMeetingSearch) -> SandboxWire.CRMSearchPage {
        search.page(of: self.crm.meetings)
    }

    /// `GET .../meetings/meeting-links?limit=&after=&name=&organizerUserId=&type=`.
    func listLinks(query: [String: String]) -> Result<SandboxWire.LinkList, SandboxAPIError> {
        SandboxLinkListing.page(of: self.links, query: query)
    }
}

/// Filtering and cursor paging of the link list, as HubSpot's `limit` / `after`.
enum SandboxLinkListing {
    static let defaultLimit = 10
    static let maximumLimit = 100

    static func page(of links: [SandboxLink], query: [String: String]) -> Result<SandboxWire.LinkList, SandboxAPIError>
    {
        var limit = Self.defaultLimit
        if let text = query["limit"] {
            guard let value = Int(text), (1...Self.maximumLimit).contains(value) else {
                return .failure(.validation("limit must be an integer between 1 and \(Self.maximumLimit)"))
            }
            limit = value
        }
        var after: Int?
        if let text = query["after"], !text.isEmpty {
            guard let value = Int(text) else {
                return .failure(.validation("after must be a cursor from paging.next.after"))
            }
            after = value
        }
        let matching = links.filter { link in
            if let name = query["name"], !name.isEmpty, !link.name.lowercased().contains(name.lowercased()) {
                return false
            }
            if let organizer = query["organizerUserId"], !organizer.isEmpty, link.organizerUserId != organizer {
                return false
            }
            if let type = query["type"], !type.isEmpty, link.type.rawValue != type { return false }
            return true
        }
        .sorted { (Int($0.id) ?? 0) < (Int($1.id) ?? 0) }
        let remaining = matching.filter { after == nil || (Int($0.id) ?? 0) > after! }
        let page = Array(remaining.prefix(limit))
        let paging =
            remaining.count > page.count ? page.last.map { SandboxWire.Paging(next: .init(after: $0.id)) } : nil
        return .success(
            SandboxWire.LinkList(total: matching.count, results: page.map(SandboxWire.summary), paging: paging))
    }
}
