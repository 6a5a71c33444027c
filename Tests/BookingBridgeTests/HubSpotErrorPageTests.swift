import Testing

@testable import BookingBridge

/// What the bridge says about an error answer that is not HubSpot's JSON (an edge error page).
@Suite("HubSpot error pages")
struct HubSpotErrorPageTests {
    @Test("an HTML page is named with its title; JSON and empty bodies are not pages")
    func pages() {
        let page = "<html>\n<head><title>524 Origin   Time-out</title></head><body><h1>524</h1></body></html>"
        #expect(
            HubSpotErrorBody.pageDescription(status: 524, contentType: "text/html", body: page)
                == "HubSpot answered 524 with an HTML page, not JSON (an error page of HubSpot's edge): 524 Origin Time-out"
        )
        #expect(
            HubSpotErrorBody.pageDescription(status: 502, contentType: nil, body: "  <!DOCTYPE html><p>x</p>")?
                .hasPrefix("HubSpot answered 502 with an HTML page") == true)
        #expect(
            HubSpotErrorBody.pageDescription(status: 503, contentType: "text/plain", body: "upstream reset")
                == "HubSpot answered 503 with a body that is not JSON")
        #expect(HubSpotErrorBody.pageDescription(status: 503, contentType: "application/json", body: "{}") == nil)
        #expect(HubSpotErrorBody.pageDescription(status: 503, contentType: nil, body: "") == nil)
        let long = "<title>" + String(repeating: "x", count: 500) + "</title>"
        #expect((HubSpotErrorBody.pageDescription(status: 500, contentType: nil, body: long)?.count ?? 0) < 200)
    }
}
