import Foundation
import Logging
import PostgresNIO

/// A column that holds secrets at rest, sealed with `SecretKeyring`: where it is and what each value is bound to.
public struct SealedColumn: Sendable, Hashable, CustomStringConvertible {
    public let table: String
    public let column: String
    /// The table's primary key and its type, to address a row.
    let idColumn: String
    let idType: String
    /// `SecretKeyring`'s context of a row is this prefix and the row's id as text.
    let contextPrefix: String

    /// `table.column`.
    public var description: String { "\(table).\(column)" }

    /// Every column that holds a secret, in the order start-up and `rotate-key` go through them.
    public static let all: [SealedColumn] = [
        SealedColumn(
            table: "subscriptions", column: "secret", idColumn: "id", idType: "uuid", contextPrefix: "subscription:"),
        SealedColumn(
            table: "subscriptions", column: "previous_secret", idColumn: "id", idType: "uuid",
            contextPrefix: "subscription:"),
        SealedColumn(
            table: "hubspot_oauth_tokens", column: "refresh_token", idColumn: "account", idType: "text",
            contextPrefix: HubSpotTokenStore.contextPrefix),
    ]
}
