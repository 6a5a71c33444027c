import PostgresNIO

/// The rows of a statement, read in full before its connection went back to the pool (see `Database.query`).
///
/// An async sequence like PostgresNIO's `PostgresRowSequence`, so that code reads rows the same way from either.
public struct Rows: AsyncSequence, Sendable {
    public typealias Element = PostgresRow

    public let rows: [PostgresRow]

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: IndexingIterator<[PostgresRow]>

        public mutating func next() async throws -> PostgresRow? { base.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: rows.makeIterator()) }

    /// Each row decoded as the given column types.
    public func decode<each Column: PostgresDecodable>(
        _ columnType: (repeat each Column).Type, file: String = #fileID, line: Int = #line
    ) -> AsyncThrowingMapSequence<Rows, (repeat each Column)> {
        self.map { row in try row.decode(columnType, file: file, line: line) }
    }
}
