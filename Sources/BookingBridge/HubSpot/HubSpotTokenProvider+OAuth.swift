import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

extension HubSpotTokenProvider {
    /// `POST /oauth/2026-03/token` with `grant_type=refresh_token`. Never logs the secret or the tokens.
    static func requestToken(
        transport: HubSpotTransport, clientID: String, clientSecret: String, refreshToken: String, logger: Logger
    ) async throws -> OAuthTokenAnswer {
        let form = HubSpotPath.formBody([
            ("grant_type", "refresh_token"), ("client_id", clientID), ("client_secret", clientSecret),
            ("refresh_token", refreshToken),
        ])
        let path = HubSpotPath.token
        let response: HubSpotTransport.Response
        do {
            response = try await transport.send(
                method: .POST, path: path,
                headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                body: ByteBuffer(string: form))
        } catch {
            HubSpotCallLog.failure(
                endpoint: .token, method: "POST", path: path, failure: error, classification: .retryable(after: nil),
                logger: logger)
            throw HubSpotError(
                facts: HubSpotFailureFacts(
                    endpoint: .token, transport: error.kind, requestMayHaveBeenSent: error.mayHaveBeenSent),
                message: "no answer from HubSpot's token endpoint (\(error.kind.rawValue))")
        }
        let body = try? JSONDecoder().decode(HubSpotErrorBody.self, from: response.body)
        if (200..<300).contains(response.status),
            let answer = try? JSONDecoder().decode(OAuthTokenAnswer.self, from: response.body)
        {
            HubSpotCallLog.success(endpoint: .token, method: "POST", path: path, response: response, logger: logger)
            return answer
        }
        let error = Self.tokenError(status: response.status, body: body)
        HubSpotCallLog.answer(
            endpoint: .token, method: "POST", path: path, response: response, error: error, logger: logger)
        throw error
    }

    /// The error for a token endpoint answer that carries no token. `invalid_grant` (and every other 4xx) is
    /// permanent: only a person can fix the credentials.
    static func tokenError(status: Int, body: HubSpotErrorBody?) -> HubSpotError {
        let classification: HubSpotErrorClassification
        switch status {
        case 200..<300,
            400..<500 where status != 429 && status != 423 && status != 408:
            classification = .permanent
        case 429:
            classification = .rateLimited(policy: .tenSecondlyRolling, retryAfter: nil)
        default:
            classification = .retryable(after: nil)
        }
        let message: String
        if body?.error == "invalid_grant" {
            message =
                "HubSpot refused the OAuth refresh token (invalid_grant: \(body?.errorDescription ?? body?.message ?? "no reason given")); "
                + "authorize the app again and set HUBSPOT_REFRESH_TOKEN"
        } else if (200..<300).contains(status) {
            message = "HubSpot's token endpoint answered without a usable token"
        } else {
            message =
                "HubSpot's token endpoint answered \(status): "
                + (body?.errorDescription ?? body?.message ?? body?.error ?? "no reason given")
        }
        return HubSpotError(
            endpoint: .token, classification: classification, message: message, status: status,
            category: body?.error ?? body?.category, subCategory: body?.error != nil ? body?.status : body?.subCategory,
            correlationId: body?.correlationId)
    }
}
