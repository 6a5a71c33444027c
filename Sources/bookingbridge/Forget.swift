import ArgumentParser
import BookingBridge
import Foundation
import Logging
import PostgresNIO

/// `bookingbridge forget --email ADDRESS`: erases one person's data and says how many rows went.
struct ForgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Erase one person's data (right to be forgotten) and print how many rows were removed.",
        discussion: """
            Deletes every intent submitted with the e-mail address (compared case-insensitively), with its HubSpot \
            attempts, booking, webhook events and their deliveries, pending ones included. HubSpot's own records and \
            webhooks already delivered are not touched. An intent that a worker is booking at this moment is kept: \
            the command then exits with status 75; run it again a minute later. Needs DATABASE_URL.
            """)

    @Option(help: "The person's e-mail address.") var email: String

    @Flag(help: "Print the report as JSON.") var json = false

    func validate() throws {
        guard !email.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationError("--email must not be empty")
        }
    }

    func run() async throws {
        let configuration = try loadConfiguration()
        guard let url = configuration.databaseURL else { throw ValidationError("DATABASE_URL is not set") }
        let logger = bootstrapLogging(configuration)
        let database = try Database(url: url, maximumConnections: 1, logger: logger)
        let report = try await withThrowingTaskGroup(of: ForgetReport?.self) { group in
            group.addTask {
                await database.client.run()
                return nil
            }
            defer { group.cancelAll() }
            await database.runStarted()
            return try await BookingBridge.Forget.erase(email: email, database: database)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(Self.summary(report))
        }
        if report.inFlight > 0 { throw ExitCode(75) }
    }

    static func summary(_ report: ForgetReport) -> String {
        let r = report.removed
        func n(_ count: Int, _ one: String, _ many: String) -> String { "\(count) \(count == 1 ? one : many)" }
        var text =
            "erased \(report.email): "
            + [
                n(r.intents, "intent", "intents"), n(r.attempts, "HubSpot attempt", "HubSpot attempts"),
                n(r.bookings, "booking", "bookings"), n(r.events, "event", "events"),
                n(r.deliveries, "delivery", "deliveries"),
                n(r.deliveryAttempts, "delivery attempt", "delivery attempts"),
            ].joined(separator: ", ") + " (\(n(r.total, "row", "rows")))"
        if report.inFlight > 0 {
            text +=
                "\n\(n(report.inFlight, "intent is", "intents are")) being booked right now and were kept: "
                + "run `bookingbridge forget` again in a minute"
        }
        return text
    }
}
